import { defineError, type FieldError } from '../../platform/errors.ts';

export const PlanNotFound = defineError('MEMBERSHIP_PLAN_NOT_FOUND', 422, () => ({
  nl: 'Kies een van de abonnementen van deze bibliotheek.',
  en: 'Choose one of this library\'s plans.',
}), 'plan');

export const AgeOutsidePlan = defineError('MEMBERSHIP_AGE_OUTSIDE_PLAN', 422, (min: number | null, max: number | null) => ({
  nl: max !== null && max < 18 ? `Dit abonnement is voor wie jonger is dan ${max + 1}.` : `Dit abonnement is voor wie ${min ?? 0} jaar of ouder is.`,
  en: max !== null && max < 18 ? `This plan is for people under ${max + 1}.` : `This plan is for people aged ${min ?? 0} or over.`,
}), 'birthDate');

export const WrongLibrary = defineError('MEMBERSHIP_WRONG_LIBRARY', 409, (name: string) => ({
  nl: `Uw postcode hoort bij ${name}. U wordt lid bij de bibliotheek van uw eigen gemeente.`,
  en: `Your postcode belongs to ${name}. You join the library of your own municipality.`,
}), 'postcode');

export const InvalidDetails = defineError('MEMBERSHIP_INVALID_DETAILS', 422, (_fields: FieldError[]) => ({
  nl: 'Niet alle gegevens zijn goed ingevuld.',
  en: 'Some details are not filled in correctly.',
}), (fields: FieldError[]) => fields);

export const NoCardSeries = defineError('MEMBERSHIP_NO_CARD_SERIES', 409, () => ({
  nl: 'Deze bibliotheek kan nog geen pasjes uitgeven. Neem contact op met de bibliotheek.',
  en: 'This library cannot issue cards yet. Please contact the library.',
}));

export const AlreadyMember = defineError('MEMBERSHIP_ALREADY_MEMBER', 409, () => ({
  nl: 'U hebt al een lidmaatschap met uitlenen.',
  en: 'You already have a lending membership.',
}));

export const MemberNotFound = defineError('MEMBERSHIP_MEMBER_NOT_FOUND', 404, () => ({
  nl: 'Dit lid bestaat niet (bij deze bibliotheek).',
  en: 'This member does not exist (at this library).',
}));

export const ReasonRequired = defineError('MEMBERSHIP_REASON_REQUIRED', 422, () => ({
  nl: 'Kies waarom u de gegevens van dit lid bekijkt.',
  en: 'Choose why you are looking at this member\'s data.',
}), 'reason');
