import { defineError } from '../../platform/errors.ts';

export const PostcodeInvalid = defineError('NETWORK_POSTCODE_INVALID', 400, () => ({
  nl: 'Vul een geldige postcode in, bijvoorbeeld 3511 AB of 3511.',
  en: 'Enter a valid Dutch postcode, for example 3511 AB or 3511.',
}), 'postcode');

export const PostcodeUnknown = defineError('NETWORK_POSTCODE_UNKNOWN', 404, (formatted: string) => ({
  nl: `Postcode ${formatted} kennen we niet. Controleer de postcode of zoek uw bibliotheek op naam.`,
  en: `We do not know postcode ${formatted}. Check the postcode or find your library by name.`,
}), 'postcode');

export const PostcodeNotResidential = defineError('NETWORK_POSTCODE_NOT_RESIDENTIAL', 404, (formatted: string) => ({
  nl: `Postcode ${formatted} is een postbus- of bedrijvenpostcode zonder gemeente. Vul uw woonadres in of zoek uw bibliotheek op naam.`,
  en: `Postcode ${formatted} is a post-box or business postcode without a municipality. Enter your home postcode or find your library by name.`,
}), 'postcode');

export const LibraryNotFound = defineError('NETWORK_LIBRARY_NOT_FOUND', 404, () => ({
  nl: 'Deze bibliotheek bestaat niet.',
  en: 'This library does not exist.',
}));

export const BranchNotFound = defineError('NETWORK_BRANCH_NOT_FOUND', 404, () => ({
  nl: 'Deze vestiging bestaat niet.',
  en: 'This branch does not exist.',
}));
