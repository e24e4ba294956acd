// Identifiers of the catalogue other than ISBN: item barcodes and PPNs.
//
// Item barcodes: Dutch public libraries label copies with numeric (Codabar/Code 128) barcodes of
// 8 to 14 digits whose last digit is a Luhn (mod 10) check digit, so a mistyped or misread barcode
// is caught at the desk before it reaches a loan.
//
// PPN: the Pica Production Number of the Dutch union catalogue (GGC/NBC): eight digits and a check
// character computed mod 11 with weights 9…2 over the digits (X = 10).

export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // double every second digit counting from the right of the payload
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export type BarcodeResult = { ok: true; barcode: string } | { ok: false; reason: 'format' | 'check_digit' };

export function parseBarcode(input: string): BarcodeResult {
  const compact = input.trim().replace(/[\s-]/g, '');
  if (!/^[0-9]{8,14}$/.test(compact)) return { ok: false, reason: 'format' };
  if (luhnCheckDigit(compact.slice(0, -1)) !== compact.slice(-1)) return { ok: false, reason: 'check_digit' };
  return { ok: true, barcode: compact };
}

/** A barcode from a payload of 7–13 digits (demo data, new labels). */
export function makeBarcode(payload: string): string {
  if (!/^[0-9]{7,13}$/.test(payload)) throw new Error('barcode payload must be 7 to 13 digits');
  return payload + luhnCheckDigit(payload);
}

export function ppnCheckCharacter(eight: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(eight[i]);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** "PPN 123456789", "(NL-LeOCL)12345678X" → the nine characters, or null when invalid. */
export function normalisePpn(input: string): string | null {
  const compact = input.trim().replace(/^\((?:[A-Za-z-]+)\)/, '').replace(/^ppn:?\s*/i, '').replace(/\s/g, '').toUpperCase();
  if (!/^[0-9]{8}[0-9X]$/.test(compact)) return null;
  return ppnCheckCharacter(compact.slice(0, 8)) === compact[8] ? compact : null;
}
