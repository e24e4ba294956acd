// Error catalogue of kiosk administration (the CLI shows the English text).
import { defineError } from '../../../platform/errors.ts';

export const KioskLibraryUnknown = defineError('SIP2_LIBRARY_UNKNOWN', 404, (slug: string) => ({
  nl: `Bibliotheek "${slug}" bestaat niet.`,
  en: `There is no library "${slug}".`,
}), 'library');

export const KioskBranchUnknown = defineError('SIP2_BRANCH_UNKNOWN', 422, (slug: string) => ({
  nl: `Vestiging "${slug}" hoort niet bij deze bibliotheek.`,
  en: `Branch "${slug}" does not belong to this library.`,
}), 'branch');

export const KioskLoginInvalid = defineError('SIP2_KIOSK_LOGIN_INVALID', 422, () => ({
  nl: 'Een kiosknaam heeft 2 tot 40 tekens: kleine letters, cijfers, punt, streepje of liggend streepje.',
  en: 'A kiosk login has 2 to 40 characters: lower-case letters, digits, dot, hyphen or underscore.',
}), 'login');

export const KioskInstitutionInvalid = defineError('SIP2_INSTITUTION_INVALID', 422, () => ({
  nl: 'Een instellingscode (AO) heeft 1 tot 40 letters, cijfers, punten of streepjes.',
  en: 'An institution id (AO) has 1 to 40 letters, digits, dots or hyphens.',
}), 'institution');

export const KioskExists = defineError('SIP2_KIOSK_EXISTS', 409, (login: string) => ({
  nl: `Er is al een kiosk "${login}" bij deze bibliotheek.`,
  en: `This library already has a kiosk "${login}".`,
}), 'login');
