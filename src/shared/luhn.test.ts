import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLuhnValid, luhnCheckDigit } from './luhn.ts';

test('known Luhn numbers', () => {
  assert.equal(luhnCheckDigit('7992739871'), 3);
  assert.ok(isLuhnValid('79927398713'));
  assert.ok(!isLuhnValid('79927398710'));
});

test('every single-digit error is detected', () => {
  fc.assert(fc.property(fc.stringMatching(/^\d{13}$/), fc.nat(12), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
    const number = body + luhnCheckDigit(body);
    const digits = number.split('');
    digits[pos] = String((Number(digits[pos]) + delta) % 10);
    return !isLuhnValid(digits.join(''));
  }));
});
