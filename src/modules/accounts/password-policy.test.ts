import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordProblem } from './password-policy.ts';

test('12 to 128 characters of any kind are accepted', () => {
  assert.equal(passwordProblem('paard batterij nietje'), null);
  assert.equal(passwordProblem('Ünïcødé 🐴 lange zin!'), null);
  assert.equal(passwordProblem('x'.repeat(11) + 'y'), null);
  assert.equal(passwordProblem('ab'.repeat(63) + 'yz'), null);
});

test('shorter or longer is refused, counting characters not bytes', () => {
  assert.equal(passwordProblem('elf tekens!'), 'too_short');
  assert.equal(passwordProblem('🐴🐴🐴🐴🐴🐴🐴🐴🐴🐴🐴'), 'too_short');
  assert.equal(passwordProblem('a'.repeat(129)), 'too_long');
});

test('common passwords and trivial variations are refused', () => {
  for (const p of ['qwerty123456', '1qaz2wsx3edc', 'wachtwoord123', 'password1234', 'welkomwelkom', 'aaaaaaaaaaaa', 'Bibliotheek1!!!!', 'abcabcabcabc']) {
    assert.equal(passwordProblem(p), 'common', p);
  }
});
