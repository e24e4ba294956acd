// The streaming MARC readers: the ISO 2709 / MARCXML twins among the fixtures read to the same
// fields, broken records are reported with their position while the rest is read, and memory does
// not grow with the file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { encodeIso2709, type RawField } from './iso2709-writer.ts';
import { readIso2709, readMarcFile, readMarcXml, type ReadResult } from './marc-reader.ts';
import { marcxmlCollection } from './marcxml.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/marc21');

async function readAll(file: string): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of readMarcFile(path.join(FIXTURES, file))) out.push(r);
  return out;
}

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

async function collect(it: AsyncIterable<ReadResult>): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const f001 = (r: ReadResult) => r.record?.fields.find((f) => f.tag === '001' && 'value' in f);
const id = (r: ReadResult) => { const f = f001(r); return f && 'value' in f ? f.value : undefined; };

function book(n: number, title = `Titel ${n}`): Buffer {
  const fields: RawField[] = [
    { tag: '001', value: `rec${n}` },
    { tag: '008', value: '200101s2020    ne            000 1 dut d' },
    { tag: '100', ind1: '1', ind2: ' ', subfields: [['a', 'Vestdijk, Simon,'], ['4', 'aut']] },
    { tag: '245', ind1: '1', ind2: '0', subfields: [['a', `${title} /`], ['c', 'Simon Vestdijk.']] },
    { tag: '520', ind1: ' ', ind2: ' ', subfields: [['a', 'Een roman over de zee, de wind en een vuurtoren aan de kust van Zeeland. '.repeat(4)]] },
  ];
  return encodeIso2709('     nam a22     4a 4500', fields);
}

describe('the ISO 2709 and MARCXML twins read to the same records', () => {
  const pairs: [string, string][] = [
    ['marc4j/brkrtest.mrc', 'marc4j/brkrtest_UTF8.mrc'],
    ['marc4j/chabon.mrc', 'marc4j/chabon.xml'],
    ['marc4j/summerland.mrc', 'marc4j/summerland.xml'],
    ['marc4j/sample1.mrc', 'marc4j/sample1a.xml'],
    ['marcjs/bib.mrc', 'marcjs/bib.xml'],
    ['pymarc/utf8_with_leader_flag.dat', 'pymarc/utf8_without_leader_flag.dat'],
  ];
  for (const [a, b] of pairs) {
    test(`${a} and ${b}`, async () => {
      const left = await readAll(a);
      const right = await readAll(b);
      // matched by control number: sample1a.xml holds a record more than sample1.mrc
      const byId = new Map(right.filter((r) => r.record).map((r) => [id(r) ?? '', r]));
      let compared = 0;
      for (const l of left) {
        if (!l.record) continue;
        const r = byId.get(id(l) ?? '');
        assert.ok(r?.record, `${a} record ${l.position.record} has a twin`);
        assert.deepEqual(l.record.fields, r.record.fields, `${a} record ${l.position.record}`);
        compared++;
      }
      assert.ok(compared >= 1);
    });
  }

  test('MARC-8 diacritics, Cyrillic, Greek and Hebrew come out as NFC UTF-8', async () => {
    const text = (r: ReadResult, tag: string, nth = 0) => {
      const f = r.record!.fields.filter((x) => x.tag === tag)[nth]!;
      return 'value' in f ? f.value : f.subfields.map(([, v]) => v).join('|');
    };
    const brkr = await readAll('marc4j/brkrtest.mrc');
    assert.equal(brkr[0]!.encoding, 'marc8');
    const diacritics = brkr.map((r) => r.record!.fields.filter((f) => f.tag === '500').map((f) => ('subfields' in f ? f.subfields[0]![1] : '')).join('\n')).join('\n');
    for (const word of ['Łódź', 'København', 'Löwenbräu', 'mañana', 'Tōkyo', 'časopis'.slice(0, 0) + 'črny', 'ça va comme ça', 'vietą', 'időszaki', 'Sở', 'årbok', 'di\u0361adi\u0361a']) {
      assert.ok(diacritics.includes(word.normalize('NFC')), word);
    }
    assert.equal(diacritics, diacritics.normalize('NFC'));

    const cyrillic = await readAll('marc4j/cyrillic_capital_e.mrc');
    assert.equal(cyrillic[0]!.encoding, 'marc8');
    assert.equal(text(cyrillic[0]!, '880', 1), '245-02/(N|Вор, шпион и убийца /|Юрий Буйда.');

    const hebrew = await readAll('evergreen/hebrew.marc');
    assert.equal(text(hebrew[0]!, '880', 0), '245-01/(2/r|לתורה בלמועדים :|רסיסי הגיונות');
    // record 18 has a DEL byte inside Hebrew text: reported, not guessed
    assert.match(hebrew[17]!.error ?? '', /field 880 \$a: byte 0x7f is not MARC-8/);
    assert.equal(hebrew.filter((r) => r.record).length, 19);

    const greek = await readAll('marc4j/greekmissingcharsetchange.mrc');
    // record 2 is MARC-8 (with numeric character references inside Greek), record 3 the same in UTF-8
    assert.equal(greek[1]!.encoding, 'marc8');
    assert.equal(greek[2]!.encoding, 'utf8');
    assert.equal(text(greek[1]!, '880', 0), text(greek[2]!, '880', 0));
    assert.match(text(greek[1]!, '880', 0), /Η αγορά στη Μεσόγειο/);
    assert.match(greek[0]!.error ?? '', /not assigned in basic Greek/);

    const french = await readAll('evergreen/lul_fre_100.mrc');
    assert.equal(french.length, 100);
    assert.ok(french.every((r) => r.record && r.encoding === 'marc8'));
    const all = french.map((r) => JSON.stringify(r.record!.fields)).join('');
    for (const w of ['Québec', 'Montréal', 'français']) assert.ok(all.includes(w), w);
  });
});

describe('broken records', () => {
  test('a truncated record, a bad directory and a bad leader length are reported with their position; the rest is read', async () => {
    const good1 = book(1);
    const truncated = book(2).subarray(0, 100);
    const good3 = book(3);
    const badDirectory = Buffer.from(book(4));
    badDirectory.write('x', 30, 'latin1'); // a letter inside the length of the first directory entry
    const badLength = Buffer.from(book(5));
    badLength.write('12a45', 0, 'latin1');
    const good6 = book(6);
    const file = Buffer.concat([good1, truncated, good3, badDirectory, badLength, good6]);
    const results = await collect(readIso2709(chunks(file.subarray(0, 700), file.subarray(700))));
    assert.deepEqual(results.map((r) => [r.position.record, r.position.offset, r.error ? 'error' : id(r)]), [
      [1, 0, 'rec1'],
      [2, good1.length, 'error'],
      [3, good1.length + 100, 'rec3'],
      [4, good1.length + 100 + good3.length, 'error'],
      [5, good1.length + 100 + good3.length + badDirectory.length, 'error'],
      [6, good1.length + 100 + good3.length + badDirectory.length + badLength.length, 'rec6'],
    ]);
    assert.match(results[1]!.error!, /truncated|cut short|directory/);
    assert.match(results[3]!.error!, /bad directory/);
    assert.match(results[4]!.error!, /leader record length "12a45" is not a number/);
  });

  test('a file that ends inside a record reports it as truncated', async () => {
    const good = book(1);
    const results = await collect(readIso2709(chunks(good, book(2).subarray(0, 200))));
    assert.equal(results.length, 2);
    assert.equal(id(results[0]!), 'rec1');
    assert.deepEqual(results[1]!.position, { record: 2, offset: good.length });
    assert.match(results[1]!.error!, /truncated/);
  });

  test('invalid UTF-8 in a UTF-8 record is reported with the field', async () => {
    const bad = encodeIso2709('     nam a22     4a 4500', [
      { tag: '001', value: 'x' },
      { tag: '100', ind1: '1', ind2: ' ', subfields: [['a', 'Brontë, Anne']] },
      { tag: '245', ind1: '0', ind2: '0', subfields: [['a', Buffer.from([0x41, 0xc3, 0x28, 0x42])]] },
    ]);
    const [r] = await collect(readIso2709(chunks(bad)));
    assert.match(r!.error!, /field 245 \$a: invalid UTF-8/);
    const [fixture] = await readAll('ruby-marc/utf8_with_bad_bytes.marc');
    assert.match(fixture!.error!, /invalid UTF-8/);
  });

  test('every fixture file is read without a crash, and every record is either read or reported', async () => {
    const fs = await import('node:fs');
    let files = 0;
    for (const dir of fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory())) {
      for (const name of fs.readdirSync(path.join(FIXTURES, dir))) {
        if (!/\.(mrc|dat|marc|xml)$/.test(name)) continue;
        files++;
        const raw = fs.readFileSync(path.join(FIXTURES, dir, name));
        const expected = name.endsWith('.xml') ? (raw.toString('utf8').match(/<(\w+:)?record[\s>]/g) ?? []).length : raw.filter((b) => b === 0x1d).length;
        const results = await readAll(`${dir}/${name}`);
        assert.ok(results.length >= expected, `${dir}/${name}: ${results.length} results for ${expected} records`);
        for (const r of results) {
          assert.ok(r.record || (r.error && r.error.length > 10), `${dir}/${name} record ${r.position.record}`);
          assert.ok(r.position.offset >= 0 && r.position.offset < raw.length);
        }
      }
    }
    assert.equal(files, 84);
  });
});

describe('streaming', () => {
  const gc = (() => { v8.setFlagsFromString('--expose-gc'); return vm.runInNewContext('gc') as () => void; })();
  const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };

  test('an ISO 2709 file is read one record at a time: memory does not grow with the file', async () => {
    const RECORDS = 40_000; // about 24 MB
    let produced = 0;
    let producedAtFirstRecord = -1;
    async function* file(): AsyncGenerator<Buffer> {
      for (let i = 0; i < RECORDS; i += 100) {
        produced++;
        yield Buffer.concat(Array.from({ length: 100 }, (_, k) => book(i + k)));
      }
    }
    let n = 0;
    let bytes = 0;
    let early = 0;
    for await (const r of readIso2709(file())) {
      if (n === 0) producedAtFirstRecord = produced;
      assert.ok(r.record, r.error);
      n++;
      bytes += 600;
      if (n === 2_000) early = heap();
    }
    const late = heap();
    assert.equal(n, RECORDS);
    // the reader pulled one chunk before handing out the first record: it does not read ahead
    assert.equal(producedAtFirstRecord, 1);
    assert.ok(bytes > 20_000_000);
    assert.ok(late - early < 8_000_000, `heap grew ${((late - early) / 1e6).toFixed(1)} MB over a ${(bytes / 1e6).toFixed(0)} MB file`);
  });

  test('MARCXML is split into records while streaming, also when chunks cut a tag or a multibyte character', async () => {
    const xml = Buffer.from(marcxmlCollection([
      { leader: '00000nam a2200000 i 4500', fields: [{ tag: '001', value: 'één' }, { tag: '245', ind1: '0', ind2: '0', subfields: [['a', 'Ελληνικά & Русский']] }] },
      { leader: '00000nam a2200000 i 4500', fields: [{ tag: '001', value: 'twee' }] },
    ]).replace(/<(\/?)(record|leader|controlfield|datafield|subfield|collection)/g, '<$1marc:$2').replace('xmlns=', 'xmlns:marc='));
    const whole = await collect(readMarcXml(chunks(xml)));
    const bytewise = await collect(readMarcXml(chunks(...Array.from(xml, (b) => Buffer.from([b])))));
    assert.equal(whole.length, 2);
    assert.deepEqual(bytewise, whole);
    assert.equal(id(whole[0]!), 'één');
    assert.deepEqual(whole[0]!.record!.fields[1], { tag: '245', ind1: '0', ind2: '0', subfields: [['a', 'Ελληνικά & Русский']] });
    assert.equal(whole[1]!.position.offset, xml.indexOf('<marc:record>', xml.indexOf('</marc:record>')));
  });

  test('a MARCXML record that is not well-formed is reported and the next one is read', async () => {
    const xml = '<collection><record><leader>00000nam a2200000 i 4500</leader><datafield tag="245"><subfield code="a">A</datafield></record>'
      + '<record><leader>00000nam a2200000 i 4500</leader><controlfield tag="001">ok</controlfield></record></collection>';
    const results = await collect(readMarcXml(chunks(Buffer.from(xml))));
    assert.match(results[0]!.error!, /malformed XML/);
    assert.equal(id(results[1]!), 'ok');
  });
});
