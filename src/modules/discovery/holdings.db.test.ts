// Where titles are held (title.holdings, migration 0104): kept by the item triggers as copies come,
// go, move and are checked out, each library writing only its own branches, and used by the
// search's branch pass to intersect "held at branch" with the words in the GIN indexes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildItem, buildTitle, libraryId } from '../../../test/support/catalogue-factory.ts';
import { makeBarcodeForTest } from '../../../test/support/barcode.ts';
import { engine } from '../../../test/support/engine.ts';
import { inTenant } from '../../platform/db/tenant.ts';

let t: TestApp;
let utrecht: string;
let denHaag: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db.kysely, 'utrecht');
  denHaag = await libraryId(t.db.kysely, 'den-haag');
});
after(async () => { await t.close(); });

async function holdings(titleId: string): Promise<string[]> {
  const row = await t.db.kysely.selectFrom('title').select('holdings').where('id', '=', titleId).executeTakeFirstOrThrow();
  return row.holdings;
}

async function branches(library: string): Promise<{ id: string; slug: string }[]> {
  return inTenant(t.db.kysely, library, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', library).orderBy('slug').execute());
}

const sorted = (ids: string[]) => [...ids].sort();

const insertCopy = (library: string, titleId: string, branchId: string) => sql`insert into item (library_id, title_id, branch_id, barcode)
  values (${library}, ${titleId}, ${branchId}, ${makeBarcodeForTest()})`;

/** Polls (up to 5 s) until a session of this database waits for a lock; false when `done` first or never. */
async function lockWaiterSeen(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !done(); i++) {
    const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db.kysely);
    if (waiting.rows[0]!.n > 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe('holdings kept by the copies', () => {
  test('a copy adds its branch; check-out changes nothing; withdrawing, moving and deleting take it away', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Bezit van kopieën' });
    assert.deepEqual(await holdings(title.id), []);
    const [b1, b2] = await branches(utrecht);
    const first = await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: b1!.slug });
    assert.deepEqual(await holdings(title.id), [b1!.id]);
    const second = await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: b2!.slug });
    await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: b2!.slug });
    assert.deepEqual(await holdings(title.id), sorted([b1!.id, b2!.id]), 'a branch once, however many copies');

    const updatedAt = async () => (await t.db.kysely.selectFrom('title').select('updatedAt').where('id', '=', title.id).executeTakeFirstOrThrow()).updatedAt;
    const stamped = await updatedAt();
    const setItem = (id: string, values: { status?: 'on_loan' | 'available' | 'withdrawn' | 'missing'; branchId?: string }) =>
      inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('item').set(values).where('id', '=', id).execute());
    await setItem(second.id, { status: 'on_loan' });
    await setItem(second.id, { status: 'available' });
    assert.deepEqual(await holdings(title.id), sorted([b1!.id, b2!.id]));
    await setItem(second.id, { status: 'withdrawn' });
    assert.deepEqual(await holdings(title.id), sorted([b1!.id, b2!.id]), 'the other copy is still in b2');
    assert.deepEqual(await updatedAt(), stamped, 'holdings are not an edit of the title');

    await inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('item').set({ status: 'missing' }).where('titleId', '=', title.id)
      .where('branchId', '=', b2!.id).execute());
    assert.deepEqual(await holdings(title.id), [b1!.id]);
    await setItem(first.id, { branchId: b2!.id });
    assert.deepEqual(await holdings(title.id), [b2!.id]);
    await setItem(first.id, { status: 'missing' });
    assert.deepEqual(await holdings(title.id), []);
    await setItem(first.id, { status: 'available' });
    assert.deepEqual(await holdings(title.id), [b2!.id]);
    await inTenant(t.db.kysely, utrecht, (tx) => tx.deleteFrom('item').where('titleId', '=', title.id).execute());
    assert.deepEqual(await holdings(title.id), []);
  });

  test('each library writes only its own branches; an edit of the title keeps them all', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Gedeeld bezit' });
    const [ours] = await branches(utrecht);
    const [hague] = await branches(denHaag);
    await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: ours!.slug });
    const theirs = await buildItem(t.db.kysely, denHaag, { titleId: title.id, branchSlug: hague!.slug });
    assert.deepEqual(await holdings(title.id), sorted([ours!.id, hague!.id]));
    await inTenant(t.db.kysely, denHaag, (tx) => tx.updateTable('item').set({ status: 'withdrawn' }).where('id', '=', theirs.id).execute());
    assert.deepEqual(await holdings(title.id), [ours!.id]);
    await t.db.kysely.updateTable('title').set({ title: 'Gedeeld bezit (herzien)' }).where('id', '=', title.id).execute();
    assert.deepEqual(await holdings(title.id), [ours!.id]);
  });

  test('two libraries adding a copy of one title at the same moment both keep theirs', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Tegelijk aangeschaft' });
    const [ours] = await branches(utrecht);
    const [hague] = await branches(denHaag);
    const insert = (library: string, branchId: string) => insertCopy(library, title.id, branchId);
    let inserted!: () => void;
    let sawWaiter = false;
    const firstInserted = new Promise<void>((r) => { inserted = r; });
    // On PostgreSQL the first transaction holds the title's lock until the second waits for it;
    // PGlite has one connection, so there the two run one after the other.
    const first = inTenant(t.db.kysely, utrecht, async (tx) => {
      await insert(utrecht, ours!.id).execute(tx);
      inserted();
      if (engine() === 'postgres') {
        sawWaiter = await lockWaiterSeen(() => false);
      }
    });
    const second = (async () => {
      if (engine() === 'postgres') await firstInserted;
      else await first;
      await inTenant(t.db.kysely, denHaag, (tx) => insert(denHaag, hague!.id).execute(tx));
    })();
    await Promise.all([first, second]);
    if (engine() === 'postgres') assert.ok(sawWaiter, 'the second writer waited for the title the first had locked');
    assert.deepEqual(await holdings(title.id), sorted([ours!.id, hague!.id]));
  });
});

describe('holdings under concurrent inserts', () => {
  test('a copy inserted while another insert of the title is past its key check neither deadlocks nor loses a branch', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Gelijktijdig gecontroleerd' });
    const [ours] = await branches(utrecht);
    const [hague] = await branches(denHaag);
    const insert = (library: string, branchId: string) => insertCopy(library, title.id, branchId);
    if (engine() !== 'postgres') {
      // one connection: nothing runs at once here; the two inserts simply follow each other
      await inTenant(t.db.kysely, utrecht, (tx) => insert(utrecht, ours!.id).execute(tx));
      await inTenant(t.db.kysely, denHaag, (tx) => insert(denHaag, hague!.id).execute(tx));
      assert.deepEqual(await holdings(title.id), sorted([ours!.id, hague!.id]));
      return;
    }
    // A holds the title as a copy insert's foreign-key check does (FOR KEY SHARE) and inserts its
    // own copy only after B's insert has run its holdings trigger (or is waiting in it)
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let bDone = false;
    const a = t.db.kysely.transaction().execute(async (tx) => {
      // as the owner, like the foreign-key check (the application role may lock only its own titles)
      const locked = await sql`select 1 from title where id = ${title.id} for key share`.execute(tx);
      assert.equal(locked.rows.length, 1);
      await gate;
      await sql`select set_config('role', 'eenbieb_app', true), set_config('app.library_id', ${utrecht}, true)`.execute(tx);
      await insert(utrecht, ours!.id).execute(tx);
    });
    const b = inTenant(t.db.kysely, denHaag, (tx) => insert(denHaag, hague!.id).execute(tx)).then(() => { bDone = true; });
    await lockWaiterSeen(() => bDone);
    release();
    // with FOR UPDATE in the refresh, B waited for A's key share and A then for B's: a deadlock
    await Promise.all([a, b]);
    assert.deepEqual(await holdings(title.id), sorted([ours!.id, hague!.id]));
  });
});

describe('holdings in the branch pass', () => {
  test('past the bound, "at a branch" and "available at a branch" find an unpopular copy exactly', async () => {
    // more popular matches of the word than the candidate bound, none of them held anywhere
    const works = await t.db.kysely.insertInto('work').values(Array.from({ length: 230 }, () => ({ ownerLibraryId: null }))).returning('id').execute();
    await t.db.kysely.insertInto('title').values(works.map((w, i) => ({
      workId: w.id, source: 'test', sourceId: crypto.randomUUID(), format: 'book' as const, title: `Kantklosboek ${i}`, popularity: 1000 + i,
    }))).execute();
    const held = await buildTitle(t.db.kysely, { title: 'Kantklosboek voor de bieb', popularity: 0 });
    const lent = await buildTitle(t.db.kysely, { title: 'Kantklosboek uitgeleend', popularity: 0 });
    const [b1, b2, b3] = await branches(utrecht);
    await buildItem(t.db.kysely, utrecht, { titleId: held.id, branchSlug: b1!.slug });
    await buildItem(t.db.kysely, utrecht, { titleId: lent.id, branchSlug: b2!.slug, status: 'on_loan' });
    const search = async (qs: string) => {
      const r = await t.app.inject({ url: `/api/v1/libraries/utrecht/search?q=kantklosboek&${qs}` });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json() as { total: number; totalExact: boolean; results: { id: string }[] };
      return [body.results.map((x) => x.id).sort(), body.total, body.totalExact];
    };
    assert.deepEqual(await search(`branch=${b1!.slug}&availability=available`), [[held.id], 1, true]);
    assert.deepEqual(await search(`branch=${b2!.slug}&availability=available`), [[], 0, true]);
    assert.deepEqual(await search(`branch=${b2!.slug}&availability=on_loan`), [[lent.id], 1, true]);
    assert.deepEqual(await search(`branch=${b1!.slug}&branch=${b2!.slug}`), [sorted([held.id, lent.id]), 2, true]);
    assert.deepEqual(await search(`branch=${b3!.slug}`), [[], 0, true]);
    // a copy gone missing leaves the branch at once
    await inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('item').set({ status: 'missing' }).where('titleId', '=', held.id).execute());
    assert.deepEqual(await search(`branch=${b1!.slug}`), [[], 0, true]);
  });
});
