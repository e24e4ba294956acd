import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLuhnValid } from '../../shared/luhn.ts';
import { cardNumber, formatCard } from './card.ts';

test('a card number is prefix, serial and a valid check digit', () => {
  const n = cardNumber('20007', 42);
  assert.match(n, /^2000700000042\d$/);
  assert.ok(isLuhnValid(n));
  assert.equal(formatCard(n), `20007 0000 0042 ${n.slice(-1)}`);
});
