import { defineError } from '../../platform/errors.ts';

export const ActivityNotFound = defineError('ACTIVITIES_NOT_FOUND', 404, () => ({
  nl: 'Deze activiteit bestaat niet (meer).',
  en: 'This activity does not exist (any more).',
}));

export const SessionNotFound = defineError('ACTIVITIES_SESSION_NOT_FOUND', 404, () => ({
  nl: 'Deze datum hoort niet bij deze activiteit.',
  en: 'This date does not belong to this activity.',
}), 'sessionId');

export const SessionRequired = defineError('ACTIVITIES_SESSION_REQUIRED', 422, () => ({
  nl: 'Kies een datum.',
  en: 'Choose a date.',
}), 'sessionId');

export const RegistrationNotFound = defineError('ACTIVITIES_REGISTRATION_NOT_FOUND', 404, () => ({
  nl: 'Deze aanmelding bestaat niet.',
  en: 'This registration does not exist.',
}));

export const AlreadyRegistered = defineError('ACTIVITIES_ALREADY_REGISTERED', 409, () => ({
  nl: 'U bent al aangemeld voor deze activiteit.',
  en: 'You are already registered for this activity.',
}));

export const ActivityCancelled = defineError('ACTIVITIES_ACTIVITY_CANCELLED', 409, () => ({
  nl: 'Deze activiteit gaat niet door. Aanmelden kan niet meer.',
  en: 'This activity has been cancelled. Registration is closed.',
}));

export const NotBookable = defineError('ACTIVITIES_NOT_BOOKABLE', 409, () => ({
  nl: 'Voor deze activiteit hoeft u zich niet aan te melden: u kunt gewoon binnenlopen.',
  en: 'This activity needs no registration: just walk in.',
}));

export const NoSeats = defineError('ACTIVITIES_NO_SEATS', 409, () => ({
  nl: 'Voor deze activiteit zijn geen plaatsen te reserveren.',
  en: 'This activity has no seats to book.',
}));

export const RegistrationClosed = defineError('ACTIVITIES_REGISTRATION_CLOSED', 409, () => ({
  nl: 'Aanmelden voor deze datum kan niet meer.',
  en: 'Registration for this date has closed.',
}));

export const CancellationClosed = defineError('ACTIVITIES_CANCELLATION_CLOSED', 409, () => ({
  nl: 'Afmelden kan niet meer: de termijn is verstreken. Neem contact op met de bibliotheek.',
  en: 'It is too late to cancel. Please contact the library.',
}));

export const EmailInvalid = defineError('ACTIVITIES_EMAIL_INVALID', 422, () => ({
  nl: 'Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.',
  en: 'Enter a valid e-mail address, for example name@example.com.',
}), 'email');

export const ConsentRequired = defineError('ACTIVITIES_CONSENT_REQUIRED', 422, () => ({
  nl: 'Geef toestemming om uw e-mailadres voor deze aanmelding te gebruiken.',
  en: 'Please agree that we use your e-mail address for this registration.',
}), 'consent');

export const ActivityInvalid = defineError('ACTIVITIES_INVALID', 422, (fields: { field: string; nl: string; en: string }[]) => ({
  nl: 'Niet alle gegevens van de activiteit zijn goed ingevuld.',
  en: 'Some details of the activity are not valid.',
}), (fields) => fields.map((f) => ({ field: f.field, message: { nl: f.nl, en: f.en } })));

export const CheckInRefused = defineError('ACTIVITIES_CHECK_IN_REFUSED', 409, () => ({
  nl: 'Deze aanmelding kan niet worden ingecheckt (afgemeld of op de wachtlijst).',
  en: 'This registration cannot be checked in (cancelled or waitlisted).',
}));
