import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isbn13CheckDigitFor, normaliseIsbn, parseIsbn } from './isbn.ts';

describe('ISBN', () => {
  test('an ISBN-13 in any written form normalises to 13 digits', () => {
    assert.equal(normaliseIsbn('978-0-306-40615-7'), '9780306406157');
    assert.equal(normaliseIsbn(' ISBN 978 0 306 40615 7 '), '9780306406157');
    assert.equal(normaliseIsbn('ISBN-13: 978-0-306-40615-7'), '9780306406157');
  });

  test('an ISBN-10 becomes the 978 ISBN-13 with a recomputed check digit', () => {
    assert.deepEqual(parseIsbn('0-306-40615-2'), { ok: true, isbn13: '9780306406157', isbn10: '0306406152' });
    // X check digit (mod 11 = 10)
    assert.equal(normaliseIsbn('0-8044-2957-X'), '9780804429573');
    assert.equal(normaliseIsbn('080442957x'), '9780804429573');
  });

  test('a MARC 020 qualifier after the number is ignored', () => {
    assert.equal(normaliseIsbn('9780306406157 (gebonden)'), '9780306406157');
    assert.equal(normaliseIsbn('0306406152 : ƒ 24,95'), '9780306406157');
  });

  test('a wrong check digit is refused, for ISBN-10 and ISBN-13', () => {
    assert.deepEqual(parseIsbn('978-0-306-40615-8'), { ok: false, reason: 'check_digit' });
    assert.deepEqual(parseIsbn('0-306-40615-3'), { ok: false, reason: 'check_digit' });
  });

  test('wrong lengths, letters and non-book prefixes are refused', () => {
    assert.equal(parseIsbn('12345').ok, false);
    assert.equal(parseIsbn('').ok, false);
    assert.equal(parseIsbn('97803064061X7').ok, false);
    assert.deepEqual(parseIsbn('5901234123457'), { ok: false, reason: 'prefix' }); // an EAN, not an ISBN
  });

  test('979 ISBNs have no ISBN-10 form', () => {
    const body = '979102000000';
    const r = parseIsbn(body + isbn13CheckDigitFor(body));
    assert.ok(r.ok && r.isbn10 === null);
  });

  test('every ISBN-10 round-trips to an ISBN-13 whose ISBN-10 is the original (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{9}$/), (nine) => {
      let sum = 0;
      for (let i = 0; i < 9; i++) sum += (10 - i) * Number(nine[i]);
      const c = (11 - (sum % 11)) % 11;
      const isbn10 = nine + (c === 10 ? 'X' : String(c));
      const r = parseIsbn(isbn10);
      assert.ok(r.ok);
      assert.equal(r.isbn10, isbn10);
      assert.equal(parseIsbn(r.isbn13).ok, true);
    }));
  });

  test('changing any one digit of a valid ISBN-13 makes it invalid (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^97[89][0-9]{9}$/), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 9 }), (first12, pos, delta) => {
      const valid = first12 + isbn13CheckDigitFor(first12);
      const changed = valid.slice(0, pos) + String((Number(valid[pos]) + delta) % 10) + valid.slice(pos + 1);
      assert.equal(parseIsbn(changed).ok, false, `${valid} → ${changed}`);
    }));
  });
});
