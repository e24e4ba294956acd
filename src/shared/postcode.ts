// Dutch postcodes: four digits (first not 0) and optionally two letters. PostNL never issues
// the letter pairs SA, SD and SS. We accept "3511AB", "3511 ab", "3511" and surrounding spaces.

export type PostcodeParse =
  | { ok: true; pc4: string; letters: string | null; formatted: string }
  | { ok: false };

export function parsePostcode(input: string): PostcodeParse {
  const compact = input.trim().toUpperCase().replace(/\s+/g, '');
  const match = /^([1-9][0-9]{3})([A-Z]{2})?$/.exec(compact);
  if (!match) return { ok: false };
  const letters = match[2] ?? null;
  if (letters && ['SA', 'SD', 'SS'].includes(letters)) return { ok: false };
  const pc4 = match[1]!;
  return { ok: true, pc4, letters, formatted: letters ? `${pc4} ${letters}` : pc4 };
}
