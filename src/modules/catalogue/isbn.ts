// ISBN (ISO 2108): normalise any written form to ISBN-13 and validate check digits. An ISBN-10
// becomes the 978-prefixed ISBN-13 with a recomputed check digit; ISBN-10 check digits are mod 11
// (X = 10), ISBN-13 check digits are mod 10 with weights 1,3,1,3…
export type IsbnResult =
  | { ok: true; isbn13: string; isbn10: string | null }
  | { ok: false; reason: 'format' | 'check_digit' | 'prefix' };

function isbn10CheckDigit(first9: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (10 - i) * Number(first9[i]);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function isbn13CheckDigit(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(first12[i]);
  return String((10 - (sum % 10)) % 10);
}

/**
 * Accepts "978-90-214-5906-7", "90 214 5906 3", "isbn 9789021459067", "0-306-40615-2";
 * spaces, hyphens and an "ISBN" label are ignored. MARC 020 $a often carries a qualifier after the
 * number ("9789021459067 (gebonden)"): only the first word counts.
 */
export function parseIsbn(input: string): IsbnResult {
  const first = input.trim().replace(/^isbn(-1[03])?:?\s*/i, '').split(/\s*[(;:]|\s{1,}(?=[^0-9xX-])/)[0] ?? '';
  const compact = first.replace(/[\s-]/g, '').toUpperCase();
  if (/^[0-9]{9}[0-9X]$/.test(compact)) {
    if (isbn10CheckDigit(compact.slice(0, 9)) !== compact[9]) return { ok: false, reason: 'check_digit' };
    const body = `978${compact.slice(0, 9)}`;
    return { ok: true, isbn13: body + isbn13CheckDigit(body), isbn10: compact };
  }
  if (/^[0-9]{13}$/.test(compact)) {
    if (!compact.startsWith('978') && !compact.startsWith('979')) return { ok: false, reason: 'prefix' };
    if (isbn13CheckDigit(compact.slice(0, 12)) !== compact[12]) return { ok: false, reason: 'check_digit' };
    const isbn10 = compact.startsWith('978') ? compact.slice(3, 12) + isbn10CheckDigit(compact.slice(3, 12)) : null;
    return { ok: true, isbn13: compact, isbn10 };
  }
  return { ok: false, reason: 'format' };
}

/** The normalised ISBN-13, or null when the input is not a valid ISBN. */
export function normaliseIsbn(input: string): string | null {
  const r = parseIsbn(input);
  return r.ok ? r.isbn13 : null;
}

/** 9789021459067 → 978-90-214-5906-7 is publisher-range dependent; we show plain 13 digits. */
export function isbn13CheckDigitFor(first12: string): string {
  if (!/^[0-9]{12}$/.test(first12)) throw new Error('twelve digits expected');
  return isbn13CheckDigit(first12);
}
