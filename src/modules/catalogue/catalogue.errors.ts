import { defineError } from '../../platform/errors.ts';

export const TitleNotFound = defineError('CATALOGUE_TITLE_NOT_FOUND', 404, () => ({
  nl: 'Deze titel staat niet in de catalogus van deze bibliotheek.',
  en: 'This title is not in the catalogue of this library.',
}));

export const ItemNotFound = defineError('CATALOGUE_ITEM_NOT_FOUND', 404, () => ({
  nl: 'Dit exemplaar bestaat niet bij deze bibliotheek.',
  en: 'This copy does not exist at this library.',
}));

export const IsbnInvalid = defineError('CATALOGUE_ISBN_INVALID', 400, () => ({
  nl: 'Dit is geen geldig ISBN. Controleer de cijfers; het laatste cijfer is een controlecijfer.',
  en: 'This is not a valid ISBN. Check the digits; the last one is a check digit.',
}), 'isbn');

export const BarcodeInvalid = defineError('CATALOGUE_BARCODE_INVALID', 400, () => ({
  nl: 'Deze barcode klopt niet: 8 tot 14 cijfers met een controlecijfer aan het eind.',
  en: 'This barcode is not valid: 8 to 14 digits ending in a check digit.',
}), 'barcode');
