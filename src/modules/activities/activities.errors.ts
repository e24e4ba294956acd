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

// Importing from a feed URL: the feed as a whole could not be used (per-event problems are in
// the import report instead). 422: the URL the librarian gave does not lead to a usable calendar.
export const FeedRefused = defineError('ACTIVITIES_FEED_REFUSED', 422, (reason: 'url' | 'address', detail: string) => (reason === 'url'
  ? { nl: `Dit adres kan niet worden opgehaald: gebruik een http- of https-adres (${detail}).`, en: `This address cannot be fetched: use an http or https address (${detail}).` }
  : { nl: 'Dit adres wijst naar een intern of lokaal netwerk en wordt niet opgehaald.', en: 'This address points to an internal or local network and is not fetched.' }), 'url');

export const FeedUnavailable = defineError('ACTIVITIES_FEED_UNAVAILABLE', 422, (detail: string) => ({
  nl: `De agenda kon niet worden opgehaald: ${detail}.`,
  en: `The calendar could not be fetched: ${detail}.`,
}), 'url');

export const FeedTooLarge = defineError('ACTIVITIES_FEED_TOO_LARGE', 422, (maxBytes: number) => ({
  nl: `De agenda is groter dan ${Math.round(maxBytes / 1024)} kB en is niet ingelezen.`,
  en: `The calendar is larger than ${Math.round(maxBytes / 1024)} kB and was not read.`,
}), 'url');

export const FeedNotCalendar = defineError('ACTIVITIES_FEED_NOT_CALENDAR', 422, (contentType: string) => ({
  nl: `Op dit adres staat geen iCalendar-agenda (het antwoord is ${contentType}).`,
  en: `This address does not serve an iCalendar calendar (the answer is ${contentType}).`,
}), 'url');

export const ImportSourceRequired = defineError('ACTIVITIES_IMPORT_SOURCE', 422, () => ({
  nl: 'Plak de inhoud van een iCalendar-bestand óf geef het adres van een agenda-feed, niet allebei.',
  en: 'Paste the contents of an iCalendar file or give the address of a calendar feed, not both.',
}), 'url');
