// The staff API of the catalogue: a library's librarians add and edit its local titles and its
// copies of national and local titles; national titles stay read-only; every write is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { buildItem, buildTitle, libraryId } from '../../../test/support/catalogue-factory.ts';
import { makeBarcodeForTest } from '../../../test/support/barcode.ts';
import { FORMAT_INFO, FORMATS } from './formats.ts';

let t: TestApp;
let utrecht: string;
let librarian: { id: string; cookies: Record<string, string> };
let amsterdamLibrarian: Record<string, string>;
let national: { id: string; workId: string };

before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db.kysely, 'utrecht');
  const a = await buildAccount(t, { librarySlug: 'utrecht' });
  await grantStaff(t, a.id, 'utrecht', 'librarian');
  librarian = { id: a.id, cookies: await signIn(t, a.id) };
  const b = await buildAccount(t, { librarySlug: 'amsterdam' });
  await grantStaff(t, b.id, 'amsterdam', 'librarian');
  amsterdamLibrarian = await signIn(t, b.id);
  national = await buildTitle(t.db.kysely, { title: 'Een landelijke titel', year: 1999 });
});
after(async () => { await t.close(); });

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, payload?: object, cookies = librarian.cookies) =>
  t.app.inject({ method, url, cookies, ...(payload ? { payload } : {}) });

async function auditActions(): Promise<string[]> {
  const rows = await t.db.kysely.selectFrom('auditEvent').select('action').where('actorAccountId', '=', librarian.id).orderBy('at').execute();
  return rows.map((r) => r.action);
}

describe('local titles through the API', () => {
  test('a librarian adds a local title: ISBN-10 stored as ISBN-13, contributors with roles, found only by the own library', async () => {
    const r = await call('POST', '/api/v1/libraries/utrecht/titles', {
      title: 'Fietsen langs de Kromme Rijn', subtitle: 'tien routes', format: 'book', isbn: '0-306-40615-2', language: 'dut', year: 2025,
      contributors: [{ name: 'Anna de Vries' }, { name: 'Piet Jansen', role: 'ill' }], subjects: ['fietsen', 'Utrecht'], genres: ['informatief'],
      audience: 'children', aviLevel: 'E4', series: 'Utrechtse routes', seriesNumber: '3',
    });
    assert.equal(r.statusCode, 201, r.body);
    const body = r.json();
    assert.equal(body.isbn, '9780306406157');
    assert.equal(body.local, true);
    assert.equal(body.aviLevel, 'E4');
    assert.deepEqual(body.contributors.map((c: { name: string; role: string }) => [c.name, c.role]), [['Anna de Vries', 'aut'], ['Piet Jansen', 'ill']]);
    assert.equal((await t.app.inject({ url: `/api/v1/libraries/utrecht/titles/${body.id}` })).statusCode, 200);
    assert.equal((await t.app.inject({ url: `/api/v1/libraries/amsterdam/titles/${body.id}` })).statusCode, 404);
    // the search document is the trigger's: the subtitle and the subject are searchable
    const found = await t.app.inject({ url: '/api/v1/libraries/utrecht/search?q=kromme%20rijn%20routes' });
    assert.ok(found.json().results.some((x: { id: string }) => x.id === body.id));
    assert.equal((await t.app.inject({ url: '/api/v1/libraries/amsterdam/search?q=kromme%20rijn%20routes' })).json().total, 0);
  });

  test('a librarian edits the own local title; the contributors are replaced', async () => {
    const created = (await call('POST', '/api/v1/libraries/utrecht/titles', { title: 'Eerste versie', format: 'book', contributors: [{ name: 'Oud Auteur' }] })).json();
    const r = await call('PUT', `/api/v1/libraries/utrecht/titles/${created.id}`, {
      title: 'Tweede versie', format: 'audiobook', isbn: '9789023417460', contributors: [{ name: 'Nieuwe Verteller', role: 'nrt' }], year: null,
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().title, 'Tweede versie');
    assert.equal(r.json().format, 'audiobook');
    assert.deepEqual(r.json().contributors.map((c: { name: string }) => c.name), ['Nieuwe Verteller']);
    const row = await t.db.kysely.selectFrom('title').select(['contributorNames', 'isbn']).where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { contributorNames: 'Nieuwe Verteller', isbn: '9789023417460' });
  });

  test('national titles are read-only; another library\'s local title does not exist here', async () => {
    const put = await call('PUT', `/api/v1/libraries/utrecht/titles/${national.id}`, { title: 'Overgenomen', format: 'book' });
    assert.equal(put.statusCode, 403);
    assert.equal(put.json().code, 'CATALOGUE_NATIONAL_TITLE_READ_ONLY');
    const unchanged = await t.db.kysely.selectFrom('title').select('title').where('id', '=', national.id).executeTakeFirstOrThrow();
    assert.equal(unchanged.title, 'Een landelijke titel');
    const own = (await call('POST', '/api/v1/libraries/utrecht/titles', { title: 'Alleen van Utrecht', format: 'book' })).json();
    const other = await call('PUT', `/api/v1/libraries/amsterdam/titles/${own.id}`, { title: 'Gekaapt', format: 'book' }, amsterdamLibrarian);
    assert.equal(other.statusCode, 404);
  });

  test('bad input: 400 for fields, ISBN and PPN check digits, 422 for an AVI level outside children\'s books, as problem+json', async () => {
    const cases: [object, number, string][] = [
      [{ title: 'x', format: 'book', isbn: '978-0-306-40615-8' }, 400, 'CATALOGUE_ISBN_INVALID'],
      [{ title: 'x', format: 'book', ppn: '123456780' }, 400, 'CATALOGUE_PPN_INVALID'],
      [{ title: '', format: 'book' }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', format: 'scroll' }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', format: 'book', year: 'lang geleden' }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', format: 'book', contributors: [{ name: 'A', role: 'author' }] }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', format: 'book', unknownField: 1 }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', format: 'book', audience: 'adults', aviLevel: 'M4' }, 422, 'CATALOGUE_AVI_NEEDS_CHILDREN'],
      [{ title: 'x', format: 'book', workId: '00000000-0000-4000-8000-000000000000' }, 404, 'CATALOGUE_TITLE_NOT_FOUND'],
    ];
    const before = await t.db.kysely.selectFrom('title').select((eb) => eb.fn.countAll<number>().as('n')).where('ownerLibraryId', '=', utrecht).executeTakeFirstOrThrow();
    for (const [payload, status, code] of cases) {
      const r = await call('POST', '/api/v1/libraries/utrecht/titles', payload);
      assert.equal(r.statusCode, status, `${JSON.stringify(payload)}: ${r.body}`);
      assert.match(String(r.headers['content-type']), /application\/problem\+json/);
      assert.equal(r.json().code, code, JSON.stringify(payload));
    }
    const afterCount = await t.db.kysely.selectFrom('title').select((eb) => eb.fn.countAll<number>().as('n')).where('ownerLibraryId', '=', utrecht).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n), 'nothing written');
  });

  test('a local e-book joins a national work as another format', async () => {
    const r = await call('POST', '/api/v1/libraries/utrecht/titles', { title: 'Een landelijke titel', format: 'ebook', workId: national.workId });
    assert.equal(r.statusCode, 201, r.body);
    const page = await t.app.inject({ url: `/api/v1/libraries/utrecht/titles/${national.id}` });
    assert.deepEqual(page.json().formats.map((f: { format: string; local: boolean }) => [f.format, f.local]), [['book', false], ['ebook', true]]);
  });
});

describe('copies through the API', () => {
  test('a librarian adds, moves, relabels and withdraws a copy of a national title; each step audited', async () => {
    const barcode = makeBarcodeForTest();
    const created = await call('POST', '/api/v1/libraries/utrecht/items', { titleId: national.id, branch: 'noord', barcode: `${barcode.slice(0, 4)} ${barcode.slice(4)}`, shelf: 'R LAND' });
    assert.equal(created.statusCode, 201, created.body);
    const item = created.json();
    assert.deepEqual([item.barcode, item.branchSlug, item.shelf, item.status], [barcode, 'noord', 'R LAND', 'available']);

    const newBarcode = makeBarcodeForTest();
    const moved = await call('PATCH', `/api/v1/libraries/utrecht/items/${item.id}`, { branch: 'centrale-bibliotheek', barcode: newBarcode, shelf: 'R LAND 2', status: 'in_processing' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual([moved.json().barcode, moved.json().branchSlug, moved.json().shelf, moved.json().status], [newBarcode, 'centrale-bibliotheek', 'R LAND 2', 'in_processing']);

    assert.equal((await call('DELETE', `/api/v1/libraries/utrecht/items/${item.id}`)).statusCode, 204);
    const after = await t.app.inject({ url: `/api/v1/libraries/utrecht/items/${item.id}` });
    assert.equal(after.json().status, 'withdrawn');
    // a withdrawn copy is no longer offered on the title
    const items = (await t.app.inject({ url: `/api/v1/libraries/utrecht/titles/${national.id}/items` })).json().items;
    assert.ok(!items.some((i: { id: string }) => i.id === item.id));
    const actions = await auditActions();
    for (const a of ['catalogue.item.created', 'catalogue.item.updated', 'catalogue.item.withdrawn', 'catalogue.title.created']) assert.ok(actions.includes(a), a);
  });

  test('barcodes: a wrong check digit is 400, a barcode in use at this library 409, the same barcode at another library is fine', async () => {
    const barcode = makeBarcodeForTest();
    assert.equal((await call('POST', '/api/v1/libraries/utrecht/items', { titleId: national.id, branch: 'noord', barcode })).statusCode, 201);
    const wrong = barcode.slice(0, -1) + String((Number(barcode.slice(-1)) + 1) % 10);
    const bad = await call('POST', '/api/v1/libraries/utrecht/items', { titleId: national.id, branch: 'noord', barcode: wrong });
    assert.deepEqual([bad.statusCode, bad.json().code], [400, 'CATALOGUE_BARCODE_INVALID']);
    const dup = await call('POST', '/api/v1/libraries/utrecht/items', { titleId: national.id, branch: 'noord', barcode });
    assert.deepEqual([dup.statusCode, dup.json().code], [409, 'CATALOGUE_BARCODE_TAKEN']);
    const other = await call('POST', '/api/v1/libraries/utrecht/items', { titleId: national.id, branch: 'noord', barcode: makeBarcodeForTest() });
    const relabel = await call('PATCH', `/api/v1/libraries/utrecht/items/${other.json().id}`, { barcode });
    assert.deepEqual([relabel.statusCode, relabel.json().code], [409, 'CATALOGUE_BARCODE_TAKEN']);
    const elsewhere = await call('POST', '/api/v1/libraries/amsterdam/items', { titleId: national.id, branch: 'centrale-bibliotheek', barcode }, amsterdamLibrarian);
    assert.equal(elsewhere.statusCode, 201, elsewhere.body);
  });

  test("the branch must be the library's own; another library's copy or local title is not found", async () => {
    const amsterdamBranch = await t.db.kysely.selectFrom('branch as b').innerJoin('library as l', 'l.id', 'b.libraryId')
      .select('b.slug').where('l.slug', '=', 'amsterdam').where('b.slug', 'not in',
        t.db.kysely.selectFrom('branch as b2').innerJoin('library as l2', 'l2.id', 'b2.libraryId').select('b2.slug').where('l2.slug', '=', 'utrecht'))
      .orderBy('b.slug').executeTakeFirstOrThrow();
    const r = await call('POST', '/api/v1/libraries/utrecht/items', { titleId: national.id, branch: amsterdamBranch.slug, barcode: makeBarcodeForTest() });
    assert.deepEqual([r.statusCode, r.json().code], [400, 'CATALOGUE_BRANCH_UNKNOWN']);
    const own = (await call('POST', '/api/v1/libraries/utrecht/titles', { title: 'Utrechts eigen', format: 'book' })).json();
    const foreign = await call('POST', '/api/v1/libraries/amsterdam/items', { titleId: own.id, branch: 'centrale-bibliotheek', barcode: makeBarcodeForTest() }, amsterdamLibrarian);
    assert.deepEqual([foreign.statusCode, foreign.json().code], [404, 'CATALOGUE_TITLE_NOT_FOUND']);
    const copy = await buildItem(t.db.kysely, utrecht, { titleId: national.id });
    const moved = await call('PATCH', `/api/v1/libraries/amsterdam/items/${copy.id}`, { shelf: 'weg' }, amsterdamLibrarian);
    assert.equal(moved.statusCode, 404);
    assert.equal((await call('DELETE', `/api/v1/libraries/amsterdam/items/${copy.id}`, undefined, amsterdamLibrarian)).statusCode, 404);
  });

  test('a copy on loan or in transit is not withdrawn or re-statused by hand (409); lending states cannot be chosen (400)', async () => {
    const travelling = await buildItem(t.db.kysely, utrecht, { titleId: national.id, status: 'in_transit' });
    const stop = await call('PATCH', `/api/v1/libraries/utrecht/items/${travelling.id}`, { status: 'available' });
    assert.deepEqual([stop.statusCode, stop.json().code], [409, 'CATALOGUE_ITEM_ON_LOAN']);
    const copy = await buildItem(t.db.kysely, utrecht, { titleId: national.id, status: 'on_loan' });
    const withdraw = await call('DELETE', `/api/v1/libraries/utrecht/items/${copy.id}`);
    assert.deepEqual([withdraw.statusCode, withdraw.json().code], [409, 'CATALOGUE_ITEM_ON_LOAN']);
    const missing = await call('PATCH', `/api/v1/libraries/utrecht/items/${copy.id}`, { status: 'missing' });
    assert.deepEqual([missing.statusCode, missing.json().code], [409, 'CATALOGUE_ITEM_ON_LOAN']);
    // moving it to another shelf is fine
    assert.equal((await call('PATCH', `/api/v1/libraries/utrecht/items/${copy.id}`, { shelf: 'R ELDERS' })).statusCode, 200);
    for (const status of ['on_loan', 'on_hold_shelf', 'in_transit', 'withdrawn']) {
      assert.equal((await call('PATCH', `/api/v1/libraries/utrecht/items/${copy.id}`, { status })).statusCode, 400, status);
    }
    assert.equal((await call('PATCH', `/api/v1/libraries/utrecht/items/${copy.id}`, {})).statusCode, 400);
  });
});

describe('a digital title has no physical copies', () => {
  test('no copy is put on an e-book or audiobook (422); a held title does not become one (422); nothing is written', async () => {
    const ebook = await buildTitle(t.db.kysely, { title: 'Een e-book', format: 'ebook' });
    const audiobook = await buildTitle(t.db.kysely, { title: 'Een luisterboek', format: 'audiobook' });
    for (const title of [ebook, audiobook]) {
      const r = await call('POST', '/api/v1/libraries/utrecht/items', { titleId: title.id, branch: 'noord', barcode: makeBarcodeForTest() });
      assert.deepEqual([r.statusCode, r.json().code, r.json().errors?.[0]?.field], [422, 'CATALOGUE_DIGITAL_TITLE_COPY', 'titleId'], r.body);
      const items = await t.db.kysely.selectFrom('item').select('id').where('titleId', '=', title.id).execute();
      assert.equal(items.length, 0);
    }
    // a copy that was written (missing) before the rule is not brought back to the shelf
    const lost = await t.db.kysely.insertInto('item').values({
      libraryId: utrecht, titleId: ebook.id, barcode: makeBarcodeForTest(), status: 'missing', shelf: 'R',
      branchId: (await t.db.kysely.selectFrom('branch').select('id').where('libraryId', '=', utrecht).where('slug', '=', 'noord').executeTakeFirstOrThrow()).id,
    }).returning('id').executeTakeFirstOrThrow();
    const found = await call('PATCH', `/api/v1/libraries/utrecht/items/${lost.id}`, { status: 'available' });
    assert.deepEqual([found.statusCode, found.json().code, found.json().errors?.[0]?.field], [422, 'CATALOGUE_DIGITAL_TITLE_COPY', 'status'], found.body);
    assert.equal((await t.db.kysely.selectFrom('item').select('status').where('id', '=', lost.id).executeTakeFirstOrThrow()).status, 'missing');

    // the own local title with a copy on the shelf stays a book
    const own = (await call('POST', '/api/v1/libraries/utrecht/titles', { title: 'Eigen uitgave', format: 'book' })).json();
    assert.equal((await call('POST', '/api/v1/libraries/utrecht/items', { titleId: own.id, branch: 'noord', barcode: makeBarcodeForTest() })).statusCode, 201);
    const turned = await call('PUT', `/api/v1/libraries/utrecht/titles/${own.id}`, { title: 'Eigen uitgave', format: 'ebook' });
    assert.deepEqual([turned.statusCode, turned.json().code, turned.json().errors?.[0]?.field], [422, 'CATALOGUE_DIGITAL_FORMAT_HELD', 'format'], turned.body);
    assert.equal((await t.db.kysely.selectFrom('title').select('format').where('id', '=', own.id).executeTakeFirstOrThrow()).format, 'book');
  });

  test('the database refuses it for every digital format and only those, whoever writes', async () => {
    const formats = ['book', 'large_print', 'ebook', 'audiobook', 'audio_cd', 'magazine', 'dvd', 'bluray', 'game', 'sheet_music', 'map', 'other'] as const;
    assert.deepEqual([...formats].sort(), [...FORMATS].sort(), 'every format is tried');
    for (const format of formats) {
      const title = await buildTitle(t.db.kysely, { title: `Vorm ${format}`, format });
      const put = buildItem(t.db.kysely, utrecht, { titleId: title.id });
      if (FORMAT_INFO[format].digital) await assert.rejects(put, (e: { code?: string; message?: string }) => e.code === '23514' && /title_digital_has_no_copies/.test(e.message ?? ''), format);
      else await put;
    }
  });
});
