// Password rules (NIST SP 800-63B style): 12–128 characters, any characters (spaces and emoji
// too), no composition rules, but not a known common password or a trivial variation of one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const listFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../db/reference/passwords/common-passwords.txt');
let common: Set<string> | null = null;

function commonPasswords(): Set<string> {
  common ??= new Set(fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean));
  return common;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** Length in characters as a person counts them (code points, not UTF-16 units). */
function length(s: string): number {
  return [...s].length;
}

export function passwordProblem(password: string): PasswordProblem | null {
  const n = length(password);
  if (n < PASSWORD_MIN) return 'too_short';
  if (n > PASSWORD_MAX) return 'too_long';
  const lower = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(lower)) return 'common';
  // one character repeated
  if (/^(.)\1*$/u.test(lower)) return 'common';
  // a listed password followed by digits or punctuation only: "password1234", "welkom01!!"
  const base = lower.replace(/[\d\W_]+$/u, '');
  if (base.length >= 4 && base !== lower && list.has(base)) return 'common';
  // a listed password (or any short chunk) repeated: "welkomwelkom", "abcabcabcabc"
  for (let size = 1; size <= n / 2; size++) {
    if (n % size === 0 && lower.slice(0, size).repeat(n / size) === lower) return 'common';
  }
  return null;
}
