import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { luhnCheckDigit, makeBarcode, normalisePpn, parseBarcode, ppnCheckCharacter } from './identifiers.ts';

describe('item barcodes', () => {
  test('a barcode with a correct Luhn check digit is accepted, spaces and hyphens ignored', () => {
    assert.equal(luhnCheckDigit('7992739871'), '3'); // the textbook Luhn example
    assert.deepEqual(parseBarcode('79927398713'), { ok: true, barcode: '79927398713' });
    assert.deepEqual(parseBarcode(' 7992-7398 713 '), { ok: true, barcode: '79927398713' });
  });

  test('a misread digit is refused with the check-digit reason', () => {
    assert.deepEqual(parseBarcode('79927398714'), { ok: false, reason: 'check_digit' });
  });

  test('too short, too long and non-numeric barcodes are refused', () => {
    assert.equal(parseBarcode('1234567').ok, false);
    assert.equal(parseBarcode('123456789012345').ok, false);
    assert.deepEqual(parseBarcode('ABC12345678'), { ok: false, reason: 'format' });
  });

  test('made barcodes are valid, and any single-digit change is caught (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{7,13}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, at, delta) => {
      const code = makeBarcode(payload);
      assert.equal(parseBarcode(code).ok, true);
      const pos = at % code.length;
      const changed = code.slice(0, pos) + String((Number(code[pos]) + delta) % 10) + code.slice(pos + 1);
      assert.equal(parseBarcode(changed).ok, false);
    }));
  });
});

describe('PPN', () => {
  test('a PPN with a correct check character is normalised, with or without a prefix', () => {
    const ppn = `12345678${ppnCheckCharacter('12345678')}`;
    assert.equal(normalisePpn(ppn), ppn);
    assert.equal(normalisePpn(`PPN ${ppn}`), ppn);
    assert.equal(normalisePpn(`(NL-LeOCL)${ppn}`), ppn);
  });

  test('the check character X stands for 10', () => {
    const eight = Array.from({ length: 100000 }, (_, i) => String(10000000 + i)).find((e) => ppnCheckCharacter(e) === 'X')!;
    assert.equal(normalisePpn(`${eight}x`), `${eight}X`);
  });

  test('a PPN with a wrong check character or length is refused', () => {
    const good = `12345678${ppnCheckCharacter('12345678')}`;
    const bad = `12345678${good[8] === '0' ? '1' : '0'}`;
    assert.equal(normalisePpn(bad), null);
    assert.equal(normalisePpn('1234567'), null);
  });
});
