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

export const BarcodeTaken = defineError('CATALOGUE_BARCODE_TAKEN', 409, () => ({
  nl: 'Deze barcode is al in gebruik voor een ander exemplaar van deze bibliotheek.',
  en: 'This barcode is already used for another copy at this library.',
}), 'barcode');

export const PpnInvalid = defineError('CATALOGUE_PPN_INVALID', 400, () => ({
  nl: 'Dit is geen geldig PPN: acht cijfers en een controleteken.',
  en: 'This is not a valid PPN: eight digits and a check character.',
}), 'ppn');

export const BranchUnknown = defineError('CATALOGUE_BRANCH_UNKNOWN', 400, () => ({
  nl: 'Deze vestiging bestaat niet bij deze bibliotheek.',
  en: 'This branch does not exist at this library.',
}), 'branch');

export const CurationForbidden = defineError('CATALOGUE_CURATION_FORBIDDEN', 403, () => ({
  nl: 'U mag de catalogus van deze bibliotheek niet wijzigen.',
  en: 'You may not change the catalogue of this library.',
}));

export const NationalTitleReadOnly = defineError('CATALOGUE_NATIONAL_TITLE_READ_ONLY', 403, () => ({
  nl: 'Titels uit de landelijke catalogus kunt u niet wijzigen; alleen eigen (lokale) titels en exemplaren.',
  en: 'Titles of the national catalogue cannot be changed here; only your own local titles and copies.',
}));

export const AviNeedsChildren = defineError('CATALOGUE_AVI_NEEDS_CHILDREN', 422, () => ({
  nl: 'Een AVI-niveau hoort bij kinderboeken: kies als doelgroep kinderen.',
  en: 'An AVI level belongs to children\'s books: choose children as the audience.',
}), 'aviLevel');

export const ItemOnLoan = defineError('CATALOGUE_ITEM_ON_LOAN', 409, () => ({
  nl: 'Dit exemplaar is uitgeleend, ligt klaar voor een reservering of is onderweg; dat verandert alleen via de uitleen.',
  en: 'This copy is on loan, waiting for a hold or in transit; only lending changes that.',
}), 'status');

const DIGITAL_TITLE_COPY = {
  nl: 'Een e-book of luisterboek (digitaal) heeft geen fysieke exemplaren. Zet het exemplaar bij de titel van het boek of de cd.',
  en: 'An e-book or audiobook (digital) has no physical copies. Put the copy on the title of the book or the CD.',
};

/**
 * A copy on an e-book or audiobook (the database's title_digital_has_no_copies, migration 0107),
 * next to the field that asked for it: the title of a new copy, the status of one brought back.
 */
export const DigitalTitleCopy = defineError('CATALOGUE_DIGITAL_TITLE_COPY', 422, (_field: 'titleId' | 'status' = 'titleId') => DIGITAL_TITLE_COPY,
  (field: 'titleId' | 'status' = 'titleId') => [{ field, message: DIGITAL_TITLE_COPY }]);

/** A title with copies turned into an e-book or audiobook (title_digital_has_no_copies). */
export const DigitalFormatHeld = defineError('CATALOGUE_DIGITAL_FORMAT_HELD', 422, () => ({
  nl: 'Deze titel heeft exemplaren, en een e-book of luisterboek (digitaal) heeft die niet. Kies een fysieke vorm, of voer de exemplaren eerst af.',
  en: 'This title has copies, and an e-book or audiobook (digital) has none. Choose a physical format, or withdraw the copies first.',
}), 'format');
