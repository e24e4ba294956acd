// The holdings and decade lexemes of the search document (migration 0103): kept by the item
// triggers as copies come, go, move and are checked out, each library writing only its own, and
// used by the filtered pass as prefilters of "available", "held at branch" and a year range.
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

const key = (id: string) => id.slice(0, 8);

/** The title's lexemes of one kind ('o=', 'h=', 'y='), sorted. */
async function lexemes(titleId: string, prefix: string): Promise<string[]> {
  const r = await sql<{ l: string }>`select l from title, unnest(tsvector_to_array(search_vector)) l
    where id = ${titleId} and l like ${`${prefix}%`} order by l`.execute(t.db.kysely);
  return r.rows.map((x) => x.l);
}

async function branches(library: string): Promise<{ id: string; slug: string }[]> {
  return inTenant(t.db.kysely, library, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', library).orderBy('slug').execute());
}

describe('holdings lexemes kept by the copies', () => {
  test('a copy adds its library and branch; check-out changes nothing; withdrawing, moving and deleting take them away', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Lexemen van bezit', year: 1987 });
    assert.deepEqual(await lexemes(title.id, 'y='), ['y=198']);
    assert.deepEqual(await lexemes(title.id, 'o='), []);
    const [b1, b2] = await branches(utrecht);
    const first = await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: b1!.slug });
    assert.deepEqual(await lexemes(title.id, 'o='), [`o=${key(utrecht)}`]);
    assert.deepEqual(await lexemes(title.id, 'h='), [`h=${key(b1!.id)}`]);
    const second = await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: b2!.slug });
    assert.deepEqual(await lexemes(title.id, 'h='), [`h=${key(b1!.id)}`, `h=${key(b2!.id)}`].sort());

    const updatedAt = async () => (await t.db.kysely.selectFrom('title').select('updatedAt').where('id', '=', title.id).executeTakeFirstOrThrow()).updatedAt;
    const before = await updatedAt();
    const setItem = (id: string, values: { status?: 'on_loan' | 'available' | 'withdrawn' | 'missing'; branchId?: string }) =>
      inTenant(t.db.kysely, utrecht, (tx) => tx.updateTable('item').set(values).where('id', '=', id).execute());
    await setItem(second.id, { status: 'on_loan' });
    await setItem(second.id, { status: 'available' });
    assert.deepEqual(await lexemes(title.id, 'h='), [`h=${key(b1!.id)}`, `h=${key(b2!.id)}`].sort());
    assert.deepEqual(await updatedAt(), before, 'holdings are not an edit of the title');

    await setItem(second.id, { status: 'withdrawn' });
    assert.deepEqual(await lexemes(title.id, 'h='), [`h=${key(b1!.id)}`]);
    await setItem(first.id, { branchId: b2!.id });
    assert.deepEqual(await lexemes(title.id, 'h='), [`h=${key(b2!.id)}`]);
    await setItem(first.id, { status: 'missing' });
    assert.deepEqual([await lexemes(title.id, 'o='), await lexemes(title.id, 'h=')], [[], []]);
    await setItem(first.id, { status: 'available' });
    assert.deepEqual(await lexemes(title.id, 'o='), [`o=${key(utrecht)}`]);
    await inTenant(t.db.kysely, utrecht, (tx) => tx.deleteFrom('item').where('titleId', '=', title.id).execute());
    assert.deepEqual(await lexemes(title.id, 'o='), []);
  });

  test("each library writes only its own; an edit of the title keeps them all and moves the decade", async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Gedeeld bezit', year: 2003 });
    await buildItem(t.db.kysely, utrecht, { titleId: title.id });
    const [hague] = await branches(denHaag);
    const theirs = await buildItem(t.db.kysely, denHaag, { titleId: title.id, branchSlug: hague!.slug });
    assert.deepEqual(await lexemes(title.id, 'o='), [`o=${key(utrecht)}`, `o=${key(denHaag)}`].sort());
    await inTenant(t.db.kysely, denHaag, (tx) => tx.updateTable('item').set({ status: 'withdrawn' }).where('id', '=', theirs.id).execute());
    assert.deepEqual(await lexemes(title.id, 'o='), [`o=${key(utrecht)}`]);
    await t.db.kysely.updateTable('title').set({ title: 'Gedeeld bezit (herzien)', year: 2011 }).where('id', '=', title.id).execute();
    assert.deepEqual([await lexemes(title.id, 'o='), await lexemes(title.id, 'y=')], [[`o=${key(utrecht)}`], ['y=201']]);
  });

  test('two libraries adding a copy of one title at the same moment both keep theirs', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Tegelijk aangeschaft' });
    const [ours] = await branches(utrecht);
    const [hague] = await branches(denHaag);
    const insert = (library: string, branchId: string) => sql`insert into item (library_id, title_id, branch_id, barcode)
      values (${library}, ${title.id}, ${branchId}, ${makeBarcodeForTest()})`;
    let inserted!: () => void;
    let sawWaiter = false;
    const firstInserted = new Promise<void>((r) => { inserted = r; });
    // On PostgreSQL the first transaction holds the title's lock until the second waits for it;
    // PGlite has one connection, so there the two run one after the other.
    const first = inTenant(t.db.kysely, utrecht, async (tx) => {
      await insert(utrecht, ours!.id).execute(tx);
      inserted();
      if (engine() === 'postgres') {
        for (let i = 0; i < 200; i++) {
          const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db.kysely);
          if (waiting.rows[0]!.n > 0) { sawWaiter = true; break; }
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    });
    const second = (async () => {
      if (engine() === 'postgres') await firstInserted;
      else await first;
      await inTenant(t.db.kysely, denHaag, (tx) => insert(denHaag, hague!.id).execute(tx));
    })();
    await Promise.all([first, second]);
    if (engine() === 'postgres') assert.ok(sawWaiter, 'the second writer waited for the title the first had locked');
    assert.deepEqual(await lexemes(title.id, 'o='), [`o=${key(utrecht)}`, `o=${key(denHaag)}`].sort());
    assert.deepEqual(await lexemes(title.id, 'h='), [`h=${key(ours!.id)}`, `h=${key(hague!.id)}`].sort());
  });
});

describe('holdings lexemes in the filtered pass', () => {
  test('past the bound, "available at a branch" and "held by this library" find an unpopular copy exactly', async () => {
    // more popular matches of the word than the candidate bound, none of them held anywhere
    const works = await t.db.kysely.insertInto('work').values(Array.from({ length: 230 }, () => ({ ownerLibraryId: null }))).returning('id').execute();
    await t.db.kysely.insertInto('title').values(works.map((w, i) => ({
      workId: w.id, source: 'test', sourceId: crypto.randomUUID(), format: 'book' as const, title: `Kantklosboek ${i}`, popularity: 1000 + i, year: 1960,
    }))).execute();
    const held = await buildTitle(t.db.kysely, { title: 'Kantklosboek voor de bieb', popularity: 0, year: 2019 });
    const lent = await buildTitle(t.db.kysely, { title: 'Kantklosboek uitgeleend', popularity: 0, year: 2019 });
    const [b1, b2] = await branches(utrecht);
    await buildItem(t.db.kysely, utrecht, { titleId: held.id, branchSlug: b1!.slug });
    await buildItem(t.db.kysely, utrecht, { titleId: lent.id, branchSlug: b2!.slug, status: 'on_loan' });
    const search = async (qs: string) => {
      const r = await t.app.inject({ url: `/api/v1/libraries/utrecht/search?q=kantklosboek&${qs}` });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json() as { total: number; totalExact: boolean; results: { id: string }[] };
      return [body.results.map((x) => x.id).sort(), body.total, body.totalExact];
    };
    assert.deepEqual(await search('availability=available'), [[held.id], 1, true]);
    assert.deepEqual(await search('availability=on_loan'), [[lent.id], 1, true]);
    assert.deepEqual(await search(`branch=${b1!.slug}&availability=available`), [[held.id], 1, true]);
    assert.deepEqual(await search(`branch=${b2!.slug}&availability=available`), [[], 0, true]);
    assert.deepEqual(await search(`branch=${b1!.slug}&branch=${b2!.slug}`), [[held.id, lent.id].sort(), 2, true]);
    assert.deepEqual(await search('yearFrom=2015&yearTo=2020'), [[held.id, lent.id].sort(), 2, true]);
    // the decade prefilter is exact only by the test after it: 2010–2014 shares the decade and finds nothing
    assert.deepEqual(await search('yearFrom=2010&yearTo=2014'), [[], 0, true]);
    // another library's portal: not held there
    const hague = await t.app.inject({ url: '/api/v1/libraries/den-haag/search?q=kantklosboek&availability=available' });
    assert.equal((hague.json() as { total: number }).total, 0);
  });
});
