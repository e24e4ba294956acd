// MARC-8 → Unicode: the public parallel fixture (pymarc's test_marc8.txt / test_utf8.txt, 1,515
// lines of Arabic, Hebrew and CJK), and each character set with hand-built byte strings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeMarc8, Marc8Error } from './marc8.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/marc21');
const ESC = '\x1b';
const bytes = (s: string) => Buffer.from(s, 'latin1');
const decode = (s: string) => decodeMarc8(bytes(s));

describe('MARC-8 decoding', () => {
  test('every line of the parallel MARC-8/UTF-8 fixture decodes to its UTF-8 twin, or is refused as EACC', () => {
    const marc8 = fs.readFileSync(path.join(FIXTURES, 'pymarc/test_marc8.txt'));
    const utf8 = fs.readFileSync(path.join(FIXTURES, 'pymarc/test_utf8.txt'), 'utf8').split('\n');
    let start = 0;
    let line = 0;
    let same = 0;
    let eacc = 0;
    for (let i = 0; i <= marc8.length; i++) {
      if (i < marc8.length && marc8[i] !== 0x0a) continue;
      const source = marc8.subarray(start, i);
      const expected = (utf8[line] ?? '').normalize('NFC');
      if (source.includes(Buffer.from(`${ESC}$1`, 'latin1'))) {
        assert.throws(() => decodeMarc8(source), (e: Error) => e instanceof Marc8Error && /EACC/.test(e.message), `line ${line + 1}`);
        eacc++;
      } else {
        assert.equal(decodeMarc8(source), expected, `line ${line + 1}`);
        same++;
      }
      start = i + 1;
      line++;
    }
    assert.equal(line, 1516);
    assert.ok(same > 500, `${same} lines compared`);
    assert.ok(eacc > 900);
  });

  test('ANSEL combining marks come before the letter in MARC-8 and after it (composed) in Unicode', () => {
    assert.equal(decode('Caf\xe2e'), 'Café');
    assert.equal(decode('\xa1\xe2od\xe2z'), 'Łódź');
    assert.equal(decode('L\xe8owenbr\xe8au'), 'Löwenbräu');
    assert.equal(decode('\xf0ca va'), 'ça va');
    // two marks on one letter keep their order: circumflex then dot below → ệ
    assert.equal(decode('\xe3\xf2e'), 'ệ');
    assert.equal(decode('\xb5r\xa2d \xb2re \xb4ann \xc3 \xb9 5'), 'ærØd øre þann © £ 5');
    // the ligature halves become one double inverted breve after the first letter
    assert.equal(decode('\xebt\xecs'), 't\u0361s');
    assert.equal(decode('\xfan\xfbgalan'), 'n\u0360galan');
  });

  test('basic and extended Cyrillic', () => {
    assert.equal(decode(`${ESC}(NwOR, [PION I UBIJCA${ESC}(B`), 'Вор, шпион и убийца');
    assert.equal(decode(`${ESC}(NrUSSKIJ${ESC}(B`), 'Русский');
    assert.equal(decode(`${ESC}(Q\x64${ESC}(N\x4c\x4b\x49${ESC}(B`), 'Ёлки');
    assert.equal(decode(`${ESC})Q\xe6\xc6`), 'Іі');
  });

  test('basic Greek with accents and breathings before the letter, and the Greek symbols', () => {
    assert.equal(decode(`${ESC}(SAkjpa${ESC}(B`), 'Αθηνα');
    assert.equal(decode(`${ESC}(Sadru"a${ESC}(B`), 'αγορά');
    assert.equal(decode(`${ESC}(S&Rojurw${ESC}(B`), 'Ὁμηρος');
    assert.equal(decode(`${ESC}ga${ESC}s-particles`), 'α-particles');
  });

  test('basic Hebrew and basic Arabic', () => {
    assert.equal(decode(`${ESC}(2lzexd${ESC}(B`), 'לתורה');
    assert.equal(decode(`${ESC}(2vd"l${ESC}(B`), 'צה״ל');
    assert.equal(decode(`${ESC}(3YhOI,${ESC}(B`), 'عودة،');
  });

  test('subscripts and superscripts', () => {
    assert.equal(decode(`H${ESC}b2${ESC}sO`), 'H₂O');
    assert.equal(decode(`E=mc${ESC}p2${ESC}s`), 'E=mc²');
    assert.equal(decode(`x${ESC}p(2+1)${ESC}s`), 'x⁽²⁺¹⁾');
  });

  test('numeric character references carry characters MARC-8 has no code for', () => {
    assert.equal(decode('caf&#x00E9; &#x20AC;5'), 'café €5');
    assert.equal(decode(`${ESC}(S\x22${ESC}(B&#x03B1;`), 'ά');
  });

  test('what it cannot map exactly is refused with the position, never guessed', () => {
    assert.throws(() => decode(`ab${ESC}$1!0!`), /unsupported MARC-8 character set EACC .* at byte 2/);
    assert.throws(() => decode(`${ESC}(4abc`), /extended Arabic/);
    assert.throws(() => decode(`ok${ESC}(Zx`), /unknown MARC-8 escape sequence .* at byte 2/);
    assert.throws(() => decode('a\xafb'), /byte 0xaf is not assigned in ANSEL/);
    assert.throws(() => decode(`${ESC}pn`), /not assigned in superscripts/);
    assert.throws(() => decode('x\x07'), /control character 0x07 at byte 1/);
    assert.throws(() => decode(`x${ESC}`), /escape at the end/);
  });
});
