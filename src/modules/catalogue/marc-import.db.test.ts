// MARC 21 import on a real database: every fixture file (each record imported with the text its
// MARCXML or UTF-8 twin gives, or reported with a reason), idempotent re-imports, broken records
// without partial rows, and a library's copies from holdings fields.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/connection.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { libraryId } from '../../../test/support/catalogue-factory.ts';
import { makeBarcodeForTest } from '../../../test/support/barcode.ts';
import { findTitle } from './catalogue.repository.ts';
import { encodeIso2709, type RawField } from './iso2709-writer.ts';
import { importMarcRecords, type ImportReport } from './marc-import.service.ts';
import { mapMarcRecord } from './marc-map.ts';
import { readIso2709, readMarcFile, readMarcXml, type ReadResult } from './marc-reader.ts';
import { exportMarcXml } from './marc-export.service.ts';
import { testConfig } from '../../platform/config.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/marc21');

let db: Db;
let k: Kysely<Database>;
before(async () => {
  db = await testDatabase();
  k = db.kysely;
});
after(async () => { await db.close(); });

async function* bytes(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

const importFile = (file: string, target: Parameters<typeof importMarcRecords>[2] = { kind: 'national' }) =>
  importMarcRecords(k, readMarcFile(path.join(FIXTURES, file)), target, { refreshSearchStatistics: false });

async function readAll(file: string): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of readMarcFile(path.join(FIXTURES, file))) out.push(r);
  return out;
}

/** What the catalogue holds for a record: the title row's text and its contributors in order. */
async function stored(sourceId: string, owner: string | null = null) {
  const t = await k.selectFrom('title').selectAll().where('source', '=', 'marc').where('sourceId', '=', sourceId)
    .where((eb) => (owner ? eb('ownerLibraryId', '=', owner) : eb('ownerLibraryId', 'is', null))).executeTakeFirst();
  if (!t) return null;
  const people = await k.selectFrom('titleContributor as tc').innerJoin('contributor as c', 'c.id', 'tc.contributorId')
    .select(['c.name', 'tc.role']).where('tc.titleId', '=', t.id).orderBy('tc.position').execute();
  const { updatedAt: _u, createdAt: _c, searchVector: _s, ...text } = t;
  return { ...text, contributors: people };
}

async function counts() {
  const { rows } = await sql<{ titles: number; works: number; contributors: number; links: number; items: number }>`
    select (select count(*) from title)::int as titles, (select count(*) from work)::int as works,
           (select count(*) from contributor)::int as contributors, (select count(*) from title_contributor)::int as links,
           (select count(*) from item)::int as items`.execute(k);
  return rows[0]!;
}

const F008 = '200101s2020    ne            000 1 dut d';
function record(id: string, title: string, extra: RawField[] = [], author = 'Haasse, Hella S.,'): Buffer {
  return encodeIso2709('     nam a22     4a 4500', [
    { tag: '001', value: id }, { tag: '003', value: 'NL-TEST' }, { tag: '008', value: F008 },
    { tag: '100', ind1: '1', ind2: ' ', subfields: [['a', author], ['4', 'aut']] },
    { tag: '245', ind1: '1', ind2: '0', subfields: [['a', `${title} /`], ['c', 'Hella S. Haasse.']] },
    ...extra,
  ]);
}

describe('every MARC 21 fixture file', () => {
  test('twins: the MARC-8 or ISO 2709 record and its UTF-8 or MARCXML twin import to the same title', async () => {
    const pairs: [string, string][] = [
      ['marc4j/brkrtest.mrc', 'marc4j/brkrtest_UTF8.mrc'],
      ['marc4j/chabon.mrc', 'marc4j/chabon.xml'],
      ['marc4j/summerland.mrc', 'marc4j/summerland.xml'],
      ['marc4j/sample1.mrc', 'marc4j/sample1a.xml'],
      ['pymarc/utf8_with_leader_flag.dat', 'pymarc/utf8_without_leader_flag.dat'],
    ];
    for (const [a, b] of pairs) {
      const first = await importFile(a);
      const ids = (await readAll(a)).filter((r) => r.record).map((r) => { try { return mapMarcRecord(r.record!).sourceId; } catch { return null; } })
        .filter((x): x is string => x !== null);
      const before = await Promise.all(ids.map((id) => stored(id)));
      assert.ok(before.every(Boolean), a);
      const second = await importFile(b);
      assert.equal(second.updated + second.imported + second.failedCount, (await readAll(b)).length, b);
      const afterwards = await Promise.all(ids.map((id) => stored(id)));
      assert.deepEqual(afterwards, before, `${a} ↔ ${b}`);
      assert.ok(first.imported + first.updated > 0);
    }
  });

  test('each record of every file is imported with the text it carries, or reported with position and reason; nothing crashes', async () => {
    let files = 0;
    let records = 0;
    let failed = 0;
    for (const dir of fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory()).sort()) {
      for (const name of fs.readdirSync(path.join(FIXTURES, dir)).sort()) {
        if (!/\.(mrc|dat|marc|xml)$/.test(name)) continue;
        files++;
        const file = `${dir}/${name}`;
        const read = await readAll(file);
        const report = await importFile(file);
        // every record is counted once: imported, updated or failed
        assert.equal(report.imported + report.updated + report.failedCount, read.length, file);
        records += read.length;
        failed += report.failedCount;
        for (const f of report.failed) {
          assert.ok(f.record >= 1 && f.offset >= 0 && f.reason.length > 10, `${file}: ${JSON.stringify(f)}`);
          assert.ok(read[f.record - 1], `${file}: record ${f.record} exists`);
          assert.equal(read[f.record - 1]!.position.offset, f.offset, `${file}: record ${f.record} offset`);
        }
        // the stored text is what the record says (the last record with a source id wins in a file
        // that repeats one)
        const expected = new Map<string, ReturnType<typeof mapMarcRecord>>();
        for (const r of read) {
          if (!r.record) continue;
          try { const t = mapMarcRecord(r.record); expected.set(t.sourceId, t); } catch { /* reported above */ }
        }
        for (const [sourceId, t] of expected) {
          const row = await stored(sourceId);
          assert.ok(row, `${file}: ${sourceId} stored`);
          assert.equal(row.title, t.title, `${file}: ${sourceId}`);
          assert.equal(row.title, row.title.normalize('NFC'));
          assert.deepEqual(row.contributors.map((c) => c.name), t.contributors.map((c) => c.name), `${file}: ${sourceId}`);
          assert.equal(row.format, t.format);
          assert.equal(row.isbn, t.isbn);
          assert.equal(row.description, t.description);
        }
      }
    }
    assert.equal(files, 84);
    assert.ok(records > 2900, `${records} records`);
    assert.ok(failed > 1000 && failed < records / 2, `${failed} failed (the authority and holdings records, UNIMARC, broken and EACC records)`);

    // spot checks of MARC-8 text as it lands in the catalogue
    assert.equal((await stored('OCoLC:13810341'))?.title, 'La-Torah vela-moʻadim');
    assert.equal((await stored('OCoLC:13810341'))?.contributors[0]?.name, 'Shelomoh Yosef Zeṿin'.normalize('NFC'));
    assert.equal((await stored('SIRSI:u5960229'))?.title, 'Hē agora stē Mesogeio');
    assert.equal((await stored('SIRSI:u6015439'))?.title, 'Vor, shpion i ubiĭt͡sa'.normalize('NFC'));
    assert.equal((await stored('000538819'))?.title, 'Люди с чистой совестью');
    // the authority records are reported as such
    const auth = await importFile('evergreen/auth-subset100.mrc');
    assert.equal(auth.failedCount, 17);
    assert.match(auth.failed[0]!.reason, /authority record, not a bibliographic record/);
    // EACC (CJK) is reported as unsupported, per record
    const cjk = await importFile('pymarc/bad_eacc_encoding.dat');
    assert.match(cjk.failed[0]!.reason, /unsupported MARC-8 character set EACC/);
  });
});

describe('idempotent re-import', () => {
  test('importing the same files twice changes no row counts and counts the records as updated', async () => {
    const once = [await importFile('evergreen/lul_fre_100.mrc'), await importFile('marc4j/chabon.mrc')];
    const before = await counts();
    const twice = [await importFile('evergreen/lul_fre_100.mrc'), await importFile('marc4j/chabon.mrc')];
    assert.deepEqual(await counts(), before);
    assert.deepEqual(twice.map((r) => [r.imported, r.updated]), [[0, 100], [0, 2]]);
    assert.ok(once.every((r) => r.failedCount === 0));
  });

  test('a changed record updates its title in place', async () => {
    await importMarcRecords(k, readIso2709(bytes(record('upd-1', 'Het woud der verwachting'))), { kind: 'national' });
    const before = await counts();
    const second = await importMarcRecords(k, readIso2709(bytes(record('upd-1', 'Het woud der verwachting', [
      { tag: '520', ind1: ' ', ind2: ' ', subfields: [['a', 'Het leven van Charles d\'Orléans.']] },
      { tag: '700', ind1: '1', ind2: ' ', subfields: [['a', 'Ruyslinck, Ward'], ['e', 'inleiding']] },
    ]))), { kind: 'national' });
    assert.deepEqual([second.imported, second.updated], [0, 1]);
    const row = await stored('NL-TEST:upd-1');
    assert.equal(row?.description, 'Het leven van Charles d\'Orléans');
    assert.deepEqual(row?.contributors, [{ name: 'Hella S. Haasse', role: 'aut' }, { name: 'Ward Ruyslinck', role: 'win' }]);
    const now = await counts();
    assert.equal(now.titles, before.titles);
    assert.equal(now.links, before.links + 1);
  });

  test('a title joins the work of the demo title with the same title and author', async () => {
    const demo = await k.selectFrom('title').select(['workId', 'title', 'contributorNames']).where('source', '=', 'dbnl')
      .where('contributorNames', 'not like', '%;%').where('contributorNames', '!=', '').orderBy('id').executeTakeFirstOrThrow();
    const [surname, ...given] = demo.contributorNames.split(' ').reverse();
    await importMarcRecords(k, readIso2709(bytes(encodeIso2709('     nim a22     4a 4500', [
      { tag: '001', value: 'work-1' }, { tag: '007', value: 'sd fsngnnmmned' },
      { tag: '100', ind1: '1', ind2: ' ', subfields: [['a', `${surname}, ${given.reverse().join(' ')}`]] },
      { tag: '245', ind1: '1', ind2: '0', subfields: [['a', demo.title]] },
    ]))), { kind: 'national' });
    const row = await stored('work-1');
    assert.equal(row?.format, 'audio_cd');
    assert.equal(row?.workId, demo.workId);
  });
});

describe('broken records', () => {
  test('truncated, bad directory and bad leader length are reported with their position, and leave no rows', async () => {
    const good1 = record('brk-1', 'De verborgen bron');
    const truncated = record('brk-2', 'Oeroeg', [], 'Truncated, Tessa').subarray(0, 120);
    const badDirectory = Buffer.from(record('brk-3', 'Een nieuwer testament', [], 'Directory, Dirk'));
    badDirectory.write('x', 30, 'latin1');
    const badLength = Buffer.from(record('brk-4', 'Heren van de thee', [], 'Leader, Lena'));
    badLength.write('1x345', 0, 'latin1');
    const good5 = record('brk-5', 'De scharlaken stad');
    const before = await counts();
    const report: ImportReport = await importMarcRecords(k, readIso2709(bytes(Buffer.concat([good1, truncated, badDirectory, badLength, good5]))), { kind: 'national' });
    assert.deepEqual([report.imported, report.updated, report.failedCount], [2, 0, 3]);
    assert.deepEqual(report.failed.map((f) => [f.record, f.offset]), [
      [2, good1.length],
      [3, good1.length + truncated.length],
      [4, good1.length + truncated.length + badDirectory.length],
    ]);
    assert.match(report.failed[1]!.reason, /bad directory/);
    assert.match(report.failed[2]!.reason, /leader record length "1x345" is not a number/);
    const now = await counts();
    assert.equal(now.titles, before.titles + 2);
    assert.ok(await stored('NL-TEST:brk-1'));
    assert.ok(await stored('NL-TEST:brk-5'));
    const strays = await k.selectFrom('contributor').select('name').where('name', 'in', ['Tessa Truncated', 'Dirk Directory', 'Lena Leader']).execute();
    assert.deepEqual(strays, []);
  });

  test('a record the database refuses is rolled back alone: the rest of its batch is written', async () => {
    // the database's last word: a constraint this test adds refuses one title
    await sql`alter table title add constraint marc_test_refuses check (title <> 'Weigering')`.execute(k);
    try {
      const records = [record('db-1', 'Eerste'), record('db-2', 'Weigering', [], 'Weigeraar, Vera'), record('db-3', 'Derde')];
      const before = await counts();
      const report = await importMarcRecords(k, readIso2709(bytes(...records)), { kind: 'national' });
      assert.deepEqual([report.imported, report.failedCount], [2, 1]);
      assert.deepEqual([report.failed[0]!.record, report.failed[0]!.offset, report.failed[0]!.sourceId], [2, records[0]!.length, 'NL-TEST:db-2']);
      assert.match(report.failed[0]!.reason, /marc_test_refuses/);
      const now = await counts();
      assert.equal(now.titles, before.titles + 2);
      assert.equal(await stored('NL-TEST:db-2'), null);
      assert.deepEqual(await k.selectFrom('contributor').select('name').where('name', '=', 'Vera Weigeraar').execute(), []);
    } finally {
      await sql`alter table title drop constraint marc_test_refuses`.execute(k);
    }
  });
});

describe('a library import', () => {
  test('an e-book\'s holdings fields are left out copy by copy; a held book re-imported as an e-book is refused, whole', async () => {
    const utrecht = await libraryId(k, 'utrecht');
    const [branch] = await inTenant(k, utrecht, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', utrecht).orderBy('slug').execute());
    const online = { tag: '338', ind1: ' ', ind2: ' ', subfields: [['a', 'online resource'], ['b', 'cr']] } as RawField;
    const copy = (barcode: string) => ({ tag: '852', ind1: ' ', ind2: ' ', subfields: [['b', branch!.slug], ['h', 'R DIGI'], ['p', barcode]] }) as RawField;
    const ebookCopy = makeBarcodeForTest();
    const report = await importMarcRecords(k, readIso2709(bytes(record('lib-ebook', 'Digitale sterrenhemel', [online, copy(ebookCopy)]))), { kind: 'library', libraryId: utrecht });
    assert.deepEqual([report.imported, report.items.imported, report.warningCount], [1, 0, 1]);
    assert.match(report.warnings[0]!.reason, new RegExp(`copy "${ebookCopy}" left out: e-book titles have no physical copies`));
    assert.equal((await stored('NL-TEST:lib-ebook', utrecht))?.format, 'ebook');

    const bookCopy = makeBarcodeForTest();
    const book = await importMarcRecords(k, readIso2709(bytes(record('lib-held', 'Vaste sterrenhemel', [copy(bookCopy)]))), { kind: 'library', libraryId: utrecht });
    assert.deepEqual([book.imported, book.items.imported], [1, 1]);
    const again = await importMarcRecords(k, readIso2709(bytes(record('lib-held', 'Vaste sterrenhemel', [online]))), { kind: 'library', libraryId: utrecht });
    assert.deepEqual([again.updated, again.failedCount], [0, 1]);
    assert.match(again.failed[0]!.reason, /withdraw the copies first/);
    const held = await stored('NL-TEST:lib-held', utrecht);
    assert.equal(held?.format, 'book');
    const copies = await inTenant(k, utrecht, (tx) => tx.selectFrom('item').select('titleId').where('barcode', '=', bookCopy).execute());
    assert.deepEqual(copies.map((c) => c.titleId), [held!.id]);
  });

  test('holdings fields become the library\'s copies in its branches; a re-import updates them', async () => {
    const utrecht = await libraryId(k, 'utrecht');
    const branches = await inTenant(k, utrecht, (tx) => tx.selectFrom('branch').select(['id', 'slug', 'name']).where('libraryId', '=', utrecht).orderBy('slug').execute());
    const [a, b] = [makeBarcodeForTest(), makeBarcodeForTest()];
    const file = (shelf: string) => record('lib-1', 'Sterrenhemel boven Utrecht', [
      { tag: '852', ind1: ' ', ind2: ' ', subfields: [['a', 'Bibliotheek Utrecht'], ['b', branches[0]!.slug], ['h', shelf], ['p', a]] },
      { tag: '952', ind1: ' ', ind2: ' ', subfields: [['a', branches[1]!.name], ['o', 'J HAAS'], ['p', b], ['1', '1']] },
      { tag: '949', ind1: ' ', ind2: ' ', subfields: [['a', 'R HAAS'], ['i', '12345'], ['l', branches[0]!.slug]] },
      { tag: '852', ind1: ' ', ind2: ' ', subfields: [['b', 'Nergenshuizen'], ['p', makeBarcodeForTest()]] },
    ]);
    const national = await importMarcRecords(k, readIso2709(bytes(file('R HAAS'))), { kind: 'national' });
    assert.deepEqual(national.items, { imported: 0, updated: 0 }, 'a national import takes no copies');
    const first = await importMarcRecords(k, readIso2709(bytes(file('R HAAS'))), { kind: 'library', libraryId: utrecht });
    assert.deepEqual([first.imported, first.items.imported], [1, 2]);
    assert.equal(first.warningCount, 2);
    assert.match(first.warnings.map((w) => w.reason).join('\n'), /barcode "12345" left out/);
    assert.match(first.warnings.map((w) => w.reason).join('\n'), /branch "Nergenshuizen" is not a branch of this library/);
    const local = await stored('NL-TEST:lib-1', utrecht);
    assert.ok(local, 'a local title of the library');
    const copies = () => inTenant(k, utrecht, (tx) => tx.selectFrom('item').select(['barcode', 'branchId', 'shelf', 'status', 'titleId'])
      .where('barcode', 'in', [a, b]).orderBy('barcode').execute());
    const items = await copies();
    assert.deepEqual(items.map((i) => [i.barcode, i.branchId, i.titleId]).sort(), [[a, branches[0]!.id, local.id], [b, branches[1]!.id, local.id]].sort());
    assert.equal(items.find((i) => i.barcode === b)?.status, 'missing');
    const second = await importMarcRecords(k, readIso2709(bytes(file('R HAAS 2'))), { kind: 'library', libraryId: utrecht });
    assert.deepEqual([second.imported, second.updated, second.items.imported, second.items.updated], [0, 1, 0, 2]);
    assert.equal((await copies()).find((i) => i.barcode === a)?.shelf, 'R HAAS 2');
    // another library does not see the local title
    const amsterdam = await libraryId(k, 'amsterdam');
    assert.equal(await inTenant(k, amsterdam, (tx) => findTitle(tx, amsterdam, local.id)), undefined);
    assert.equal((await inTenant(k, utrecht, (tx) => findTitle(tx, utrecht, local.id)))?.title, 'Sterrenhemel boven Utrecht');
  });
});

describe('MARCXML export of a set', () => {
  test('the titles a library can see that match a query export with that library\'s copies, and read back', async () => {
    const utrecht = await libraryId(k, 'utrecht');
    const library = { id: utrecht, name: 'Bibliotheek Utrecht' };
    const chunks: string[] = [];
    for await (const piece of exportMarcXml(k, testConfig(), { library, query: 'sterrenhemel utrecht' })) chunks.push(piece);
    const records: ReadResult[] = [];
    for await (const r of readMarcXml(bytes(Buffer.from(chunks.join(''))))) records.push(r);
    // the national title imported from the same file above, and the library's local one
    assert.equal(records.length, 2);
    const titled = records.filter((r) => r.record!.fields.some((f) => 'subfields' in f && f.tag === '245' && f.subfields[0]![1] === 'Sterrenhemel boven Utrecht'));
    assert.equal(titled.length, 2);
    assert.deepEqual(titled.map((r) => r.record!.fields.filter((f) => f.tag === '852').length).sort(), [0, 2], 'the local title carries its two copies as 852 holdings');
    // another library sees only the national title, without Utrecht's copies
    const amsterdam = { id: await libraryId(k, 'amsterdam'), name: 'OBA' };
    const other: string[] = [];
    for await (const piece of exportMarcXml(k, testConfig(), { library: amsterdam, query: 'sterrenhemel utrecht' })) other.push(piece);
    assert.equal(other.filter((p) => p.startsWith('  <record>')).length, 1);
    assert.ok(!other.join('').includes('tag="852"'));
  });
});
