// How a person's name files in an index (MARC 100/700 $a, the catalogue's sort_name). Pure.

const PARTICLES = new Set(['van', 'de', 'der', 'den', 'het', 'ten', 'ter', 'te', "'t", 'la', 'le', 'du', 'des', 'von', 'zu', 'op', 'in', "d'"]);

/**
 * How a name files: "Simon Vestdijk" → "Vestdijk, Simon"; Dutch particles go after the given
 * names ("Hendrik van Veldeke" → "Veldeke, Hendrik van"); one word stays as it is ("Multatuli").
 */
export function sortName(name: string): string {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return name.trim();
  const last = words.length - 1;
  // the particles sit between the given names and the surname
  let start = last;
  while (start > 1 && PARTICLES.has(words[start - 1]!.toLowerCase())) start--;
  const surname = words[last]!;
  const given = words.slice(0, start).join(' ');
  const particles = words.slice(start, last).join(' ');
  return `${surname}, ${given}${particles ? ` ${particles}` : ''}`;
}
