// The catalogue on a real database: the demo seed, local-title visibility, items under tenancy,
// and the title API and page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../platform/db/tenant.ts';
import { systemCtx, type Ctx } from '../../platform/context.ts';
import type { AppError } from '../../platform/errors.ts';
import { addItem, createLocalTitle, getTitle } from './catalogue.service.ts';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildItem, buildTitle, libraryId } from '../../../test/support/catalogue-factory.ts';
import { makeBarcodeForTest } from '../../../test/support/barcode.ts';

let t: TestApp;
let utrecht: string;
let amsterdam: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db.kysely, 'utrecht');
  amsterdam = await libraryId(t.db.kysely, 'amsterdam');
});
after(async () => { await t.close(); });

const get = (url: string, html = false) => t.app.inject({ url, headers: html ? { accept: 'text/html' } : {} });

describe('the demo catalogue', () => {
  test('holds the 5,800 DBNL titles as national titles, and their open editions as national e-books', async () => {
    const rows = await sql<{ format: string; n: number; national: number; open: number }>`
      select format, count(*)::int as n, count(*) filter (where owner_library_id is null)::int as national,
             count(open_access_url)::int as open
      from title where source = 'dbnl' group by format order by format`.execute(t.db.kysely);
    const by = Object.fromEntries(rows.rows.map((r) => [r.format, r]));
    assert.equal(by.book!.n + by.magazine!.n, 5800);
    assert.equal(by.ebook!.n, 4096);
    assert.equal(by.ebook!.open, 4096);
    assert.ok(rows.rows.every((r) => r.n === r.national));
  });

  test('every demo library holds physical copies in its own branches', async () => {
    const { rows } = await sql<{ libraries: number }>`select count(distinct library_id)::int as libraries from item`.execute(t.db.kysely);
    assert.equal(rows[0]!.libraries, 22);
    const seen = await inTenant(t.db.kysely, utrecht, (tx) => tx.selectFrom('item').select(['libraryId', 'barcode']).execute());
    assert.ok(seen.length > 100);
    assert.ok(seen.every((i) => i.libraryId === utrecht));
  });

  test('the search document weighs the title above the author and the genre', async () => {
    const row = await t.db.kysely.selectFrom('title').select(sql<string>`search_vector::text`.as('v'))
      .where('source', '=', 'dbnl').where('title', '=', 'Aktaion onder de sterren').executeTakeFirstOrThrow();
    assert.match(row.v, /'aktaion':1A/);
    assert.match(row.v, /'vestdijk':\d+B/);
    assert.match(row.v, /'proza':\d+C/);
  });
});

describe('local titles', () => {
  let local: { id: string; workId: string };
  before(async () => {
    local = await buildTitle(t.db.kysely, { title: 'Utrechtse stadsgeschiedenis', ownerLibraryId: utrecht, source: 'local' });
  });

  test('the owning library sees its local title; another library gets "not found"', async () => {
    const mine = await get(`/api/v1/libraries/utrecht/titles/${local.id}`);
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().local, true);
    const theirs = await get(`/api/v1/libraries/amsterdam/titles/${local.id}`);
    assert.equal(theirs.statusCode, 404);
    assert.equal(theirs.json().code, 'CATALOGUE_TITLE_NOT_FOUND');
  });

  test("another library cannot list copies of it, nor export it", async () => {
    assert.equal((await get(`/api/v1/libraries/amsterdam/titles/${local.id}/items`)).statusCode, 404);
    assert.equal((await get(`/api/v1/libraries/amsterdam/marcxml?id=${local.id}`)).statusCode, 404);
  });

  test("a library cannot put copies of another library's local title on its shelves", async () => {
    await assert.rejects(buildItem(t.db.kysely, amsterdam, { titleId: local.id }), /row-level security/);
    const ok = await buildItem(t.db.kysely, utrecht, { titleId: local.id });
    assert.ok(ok.id);
  });
});

describe('items under tenancy', () => {
  test("with tenant A set, B's copies are invisible and cannot be changed", async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Gedeelde titel' });
    const theirs = await buildItem(t.db.kysely, amsterdam, { titleId: title.id });
    const seen = await inTenant(t.db.kysely, utrecht, (tx) => tx.selectFrom('item').select('id').where('id', '=', theirs.id).execute());
    assert.equal(seen.length, 0);
    const updated = await inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('item').set({ status: 'missing' }).where('id', '=', theirs.id).executeTakeFirst());
    assert.equal(Number(updated.numUpdatedRows), 0);
  });

  test('the database refuses a barcode that is not 8–14 digits, and a duplicate barcode', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Barcodetitel' });
    const branch = await inTenant(t.db.kysely, utrecht, (tx) => tx.selectFrom('branch').select('id').executeTakeFirstOrThrow());
    await assert.rejects(inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('item').values({
      libraryId: utrecht, titleId: title.id, branchId: branch.id, barcode: 'ABC-1',
    }).execute()), /check constraint/);
    const barcode = makeBarcodeForTest();
    await inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('item').values({ libraryId: utrecht, titleId: title.id, branchId: branch.id, barcode }).execute());
    await assert.rejects(inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('item').values({
      libraryId: utrecht, titleId: title.id, branchId: branch.id, barcode,
    }).execute()), /duplicate key/);
  });

  test('the database refuses an ISBN that is not a normalised ISBN-13', async () => {
    await assert.rejects(buildTitle(t.db.kysely, { title: 'x', isbn: '90-214-5906-3' }), /check constraint/);
  });
});

describe('the title API and page', () => {
  let work: { id: string; workId: string };
  let ebook: { id: string };
  before(async () => {
    work = await buildTitle(t.db.kysely, { title: 'De Avonden', year: 1947, isbn: '9789023417461', popularity: 50 });
    ebook = await buildTitle(t.db.kysely, { title: 'De Avonden', format: 'ebook', workId: work.workId, openAccessUrl: 'https://example.org/avonden.epub' });
    await buildItem(t.db.kysely, utrecht, { titleId: work.id, status: 'available', shelf: 'R REVE' });
    await buildItem(t.db.kysely, utrecht, { titleId: work.id, status: 'on_loan', shelf: 'R REVE' });
    await buildItem(t.db.kysely, utrecht, { titleId: work.id, status: 'missing' });
  });

  test('a title shows every format of its work, with availability per branch', async () => {
    const r = await get(`/api/v1/libraries/utrecht/titles/${work.id}`);
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.deepEqual(body.formats.map((f: { format: string }) => f.format), ['book', 'ebook']);
    assert.equal(body.formats[0].availability.copies, 2, 'the missing copy is not offered');
    assert.equal(body.formats[0].availability.available, 1);
    assert.equal(body.formats[1].openAccessUrl, 'https://example.org/avonden.epub');
    const items = await get(`/api/v1/libraries/utrecht/titles/${work.id}/items`);
    assert.equal(items.json().items.length, 3);
    const one = await get(`/api/v1/libraries/utrecht/items/${items.json().items[0].id}`);
    assert.equal(one.json().title, 'De Avonden');
    // the same copy is not an item of another library
    assert.equal((await get(`/api/v1/libraries/amsterdam/items/${items.json().items[0].id}`)).statusCode, 404);
  });

  test('a malformed id is a 400, an unknown one a 404, both as problem+json', async () => {
    const bad = await get('/api/v1/libraries/utrecht/titles/not-a-uuid');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /application\/problem\+json/);
    const unknown = await get('/api/v1/libraries/utrecht/titles/00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.statusCode, 404);
  });

  test('the title page lists the formats, a table per branch and JSON-LD with a workExample per format', async () => {
    const r = await get(`/utrecht/titels/${work.id}`, true);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1[^>]*>De Avonden<\/h1>/);
    assert.match(r.body, /<table class="utrecht-table eb-availability">/);
    assert.match(r.body, /R REVE/);
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(r.body)![1]!);
    assert.equal(ld['@type'], 'Book');
    assert.equal(ld.workExample.length, 2);
    assert.deepEqual(ld.workExample.map((w: { bookFormat: string }) => w.bookFormat), ['https://schema.org/Hardcover', 'https://schema.org/EBook']);
    assert.equal(ld.workExample[0].isbn, '9789023417461');
    assert.ok(ld.workExample.some((w: { '@id': string }) => w['@id'].endsWith(ebook.id)));
  });

  test('an unknown title page is a branded 404', async () => {
    const r = await get('/utrecht/titels/00000000-0000-4000-8000-000000000000', true);
    assert.equal(r.statusCode, 404);
    assert.match(r.body, /Bibliotheek Utrecht/);
  });
});

describe('local catalogue writes (the use cases behind the staff endpoints)', () => {
  const ctx = (lib: string, actor: Ctx['actor'] = { kind: 'system', name: 'test' }): Ctx =>
    ({ ...systemCtx(t.db.kysely, t.config, 'test'), actor, libraryId: lib });

  test('a library adds a local title: the ISBN-10 is stored as ISBN-13, and only that library sees it', async () => {
    const title = await createLocalTitle(ctx(utrecht), {
      title: 'Wandelen langs de Vecht', format: 'book', isbn: '0-306-40615-2', year: 2024, language: 'dut',
      contributors: [{ name: 'Anna de Vries' }, { name: 'Piet Jansen', role: 'ill' }],
    });
    assert.equal(title.isbn, '9780306406157');
    assert.equal(title.local, true);
    assert.deepEqual(title.contributors.map((c) => [c.name, c.sortName, c.role]), [['Anna de Vries', 'Vries, Anna de', 'aut'], ['Piet Jansen', 'Jansen, Piet', 'ill']]);
    await assert.rejects(getTitle(ctx(amsterdam), title.id), (e: AppError) => e.code === 'CATALOGUE_TITLE_NOT_FOUND');
  });

  test('a wrong ISBN check digit, a bad PPN or a missing title is refused before anything is written', async () => {
    await assert.rejects(createLocalTitle(ctx(utrecht), { title: 'x', format: 'book', isbn: '978-0-306-40615-8' }), (e: AppError) => e.code === 'CATALOGUE_ISBN_INVALID');
    await assert.rejects(createLocalTitle(ctx(utrecht), { title: 'x', format: 'book', ppn: '123456780' }), (e: AppError) => e.code === 'CATALOGUE_PPN_INVALID');
    await assert.rejects(createLocalTitle(ctx(utrecht), { title: ' ', format: 'book' }), (e: AppError) => e.code === 'VALIDATION_FAILED' && e.fields[0]!.field === 'title');
    await assert.rejects(createLocalTitle(ctx(utrecht), { title: 'x', format: 'book', contributors: [{ name: 'A', role: 'author' }] }), (e: AppError) => e.code === 'VALIDATION_FAILED');
  });

  test('an anonymous visitor may not change the catalogue: sign in first', async () => {
    await assert.rejects(createLocalTitle(ctx(utrecht, { kind: 'anonymous' }), { title: 'x', format: 'book' }), (e: AppError) => e.status === 401);
  });

  test('copies: the barcode is validated and unique per library; the branch must be the library\'s own', async () => {
    const title = await createLocalTitle(ctx(utrecht), { title: 'Kopieertitel', format: 'book' });
    const barcode = makeBarcodeForTest();
    const item = await addItem(ctx(utrecht), { titleId: title.id, branch: 'noord', barcode, shelf: 'R KOPI' });
    assert.equal(item.branchSlug, 'noord');
    await assert.rejects(addItem(ctx(utrecht), { titleId: title.id, branch: 'noord', barcode }), (e: AppError) => e.code === 'CATALOGUE_BARCODE_TAKEN');
    const wrongCheck = barcode.slice(0, -1) + String((Number(barcode.slice(-1)) + 1) % 10);
    await assert.rejects(addItem(ctx(utrecht), { titleId: title.id, branch: 'noord', barcode: wrongCheck }), (e: AppError) => e.code === 'CATALOGUE_BARCODE_INVALID');
    await assert.rejects(addItem(ctx(utrecht), { titleId: title.id, branch: 'atlantis', barcode: makeBarcodeForTest() }), (e: AppError) => e.code === 'CATALOGUE_BRANCH_UNKNOWN');
    await assert.rejects(addItem(ctx(amsterdam), { titleId: title.id, branch: 'noord', barcode: makeBarcodeForTest() }), (e: AppError) => e.code === 'CATALOGUE_TITLE_NOT_FOUND');
  });

  test('the application role cannot change national titles or claim one for a library', async () => {
    const national = await buildTitle(t.db.kysely, { title: 'Nationale titel' });
    const updated = await inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('title').set({ title: 'overgenomen' }).where('id', '=', national.id).executeTakeFirst());
    assert.equal(Number(updated.numUpdatedRows), 0);
    await assert.rejects(inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('title').values({
      workId: national.workId, ownerLibraryId: null, source: 'local', sourceId: 'sneaky', format: 'book', title: 'x',
    }).execute()), /row-level security/);
    await assert.rejects(inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('title').values({
      workId: national.workId, ownerLibraryId: amsterdam, source: 'local', sourceId: 'sneaky', format: 'book', title: 'x',
    }).execute()), /row-level security/);
  });
});

describe('MARCXML export API', () => {
  test('one title or a set comes back as a MARCXML collection with the library\'s copies as 852', async () => {
    const a = await buildTitle(t.db.kysely, { title: 'Exporttitel een', year: 2001 });
    const b = await buildTitle(t.db.kysely, { title: 'Exporttitel twee' });
    await buildItem(t.db.kysely, utrecht, { titleId: a.id, shelf: 'R EXP' });
    const r = await get(`/api/v1/libraries/utrecht/marcxml?id=${a.id}&id=${b.id}`);
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /application\/marcxml\+xml/);
    assert.match(r.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<collection xmlns="http:\/\/www.loc.gov\/MARC21\/slim">/);
    assert.equal(r.body.match(/<record>/g)!.length, 2);
    assert.match(r.body, /<subfield code="h">R EXP<\/subfield>/);
    assert.equal((await get(`/api/v1/libraries/utrecht/marcxml`)).statusCode, 400);
    assert.equal((await get(`/api/v1/libraries/amsterdam/marcxml?id=00000000-0000-4000-8000-000000000000`)).statusCode, 404);
  });
});
