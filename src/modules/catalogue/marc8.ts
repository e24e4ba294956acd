// MARC-8 → Unicode (NFC). MARC-8 is the legacy character coding of MARC 21 records (leader/09
// blank): ISO 2022-style graphic sets switched by escape sequences, with ANSEL extended Latin as
// the default G1 set. The tables below are written from the Library of Congress "MARC 21
// Specifications for Record Structure, Character Sets, and Exchange Media", Part 3 (the code
// tables), for the sets Dutch public libraries meet in exchange files: ASCII, ANSEL (extended
// Latin, all combining diacritics), basic and extended Cyrillic, basic Greek, Greek symbols,
// subscripts, superscripts, basic Hebrew and basic Arabic.
//
// Decision: EACC (the East Asian character set, final character '1', 15,000 three-byte codes)
// and extended Arabic are not tabulated. A record that switches to one of them is reported as
// "unsupported MARC-8 character set", never imported with missing or guessed characters. A byte
// that a supported set leaves unassigned is reported the same way, with its position.
//
// Combining marks precede their base letter in MARC-8 ("e" with acute is E2 65); Unicode puts
// them after it. The decoder holds marks until the next base character, then NFC composes.
// The two-part marks (ligature and double tilde, first and second half) become the single
// Unicode double-width marks U+0361 and U+0360 after the first letter, as the Library of
// Congress's MARC-8 to UCS mapping recommends; the second half then has no character of its own.

export class Marc8Error extends Error {}

type Table = Map<number, string>;

function table(entries: [number, number | string][]): Table {
  return new Map(entries.map(([b, u]) => [b, typeof u === 'number' ? String.fromCodePoint(u) : u]));
}

/** Characters of a set that are combining marks (non-spacing, placed before the base in MARC-8). */
const COMBINING = /\p{M}/u;

/** ASCII punctuation and digits 0x21–0x3F that the non-Latin sets carry over unchanged. */
function asciiRange(from: number, to: number, except: number[] = []): [number, number][] {
  const out: [number, number][] = [];
  for (let b = from; b <= to; b++) if (!except.includes(b)) out.push([b, b]);
  return out;
}

// ANSEL (final 'E'), by 7-bit position: as G1 (the default) the bytes are 0xA1–0xFE.
const ANSEL = table([
  [0x21, 0x0141], [0x22, 0x00d8], [0x23, 0x0110], [0x24, 0x00de], [0x25, 0x00c6], [0x26, 0x0152], [0x27, 0x02b9],
  [0x28, 0x00b7], [0x29, 0x266d], [0x2a, 0x00ae], [0x2b, 0x00b1], [0x2c, 0x01a0], [0x2d, 0x01af], [0x2e, 0x02bc],
  [0x30, 0x02bb], [0x31, 0x0142], [0x32, 0x00f8], [0x33, 0x0111], [0x34, 0x00fe], [0x35, 0x00e6], [0x36, 0x0153],
  [0x37, 0x02ba], [0x38, 0x0131], [0x39, 0x00a3], [0x3a, 0x00f0], [0x3c, 0x01a1], [0x3d, 0x01b0],
  [0x40, 0x00b0], [0x41, 0x2113], [0x42, 0x2117], [0x43, 0x00a9], [0x44, 0x266f], [0x45, 0x00bf], [0x46, 0x00a1],
  [0x47, 0x00df], [0x48, 0x20ac],
  // combining diacritics
  [0x60, 0x0309], [0x61, 0x0300], [0x62, 0x0301], [0x63, 0x0302], [0x64, 0x0303], [0x65, 0x0304], [0x66, 0x0306],
  [0x67, 0x0307], [0x68, 0x0308], [0x69, 0x030c], [0x6a, 0x030a], [0x6b, 0x0361], [0x6c, ''], [0x6d, 0x0315],
  [0x6e, 0x030b], [0x6f, 0x0310], [0x70, 0x0327], [0x71, 0x0328], [0x72, 0x0323], [0x73, 0x0324], [0x74, 0x0325],
  [0x75, 0x0333], [0x76, 0x0332], [0x77, 0x0326], [0x78, 0x031c], [0x79, 0x032e], [0x7a, 0x0360], [0x7b, ''],
  [0x7e, 0x0313],
]);

const ASCII = table(asciiRange(0x21, 0x7e));

// Basic Cyrillic (final 'N'): ASCII punctuation and digits, then lower case at 0x40–0x5F and
// upper case at 0x60–0x7E in the KOI-7 order (ю а б ц д е ф г х и й …).
const CYRILLIC_ORDER_LOWER = 'юабцдефгхийклмнопярстужвьызшэщчъ';
const CYRILLIC_ORDER_UPPER = 'ЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧ';
const BASIC_CYRILLIC = table([
  ...asciiRange(0x21, 0x3f),
  ...[...CYRILLIC_ORDER_LOWER].map((c, i): [number, string] => [0x40 + i, c]),
  ...[...CYRILLIC_ORDER_UPPER].map((c, i): [number, string] => [0x60 + i, c]),
]);

// Extended Cyrillic (final 'Q'): the letters of Ukrainian, Belarusian, Serbian, Macedonian and
// pre-1918 Russian, and the capital hard sign that basic Cyrillic has no room for.
const EXTENDED_CYRILLIC = table([
  [0x40, 0x0491], [0x41, 0x0452], [0x42, 0x0453], [0x43, 0x0454], [0x44, 0x0451], [0x45, 0x0455], [0x46, 0x0456],
  [0x47, 0x0457], [0x48, 0x0458], [0x49, 0x0459], [0x4a, 0x045a], [0x4b, 0x045b], [0x4c, 0x045c], [0x4d, 0x045e],
  [0x4e, 0x045f], [0x50, 0x0463], [0x51, 0x0473], [0x52, 0x0475], [0x53, 0x046b], [0x5b, 0x005b], [0x5d, 0x005d],
  [0x5f, 0x005f], [0x60, 0x0490], [0x61, 0x0402], [0x62, 0x0403], [0x63, 0x0404], [0x64, 0x0401], [0x65, 0x0405],
  [0x66, 0x0406], [0x67, 0x0407], [0x68, 0x0408], [0x69, 0x0409], [0x6a, 0x040a], [0x6b, 0x040b], [0x6c, 0x040c],
  [0x6d, 0x040e], [0x6e, 0x040f], [0x6f, 0x042a], [0x70, 0x0462], [0x71, 0x0472], [0x72, 0x0474], [0x73, 0x046a],
]);

// Basic Greek (final 'S'): accents and breathings (combining, before the letter), quotation
// marks, numeral signs, the letters with the archaic stigma, digamma, koppa and sampi.
const BASIC_GREEK = table([
  [0x21, 0x0300], [0x22, 0x0301], [0x23, 0x0308], [0x24, 0x0342], [0x25, 0x0313], [0x26, 0x0314], [0x27, 0x0345],
  [0x28, 0x0028], [0x29, 0x0029], [0x2a, 0x002a], [0x2b, 0x002b], [0x2c, 0x002c], [0x2d, 0x002d], [0x2e, 0x002e],
  [0x2f, 0x002f],
  [0x30, 0x00ab], [0x31, 0x00bb], [0x32, 0x201c], [0x33, 0x201d], [0x34, 0x0374], [0x35, 0x0375],
  [0x3a, 0x003a], [0x3b, 0x0387], [0x3c, 0x003c], [0x3d, 0x003d], [0x3e, 0x003e], [0x3f, 0x037e],
  [0x41, 0x0391], [0x42, 0x0392], [0x44, 0x0393], [0x45, 0x0394], [0x46, 0x0395], [0x47, 0x03da], [0x48, 0x03dc],
  [0x49, 0x0396], [0x4a, 0x0397], [0x4b, 0x0398], [0x4c, 0x0399], [0x4d, 0x039a], [0x4e, 0x039b], [0x4f, 0x039c],
  [0x50, 0x039d], [0x51, 0x039e], [0x52, 0x039f], [0x53, 0x03a0], [0x54, 0x03de], [0x55, 0x03a1], [0x56, 0x03a3],
  [0x58, 0x03a4], [0x59, 0x03a5], [0x5a, 0x03a6], [0x5b, 0x03a7], [0x5c, 0x03a8], [0x5d, 0x03a9], [0x5e, 0x03e0],
  [0x61, 0x03b1], [0x62, 0x03b2], [0x63, 0x03d0], [0x64, 0x03b3], [0x65, 0x03b4], [0x66, 0x03b5], [0x67, 0x03db],
  [0x68, 0x03dd], [0x69, 0x03b6], [0x6a, 0x03b7], [0x6b, 0x03b8], [0x6c, 0x03b9], [0x6d, 0x03ba], [0x6e, 0x03bb],
  [0x6f, 0x03bc], [0x70, 0x03bd], [0x71, 0x03be], [0x72, 0x03bf], [0x73, 0x03c0], [0x74, 0x03df], [0x75, 0x03c1],
  [0x76, 0x03c3], [0x77, 0x03c2], [0x78, 0x03c4], [0x79, 0x03c5], [0x7a, 0x03c6], [0x7b, 0x03c7], [0x7c, 0x03c8],
  [0x7d, 0x03c9], [0x7e, 0x03e1],
]);

// Greek symbols (final 'g', also ESC g): alpha, beta, gamma as used in scientific titles.
const GREEK_SYMBOLS = table([[0x61, 0x03b1], [0x62, 0x03b2], [0x63, 0x03b3]]);

// Subscripts (final 'b', ESC b) and superscripts (final 'p', ESC p).
const SUBSCRIPTS = table([
  [0x28, 0x208d], [0x29, 0x208e], [0x2b, 0x208a], [0x2d, 0x208b],
  ...Array.from({ length: 10 }, (_, d): [number, number] => [0x30 + d, 0x2080 + d]),
]);
const SUPERSCRIPTS = table([
  [0x28, 0x207d], [0x29, 0x207e], [0x2b, 0x207a], [0x2d, 0x207b], [0x30, 0x2070], [0x31, 0x00b9], [0x32, 0x00b2],
  [0x33, 0x00b3], ...Array.from({ length: 6 }, (_, d): [number, number] => [0x34 + d, 0x2074 + d]),
]);

// Basic Hebrew (final '2'): letters (finals in Unicode order) at 0x60–0x7A, maqaf, geresh and
// gershayim, the Yiddish ligatures. Vowel points are not tabulated (none of our sources use them):
// a record with one is reported rather than guessed.
const BASIC_HEBREW = table([
  ...asciiRange(0x21, 0x3f, [0x22, 0x27, 0x2d]),
  [0x22, 0x05f4], [0x27, 0x05f3], [0x2d, 0x05be],
  ...Array.from({ length: 27 }, (_, i): [number, number] => [0x60 + i, 0x05d0 + i]),
  [0x7b, 0x05f0], [0x7c, 0x05f1], [0x7d, 0x05f2],
]);

// Basic Arabic (final '3'): Arabic comma, semicolon and question mark, Arabic-Indic digits, the
// letters in Unicode order, tatweel and the harakat (combining, before the letter they mark).
const BASIC_ARABIC = table([
  ...asciiRange(0x21, 0x2f, [0x25, 0x2c]), [0x25, 0x066a], [0x2c, 0x060c],
  ...Array.from({ length: 10 }, (_, d): [number, number] => [0x30 + d, 0x0660 + d]),
  [0x3a, 0x003a], [0x3b, 0x061b], [0x3c, 0x003c], [0x3d, 0x003d], [0x3e, 0x003e], [0x3f, 0x061f],
  ...Array.from({ length: 26 }, (_, i): [number, number] => [0x41 + i, 0x0621 + i]),
  [0x5b, 0x005b], [0x5d, 0x005d], [0x60, 0x0640],
  ...Array.from({ length: 10 }, (_, i): [number, number] => [0x61 + i, 0x0641 + i]),
  [0x6b, 0x064b], [0x6c, 0x064c], [0x6d, 0x064d], [0x6e, 0x064e], [0x6f, 0x064f], [0x70, 0x0650], [0x71, 0x0651],
  [0x72, 0x0652], [0x73, 0x0671], [0x74, 0x0670],
]);

/** Graphic sets by their ISO 2022 final character. */
const SETS: Record<string, { name: string; table: Table }> = {
  B: { name: 'ASCII', table: ASCII },
  s: { name: 'ASCII', table: ASCII },
  E: { name: 'ANSEL extended Latin', table: ANSEL },
  N: { name: 'basic Cyrillic', table: BASIC_CYRILLIC },
  Q: { name: 'extended Cyrillic', table: EXTENDED_CYRILLIC },
  S: { name: 'basic Greek', table: BASIC_GREEK },
  g: { name: 'Greek symbols', table: GREEK_SYMBOLS },
  b: { name: 'subscripts', table: SUBSCRIPTS },
  p: { name: 'superscripts', table: SUPERSCRIPTS },
  '2': { name: 'basic Hebrew', table: BASIC_HEBREW },
  '3': { name: 'basic Arabic', table: BASIC_ARABIC },
};

const UNSUPPORTED: Record<string, string> = {
  '1': 'EACC (Chinese, Japanese, Korean)',
  '4': 'extended Arabic',
};

function setFor(final: string, offset: number): { name: string; table: Table } {
  const set = SETS[final];
  if (set) return set;
  const name = UNSUPPORTED[final];
  throw new Marc8Error(name
    ? `unsupported MARC-8 character set ${name} at byte ${offset}`
    : `unknown MARC-8 escape sequence (final character ${JSON.stringify(final)}) at byte ${offset}`);
}

/**
 * Decodes the bytes of one field (or subfield) from MARC-8. Every field starts in the default
 * state (G0 ASCII, G1 ANSEL), as the MARC 21 specification requires of writers; escapes switch
 * sets within it. Throws Marc8Error with the byte offset for anything it cannot map exactly.
 */
export function decodeMarc8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let g0 = SETS.B!;
  let g1 = SETS.E!;
  let out = '';
  let marks = '';
  const emit = (ch: string) => {
    if (ch === '') return;
    if (COMBINING.test(ch)) {
      marks += ch;
    } else {
      out += ch + marks;
      marks = '';
    }
  };
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      const next = bytes[i + 1];
      if (next === undefined || i + 1 >= end) throw new Marc8Error(`escape at the end of the field at byte ${i}`);
      const c = String.fromCharCode(next);
      if (c === 'g' || c === 'b' || c === 'p' || c === 's') {
        // technique 1: the locking shifts to Greek symbols, subscripts, superscripts and back to ASCII
        g0 = setFor(c, i);
        i += 2;
        continue;
      }
      if (c === '(' || c === ',') { g0 = setFor(String.fromCharCode(bytes[i + 2] ?? 0), i); i += 3; continue; }
      if (c === ')' || c === '-') { g1 = setFor(String.fromCharCode(bytes[i + 2] ?? 0), i); i += 3; continue; }
      if (c === '$') {
        // multibyte sets: ESC $ F, ESC $ ( F, ESC $ , F (G0) or ESC $ ) F, ESC $ - F (G1); only EACC exists
        const third = String.fromCharCode(bytes[i + 2] ?? 0);
        const final = '(),-'.includes(third) ? String.fromCharCode(bytes[i + 3] ?? 0) : third;
        setFor(final, i);
      }
      throw new Marc8Error(`unknown MARC-8 escape sequence at byte ${i}`);
    }
    if (b === 0x20) { emit(' '); i++; continue; }
    if (b < 0x20) {
      // control characters other than the structure's own have no place in field data
      throw new Marc8Error(`control character 0x${b.toString(16).padStart(2, '0')} at byte ${i}`);
    }
    if (b === 0x26 && g0.table === ASCII) {
      // MARC-8 carries characters it has no code for as numeric character references
      // (&#xXXXX;), the "lossless" convention of the MARC 21 character set specification; the
      // reference is one character, so marks written before it belong to it
      const ncr = /^&#x([0-9a-fA-F]{1,6});/.exec(String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 10))));
      const cp = ncr ? parseInt(ncr[1]!, 16) : 0;
      if (ncr && cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
        emit(String.fromCodePoint(cp));
        i += ncr[0].length;
        continue;
      }
    }
    if (b >= 0x21 && b <= 0x7e) {
      const ch = g0.table.get(b);
      if (ch === undefined) throw new Marc8Error(`byte 0x${b.toString(16)} is not assigned in ${g0.name} at byte ${i}`);
      emit(ch);
      i++;
      continue;
    }
    if (b >= 0xa1 && b <= 0xfe) {
      const ch = g1.table.get(b & 0x7f);
      if (ch === undefined) throw new Marc8Error(`byte 0x${b.toString(16)} is not assigned in ${g1.name} at byte ${i}`);
      emit(ch);
      i++;
      continue;
    }
    // C1 controls that MARC-8 uses: joiners, and non-sort begin/end (kept as U+0098/U+009C so the
    // mapping can drop the non-filing text markers)
    const c1 = b === 0x8d ? '\u200d' : b === 0x8e ? '\u200c' : b === 0x88 ? '\u0098' : b === 0x89 ? '\u009c' : null;
    if (c1 === null) throw new Marc8Error(`byte 0x${b.toString(16)} is not MARC-8 at byte ${i}`);
    out += c1;
    i++;
  }
  // marks with nothing after them stay with the text before them
  out += marks;
  return out.normalize('NFC');
}
