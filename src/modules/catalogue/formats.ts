// The catalogue's code lists with their Dutch and English labels: formats, audiences, AVI levels,
// item statuses and the languages we name. Pure data; the migration's CHECK constraints list the
// same codes.
import type { LocalisedText } from '../../platform/errors.ts';

export const FORMATS = [
  'book', 'large_print', 'ebook', 'audiobook', 'audio_cd', 'magazine', 'dvd', 'bluray', 'game', 'sheet_music', 'map', 'other',
] as const;
export type FormatCode = (typeof FORMATS)[number];

export const FORMAT_INFO: Record<FormatCode, { label: LocalisedText; digital: boolean; schemaOrg: string | null }> = {
  book: { label: { nl: 'Boek', en: 'Book' }, digital: false, schemaOrg: 'https://schema.org/Hardcover' },
  large_print: { label: { nl: 'Groteletterboek', en: 'Large print' }, digital: false, schemaOrg: 'https://schema.org/Paperback' },
  ebook: { label: { nl: 'E-book', en: 'E-book' }, digital: true, schemaOrg: 'https://schema.org/EBook' },
  audiobook: { label: { nl: 'Luisterboek', en: 'Audiobook' }, digital: true, schemaOrg: 'https://schema.org/AudiobookFormat' },
  audio_cd: { label: { nl: 'Luisterboek op cd', en: 'Audiobook on CD' }, digital: false, schemaOrg: 'https://schema.org/AudiobookFormat' },
  magazine: { label: { nl: 'Tijdschrift', en: 'Magazine' }, digital: false, schemaOrg: null },
  dvd: { label: { nl: 'Dvd', en: 'DVD' }, digital: false, schemaOrg: null },
  bluray: { label: { nl: 'Blu-ray', en: 'Blu-ray' }, digital: false, schemaOrg: null },
  game: { label: { nl: 'Game', en: 'Game' }, digital: false, schemaOrg: null },
  sheet_music: { label: { nl: 'Bladmuziek', en: 'Sheet music' }, digital: false, schemaOrg: null },
  map: { label: { nl: 'Kaart', en: 'Map' }, digital: false, schemaOrg: null },
  other: { label: { nl: 'Overig', en: 'Other' }, digital: false, schemaOrg: null },
};

export const DIGITAL_FORMATS = FORMATS.filter((f) => FORMAT_INFO[f].digital);

export const AUDIENCES = ['toddlers', 'children', 'young_adults', 'adults'] as const;
export type AudienceCode = (typeof AUDIENCES)[number];
export const AUDIENCE_LABEL: Record<AudienceCode, LocalisedText> = {
  toddlers: { nl: 'Peuters en kleuters (0–6)', en: 'Toddlers (0–6)' },
  children: { nl: 'Kinderen (6–12)', en: 'Children (6–12)' },
  young_adults: { nl: 'Jongeren (12–18)', en: 'Young adults (12–18)' },
  adults: { nl: 'Volwassenen', en: 'Adults' },
};

/** AVI reading levels in reading order (AVI-Nieuw: M = mid-year, E = end of school year). */
export const AVI_LEVELS = ['Start', 'M3', 'E3', 'M4', 'E4', 'M5', 'E5', 'M6', 'E6', 'M7', 'E7', 'Plus'] as const;
export type AviLevel = (typeof AVI_LEVELS)[number];

export const ITEM_STATUSES = ['available', 'on_loan', 'in_transit', 'on_hold_shelf', 'in_processing', 'missing', 'withdrawn'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ITEM_STATUS_LABEL: Record<ItemStatus, LocalisedText> = {
  available: { nl: 'Aanwezig', en: 'Available' },
  on_loan: { nl: 'Uitgeleend', en: 'On loan' },
  in_transit: { nl: 'Onderweg', en: 'In transit' },
  on_hold_shelf: { nl: 'Gereserveerd', en: 'Reserved' },
  in_processing: { nl: 'In bewerking', en: 'Being processed' },
  missing: { nl: 'Vermist', en: 'Missing' },
  withdrawn: { nl: 'Afgevoerd', en: 'Withdrawn' },
};

/** Languages (ISO 639-2/B) we give a name; others show their code. */
export const LANGUAGE_LABEL: Record<string, LocalisedText> = {
  dut: { nl: 'Nederlands', en: 'Dutch' },
  fry: { nl: 'Fries', en: 'Frisian' },
  eng: { nl: 'Engels', en: 'English' },
  ger: { nl: 'Duits', en: 'German' },
  fre: { nl: 'Frans', en: 'French' },
  spa: { nl: 'Spaans', en: 'Spanish' },
  ara: { nl: 'Arabisch', en: 'Arabic' },
  tur: { nl: 'Turks', en: 'Turkish' },
  pol: { nl: 'Pools', en: 'Polish' },
  ukr: { nl: 'Oekraïens', en: 'Ukrainian' },
  lat: { nl: 'Latijn', en: 'Latin' },
  rus: { nl: 'Russisch', en: 'Russian' },
  gre: { nl: 'Grieks', en: 'Greek' },
  heb: { nl: 'Hebreeuws', en: 'Hebrew' },
};

export function languageLabel(code: string | null, lang: 'nl' | 'en'): string {
  if (!code) return lang === 'nl' ? 'Onbekend' : 'Unknown';
  return LANGUAGE_LABEL[code]?.[lang] ?? code;
}

/** MARC relator codes we name; others show their code. */
export const ROLE_LABEL: Record<string, LocalisedText> = {
  aut: { nl: 'auteur', en: 'author' },
  ill: { nl: 'illustrator', en: 'illustrator' },
  trl: { nl: 'vertaler', en: 'translator' },
  edt: { nl: 'redacteur', en: 'editor' },
  nrt: { nl: 'verteller', en: 'narrator' },
  cmp: { nl: 'componist', en: 'composer' },
  drt: { nl: 'regisseur', en: 'director' },
  ctb: { nl: 'medewerker', en: 'contributor' },
};

/**
 * What describes a title, the same whether it is read from the catalogue or from a MARC record
 * (contributors apart: their shape differs per use).
 */
export interface TitleDescription {
  format: FormatCode;
  title: string;
  subtitle: string | null;
  language: string | null;
  year: number | null;
  yearDisplay: string | null;
  edition: string | null;
  publisher: string | null;
  series: string | null;
  seriesNumber: string | null;
  genres: string[];
  subjects: string[];
  audience: AudienceCode | null;
  aviLevel: AviLevel | null;
  isbn: string | null;
  ppn: string | null;
  description: string | null;
}
