// One search on a real database (demo catalogue plus titles built here): Dutch stemming, accent
// folding, field weights, popularity, typo suggestions, combining facets, sort, pagination and
// bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { sql } from 'kysely';
import { buildItem, buildTitle, libraryId } from '../../../test/support/catalogue-factory.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import {
  CANDIDATE_LIMIT, hasFilters, pageTitlesFor, readSearch, SAMPLE_CANDIDATE_LIMIT, search as searchTitles, SEARCH_SETTINGS, searchQuery, searchStatement,
  titlesOfWorksQuery,
} from './discovery.repository.ts';
import { lexemeStats, PLAIN, TIER_BY_TIER, type ScanPlan } from './lexeme-stats.ts';
import { parseSearchRequest, type SearchRequest } from './query.ts';
import { tenantReads } from '../../platform/db/tenant-reads.ts';

let t: TestApp;
let utrecht: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db.kysely, 'utrecht');
});
after(async () => { await t.close(); });

interface Body {
  total: number;
  totalExact: boolean;
  results: { id: string; workId: string; title: string; contributors: string; year: number | null; formats: { format: string; availability: { available: number; branches: { branchSlug: string; available: number }[] } }[] }[];
  facets: Record<string, { value: string; count: number; selected: boolean }[]> & { year: { min: number | null; max: number | null } };
  suggestion: string | null;
  code?: string;
}

async function search(query: string, slug = 'utrecht'): Promise<{ status: number; body: Body; type: string }> {
  const r = await t.app.inject({ url: `/api/v1/libraries/${slug}/search${query ? `?${query}` : ''}` });
  return { status: r.statusCode, body: r.json() as Body, type: String(r.headers['content-type']) };
}

describe('finding titles', () => {
  test('Dutch stemming: the plural finds the singular and back', async () => {
    const plural = await search('q=gedichten');
    const singular = await search('q=gedicht');
    assert.ok(plural.body.total > 10);
    assert.equal(plural.body.total, singular.body.total);
  });

  test('accent folding: a query without accents finds titles with them, and the other way round', async () => {
    const plain = await search('q=poezie');
    const accented = await search('q=po%C3%ABzie');
    assert.ok(plain.body.total > 10);
    assert.equal(plain.body.total, accented.body.total);
    const bude = await search('q=Bude');
    assert.ok(bude.body.results.some((r) => r.contributors.includes('Budé')));
  });

  test('a word in the title ranks above the same word as the author, which ranks above the genre', async () => {
    await buildTitle(t.db.kysely, { title: 'Over iets anders', contributorNames: 'Xylofoonia Klank', popularity: 10 });
    await buildTitle(t.db.kysely, { title: 'Xylofoonia', contributorNames: 'Iemand', popularity: 10 });
    await buildTitle(t.db.kysely, { title: 'Nog iets', genres: ['xylofoonia'], popularity: 10 });
    const r = await search('q=xylofoonia');
    assert.deepEqual(r.body.results.map((x) => x.title), ['Xylofoonia', 'Over iets anders', 'Nog iets']);
  });

  test('between equal matches, the more popular title comes first', async () => {
    await buildTitle(t.db.kysely, { title: 'Quokkaverhalen deel een', popularity: 1 });
    await buildTitle(t.db.kysely, { title: 'Quokkaverhalen deel twee', popularity: 300 });
    const r = await search('q=quokkaverhalen');
    assert.deepEqual(r.body.results.map((x) => x.title), ['Quokkaverhalen deel twee', 'Quokkaverhalen deel een']);
  });

  test('a book and its e-book are one result with both formats', async () => {
    const r = await search('q=%22Max+Havelaar%22&kind=title');
    assert.ok(r.body.total > 0);
    const workIds = r.body.results.map((x) => x.workId);
    assert.equal(new Set(workIds).size, workIds.length, 'no work appears twice');
    assert.ok(r.body.results.some((x) => x.formats.map((f) => f.format).sort().join() === 'book,ebook'));
  });

  test('a misspelled author gets "Bedoelde u" with the right word, and that finds titles', async () => {
    const wrong = await search('q=vestdyk');
    assert.equal(wrong.body.total, 0);
    assert.equal(wrong.body.suggestion, 'vestdijk');
    const right = await search(`q=${wrong.body.suggestion}`);
    assert.ok(right.body.total > 5);
    assert.equal(right.body.suggestion, null);
  });

  test('"Bedoelde u" also corrects a misspelling in the first letters (the whole vocabulary is searched then)', async () => {
    // the words starting with "fe" hold nothing like it; "vestdijk" is found by its trigrams
    const wrong = await search('q=festdijk');
    assert.equal(wrong.body.suggestion, 'vestdijk');
  });

  test("a local title is found in its own library's search and nowhere else", async () => {
    await buildTitle(t.db.kysely, { title: 'Domtorenkroniek', ownerLibraryId: utrecht, source: 'local' });
    assert.equal((await search('q=domtorenkroniek')).body.total, 1);
    assert.equal((await search('q=domtorenkroniek', 'amsterdam')).body.total, 0);
    assert.equal((await search('q=domtorenkronie', 'amsterdam')).body.suggestion, null, 'its words are not suggested elsewhere either');
  });
});

describe('facets', () => {
  test('values within a facet combine with OR, facets with AND; counts stay visible for other values', async () => {
    await buildTitle(t.db.kysely, { title: 'Zebravink boek', format: 'book' });
    await buildTitle(t.db.kysely, { title: 'Zebravink digitaal', format: 'ebook', openAccessUrl: 'https://example.org/z.epub' });
    await buildTitle(t.db.kysely, { title: 'Zebravink blad', format: 'magazine' });
    const all = await search('q=zebravink');
    const books = await search('q=zebravink&format=book');
    const both = await search('q=zebravink&format=book&format=ebook');
    assert.deepEqual([all.body.total, books.body.total, both.body.total], [3, 1, 2]);
    // the format facet still offers e-books and magazines (with their counts) while books are selected
    const counts = Object.fromEntries(books.body.facets.format!.map((f) => [f.value, [f.count, f.selected]]));
    assert.deepEqual(counts, { book: [1, true], ebook: [1, false], magazine: [1, false] });
    // another facet counts only within the selected formats
    assert.deepEqual(books.body.facets.availability, []);
    assert.equal(both.body.facets.availability!.find((f) => f.value === 'digital')!.count, 1);
    // AND: e-books have no copies on a shelf
    const none = await search('q=zebravink&format=ebook&availability=available');
    assert.equal(none.body.total, 0);
  });

  test('"available now at my branch" returns only titles with a copy on the shelf there', async () => {
    const r = await search('availability=available&branch=zuid&pageSize=50');
    assert.ok(r.body.total > 0);
    for (const x of r.body.results) {
      const here = x.formats.flatMap((f) => f.availability.branches).filter((b) => b.branchSlug === 'zuid' && b.available > 0);
      assert.ok(here.length > 0, `${x.title} is on the shelf in zuid`);
    }
  });

  test('a copy at a branch opened after the branch list was cached is shown under that branch\'s name', async () => {
    const title = await buildTitle(t.db.kysely, { title: 'Zeppelinvaart boven de Dom' });
    await search('q=zeppelinvaart'); // the portal's branch list is cached now, without the new branch
    await inTenant(t.db.kysely, utrecht, (tx) => tx.insertInto('branch').values({
      libraryId: utrecht, slug: 'dom-pop-up', name: 'Pop-up bij de Dom', street: 'Domplein', houseNumber: '1', postcode: '3512 JC',
      city: 'Utrecht', municipalityCode: 'GM0344',
    }).execute());
    await buildItem(t.db.kysely, utrecht, { titleId: title.id, branchSlug: 'dom-pop-up' });
    const r = await search('q=zeppelinvaart');
    const branches = r.body.results.find((x) => x.id === title.id)?.formats.flatMap((f) => f.availability.branches);
    assert.deepEqual(branches?.map((b) => [b.branchSlug, (b as { branchName?: string }).branchName, b.available]), [['dom-pop-up', 'Pop-up bij de Dom', 1]]);
  });

  test('the branch and availability facets count the works held at each branch, as the database has them', async () => {
    const r = await search('q=gedichten');
    assert.equal(r.body.totalExact, true);
    const matching = sql`t.search_vector @@ websearch_to_tsquery('dutch', eenbieb_fold('gedichten'))
      and (t.owner_library_id is null or t.owner_library_id = ${utrecht})`;
    const held = await sql<{ slug: string; n: number }>`
      select b.slug, count(distinct t.work_id)::int as n from title t
      join item i on i.title_id = t.id and i.library_id = ${utrecht} and i.status not in ('missing', 'withdrawn')
      join branch b on b.id = i.branch_id
      where ${matching} group by b.slug`.execute(t.db.kysely);
    assert.ok(held.rows.length > 1);
    assert.deepEqual(
      Object.fromEntries(r.body.facets.branch!.map((f) => [f.value, f.count])),
      Object.fromEntries(held.rows.map((x) => [x.slug, x.n])));
    const available = await sql<{ n: number }>`select count(distinct t.work_id)::int as n from title t where ${matching}
      and exists (select 1 from item i where i.title_id = t.id and i.library_id = ${utrecht} and i.status = 'available')`.execute(t.db.kysely);
    assert.equal(r.body.facets.availability!.find((f) => f.value === 'available')?.count ?? 0, available.rows[0]!.n);
  });

  test('"read digitally now" returns titles with an open e-book', async () => {
    const r = await search('q=roman&availability=digital');
    assert.ok(r.body.total > 0);
    assert.ok(r.body.results.every((x) => x.formats.some((f) => f.format === 'ebook')));
  });

  test('audience, AVI level and a year range narrow the results', async () => {
    const avi = await search('avi=E3&avi=M4');
    assert.ok(avi.body.total > 0);
    assert.ok(avi.body.facets.avi!.filter((v) => v.selected).length === 2);
    const years = await search('q=gedichten&yearFrom=1800&yearTo=1850&pageSize=50');
    assert.ok(years.body.total > 0);
    assert.ok(years.body.results.every((x) => x.year !== null && x.year >= 1800 && x.year <= 1850));
  });

  test('asking only for activities finds no titles, and the kind facet still counts them', async () => {
    const r = await search('q=gedichten&kind=activity');
    assert.equal(r.status, 200);
    assert.equal(r.body.total, 0);
    assert.ok(r.body.facets.kind!.find((k) => k.value === 'title')!.count > 10);
  });
});

describe('the candidate bound', () => {
  test('past the bound, a filter is applied before it, so rare matches are not lost among popular titles', async () => {
    // an unpopular magazine-free e-book in 1850 among thousands of browse candidates
    const rare = await buildTitle(t.db.kysely, { title: 'Vergeten uitgave', format: 'audiobook', year: 1850, popularity: 0 });
    const r = await search('format=audiobook');
    assert.ok(r.body.results.some((x) => x.id === rare.id));
    assert.equal(r.body.totalExact, true);
  });
});

describe('filters as lexemes of the search document', () => {
  test('a rare value under a word with more matches than the bound is found exactly; typing a facet lexeme matches nothing', async () => {
    // more popular matches of the word than CANDIDATE_LIMIT, all Dutch books for adults
    await t.db.kysely.insertInto('work').values(Array.from({ length: 230 }, () => ({ ownerLibraryId: null }))).execute();
    const works = await t.db.kysely.selectFrom('work').select('id').where('ownerLibraryId', 'is', null).orderBy('createdAt', 'desc').limit(230).execute();
    await t.db.kysely.insertInto('title').values(works.map((w, i) => ({
      workId: w.id, source: 'test', sourceId: crypto.randomUUID(), format: 'book' as const, language: 'dut', title: `Zeilbootverhalen deel ${i}`,
      audience: 'adults' as const, popularity: 1000 + i, year: 2001,
    }))).execute();
    const rare = await buildTitle(t.db.kysely, { title: 'Zeilbootverhalen voor beginners', language: 'fry', audience: 'children', aviLevel: 'E3', year: 1990, popularity: 0 });
    const first = await search('q=zeilbootverhalen');
    assert.equal(first.body.totalExact, false);
    assert.ok(!first.body.results.some((x) => x.id === rare.id));
    // all filters are lexemes: words and values found together, exactly
    const lexemes = await search('q=zeilbootverhalen&language=fry&avi=E3&audience=children');
    assert.deepEqual([lexemes.body.results.map((x) => x.id), lexemes.body.total, lexemes.body.totalExact], [[rare.id], 1, true]);
    // a residual filter (the year) on top: the bounded filtered pass, driven by the same lexemes
    const residual = await search('q=zeilbootverhalen&language=fry&yearFrom=1980&yearTo=1995');
    assert.deepEqual(residual.body.results.map((x) => x.id), [rare.id]);
    // the document holds the values; the parser never makes a lexeme with '=', so typing one finds nothing
    const doc = await t.db.kysely.selectFrom('title').select((eb) => eb.fn<string[]>('tsvector_to_array', ['searchVector']).as('lexemes'))
      .where('id', '=', rare.id).executeTakeFirstOrThrow();
    for (const l of ['f=book', 'l=fry', 'a=children', 'v=E3', 'y=199']) assert.ok(doc.lexemes.includes(l), l);
    const typed = await search(`q=${encodeURIComponent('l=fry v=E3')}`);
    assert.ok(!typed.body.results.some((x) => x.id === rare.id));
    // the decade only lets titles through to the exact test of the years: 1991–1999 is its decade, not its year
    const sameDecade = await search('q=zeilbootverhalen&language=fry&yearFrom=1991&yearTo=1999');
    assert.deepEqual([sameDecade.body.total, sameDecade.body.totalExact], [0, true]);
    // a new year moves the decade
    await t.db.kysely.updateTable('title').set({ year: 2004 }).where('id', '=', rare.id).execute();
    const moved = await sql<{ l: string }>`select l from title, unnest(tsvector_to_array(search_vector)) l where id = ${rare.id} and l like 'y=%'`.execute(t.db.kysely);
    assert.deepEqual(moved.rows.map((r) => r.l), ['y=200']);
    assert.deepEqual((await search('q=zeilbootverhalen&language=fry&yearFrom=2000&yearTo=2009')).body.results.map((x) => x.id), [rare.id]);
  });

  test('a single filtered pass counts its facets among what it found: a chosen facet shows its chosen values', async () => {
    // (the pass a filtered search takes when the statistics say its words surely reach the bound)
    const e = await buildTitle(t.db.kysely, { title: 'Zeilbootverhalen op het scherm', format: 'ebook', language: 'dut', audience: 'adults', popularity: 5 });
    const request = parseSearchRequest({ q: 'zeilbootverhalen', format: 'ebook,audiobook' }).request;
    const [single, first] = await inTenant(t.db.kysely, utrecht, async (tx) => {
      const window = { offset: 0, limit: 20 };
      return [await searchTitles(tx, utrecht, request, [], request.q, true, window, PLAIN, true),
        await searchTitles(tx, utrecht, request, [], request.q, false, window, PLAIN)];
    });
    assert.deepEqual([single.hits.map((h) => h.titleId), single.total], [[e.id], 1]);
    const of = (rows: typeof single, facet: string) => Object.fromEntries(rows.facets.filter((f) => f.facet === facet).map((f) => [f.value, f.count]));
    // drill-down: the format facet holds only the chosen value found; the other facets count the e-book alone
    assert.deepEqual(of(single, 'format'), { ebook: 1 });
    assert.deepEqual(of(single, 'language'), { dut: 1 });
    assert.deepEqual(of(single, 'kind'), { title: 1 });
    // the first pass of the two-pass search counts among the most popular matches, books included
    assert.ok(of(first, 'format').book! > 100, JSON.stringify(of(first, 'format')));
    // without countFacets the filtered pass counts nothing (the two-pass search shows the first pass's)
    const uncounted = await inTenant(t.db.kysely, utrecht, async (tx) => {
      return searchTitles(tx, utrecht, request, [], request.q, true, { offset: 0, limit: 20 }, PLAIN);
    });
    assert.deepEqual(uncounted.facets, []);
  });
});

describe('the filtered pass tier by tier of popularity', () => {
  test('finds exactly the most popular matches of words and values, across tiers, after a tier refresh', async () => {
    // 260 Frisian matches of one word spread over the whole popularity range, among other titles
    const works = await t.db.kysely.insertInto('work').values(Array.from({ length: 300 }, () => ({ ownerLibraryId: null }))).returning('id').execute();
    const rows = works.map((w, i) => ({
      workId: w.id, source: 'test', sourceId: crypto.randomUUID(), format: 'book' as const, title: `Ganzenveer ${i}`,
      language: i < 260 ? 'fry' : 'dut', popularity: (i * 7919) % 5000,
    }));
    await t.db.kysely.insertInto('title').values(rows).execute();
    const changed = await sql<{ n: number }>`select eenbieb_refresh_popularity_tiers() as n`.execute(t.db.kysely);
    assert.ok(changed.rows[0]!.n > 0);
    const tiers = await sql<{ n: number }>`select count(*)::int as n from search_popularity_tier`.execute(t.db.kysely);
    assert.equal(tiers.rows[0]!.n, 3);
    // every title's tier lexeme agrees with its popularity under the new thresholds
    const wrong = await sql<{ n: number }>`select count(*)::int as n from title
      where not search_vector @@ ('''p=' || eenbieb_popularity_tier(popularity) || '''')::tsquery`.execute(t.db.kysely);
    assert.equal(wrong.rows[0]!.n, 0);

    const { request } = parseSearchRequest({ q: 'ganzenveer', language: 'fry' });
    const found = await inTenant(t.db.kysely, utrecht, async (tx) => {
      return searchTitles(tx, utrecht, request, [], request.q, true, { offset: 0, limit: 1000 }, { pass: 'tiered', rowFilters: [], indexWords: null, tiers: TIER_BY_TIER });
    });
    const expected = rows.map((r, i) => ({ ...r, i })).filter((r) => r.language === 'fry')
      .sort((a, b) => b.popularity - a.popularity).slice(0, CANDIDATE_LIMIT).map((r) => r.sourceId);
    const ids = await t.db.kysely.selectFrom('title').select(['id', 'sourceId']).where('sourceId', 'in', expected).execute();
    assert.equal(found.candidates, CANDIDATE_LIMIT);
    assert.deepEqual(new Set(found.hits.map((h) => h.titleId)), new Set(ids.map((r) => r.id)));
    // the first two tiers in one scan find the same, in the same order
    const grouped = await inTenant(t.db.kysely, utrecht, async (tx) => {
      return searchTitles(tx, utrecht, request, [], request.q, true, { offset: 0, limit: 1000 }, { pass: 'tiered', rowFilters: [], indexWords: null, tiers: [[1, 2], [3], [4]] });
    });
    assert.deepEqual(grouped.hits.map((h) => h.titleId), found.hits.map((h) => h.titleId));

    // "available" and "on loan" tier by tier (the tiers then ask the index for titles held at the
    // library) find what the plain pass finds: copies on the shelf at Utrecht, on loan there, and
    // at another library only (which neither finds)
    const insertedIds = await t.db.kysely.selectFrom('title').select(['id', 'sourceId']).where('sourceId', 'in', rows.map((r) => r.sourceId)).execute();
    const idOf = new Map(insertedIds.map((x) => [x.sourceId, x.id]));
    const denHaag = await libraryId(t.db.kysely, 'den-haag');
    for (const [i, r] of rows.entries()) {
      if (i % 3 === 0) await buildItem(t.db.kysely, utrecht, { titleId: idOf.get(r.sourceId)!, status: i % 2 ? 'available' : 'on_loan' });
      else if (i % 3 === 1) await buildItem(t.db.kysely, denHaag, { titleId: idOf.get(r.sourceId)! });
    }
    for (const availability of ['available', 'on_loan']) {
      const filtered = parseSearchRequest({ q: 'ganzenveer', availability }).request;
      const [tiered, plain] = await inTenant(t.db.kysely, utrecht, async (tx) => {
        const window = { offset: 0, limit: 1000 };
        return [await searchTitles(tx, utrecht, filtered, [], filtered.q, true, window, { pass: 'tiered', rowFilters: [], indexWords: null, tiers: [[1, 2], [3], [4]] }),
          await searchTitles(tx, utrecht, filtered, [], filtered.q, true, window, PLAIN)];
      });
      assert.ok(plain.total > 20, availability);
      assert.deepEqual(tiered.hits.map((h) => h.titleId), plain.hits.map((h) => h.titleId), availability);
      // exactly the titles with such a copy at Utrecht, as built above (the pass reads each row's
      // copies once and tests them: the copies carried to the candidates decide)
      const expected = rows.flatMap((r, i) => (i % 3 === 0 && (availability === 'available') === (i % 2 === 1) ? [idOf.get(r.sourceId)!] : []));
      assert.deepEqual(new Set(plain.hits.map((h) => h.titleId)), new Set(expected), availability);
      assert.deepEqual(plain.total, expected.length, availability);
    }

    // the first pass tiered (words only) finds the same top of the word's matches as the plain one
    const bare = parseSearchRequest({ q: 'ganzenveer' }).request;
    const [tiered, plain] = await inTenant(t.db.kysely, utrecht, async (tx) => {
      const window = { offset: 0, limit: 1000 };
      return [await searchTitles(tx, utrecht, bare, [], bare.q, false, window, { pass: 'tiered', rowFilters: [], indexWords: null, tiers: TIER_BY_TIER }), await searchTitles(tx, utrecht, bare, [], bare.q, false, window, PLAIN)];
    });
    assert.equal(tiered.candidates, CANDIDATE_LIMIT);
    assert.deepEqual(tiered.hits.map((h) => h.titleId), plain.hits.map((h) => h.titleId));
    const sorted = (f: typeof plain.facets) => [...f].sort((a, b) => `${a.facet}/${a.value}`.localeCompare(`${b.facet}/${b.value}`));
    assert.deepEqual(sorted(tiered.facets), sorted(plain.facets));

    // only some words asked of the index, the whole query tested on each row: the same matches.
    // The index is asked for 'ganzenver' alone (all 300 titles above); the row test must leave
    // only those the whole query matches — a word, a phrase, a NOT
    for (const q of ['ganzenveer 7', '"ganzenveer 7"', 'ganzenveer -7']) {
      const request = parseSearchRequest({ q }).request;
      const [whole, partial] = await inTenant(t.db.kysely, utrecht, async (tx) => {
        const window = { offset: 0, limit: 1000 };
        return [await searchTitles(tx, utrecht, request, [], q, false, window, PLAIN),
          await searchTitles(tx, utrecht, request, [], q, false, window, { pass: 'tiered', rowFilters: [], indexWords: ['ganzenver'], tiers: TIER_BY_TIER })];
      });
      assert.ok(whole.total > 0, q);
      assert.deepEqual([partial.total, partial.hits.map((h) => h.titleId)], [whole.total, whole.hits.map((h) => h.titleId)], q);
    }
  });
});

describe('the popularity walk for common words and values', () => {
  test('finds exactly what the plain pass finds; it and the branch pass are planned once per connection', async () => {
    // the most common word of the demo catalogue, alone, with filters, and browsing with one
    const { rows: [common] } = await sql<{ word: string }>`select v.word from (
        select word, ndoc from search_vocabulary where numnode(websearch_to_tsquery('dutch', word)) > 0 order by ndoc desc, word limit 10) v
      where (select count(*) from title b where b.search_vector @@ websearch_to_tsquery('dutch', v.word)
               and b.format = 'book' and b.year between 1900 and 1950) > 0
      order by v.ndoc desc, v.word limit 1`.execute(t.db.kysely);
    const walk = { pass: 'walk' as const, rowFilters: [], indexWords: null, tiers: [] };
    const window = { offset: 0, limit: 1000 };
    // as the service sends it, with how many generic plans the session's statements have run so far
    const viaStatement = async (request: SearchRequest, branchIds: string[], push: boolean, plan: ScanPlan) => {
      const statement = searchStatement(false, utrecht, request, branchIds, request.q || null, push, plan);
      const [[row], [kept]] = await tenantReads(t.db.kysely, utrecht,
        [statement, sql<{ n: number }>`select coalesce(sum(generic_plans), 0)::int as n from pg_prepared_statements`] as const, SEARCH_SETTINGS);
      return { plan: statement.plan, generic: kept!.n, rows: readSearch(row!, request, branchIds, window, !push) };
    };
    // run twice: the server ran the second from a generic plan (the count grew), with the same rows
    const twice = async (request: SearchRequest, branchIds: string[], push: boolean, plan: ScanPlan) => {
      const first = await viaStatement(request, branchIds, push, plan);
      const second = await viaStatement(request, branchIds, push, plan);
      assert.deepEqual([first.plan, second.plan], ['generic', 'generic']);
      assert.ok(second.generic > first.generic, `generic plans ${first.generic} → ${second.generic}`);
      assert.deepEqual([second.rows.total, second.rows.hits, second.rows.facets], [first.rows.total, first.rows.hits, first.rows.facets]);
      return second.rows;
    };
    const cases: [Record<string, string>, boolean][] = [
      [{ q: common!.word }, false],
      [{ q: common!.word, format: 'book' }, true],
      [{ q: common!.word, format: 'book', language: 'dut' }, true],
      [{ q: common!.word, availability: 'available' }, true],
      [{ q: common!.word, yearFrom: '1900', yearTo: '1950' }, true],
      [{ q: '', format: 'book' }, true],
    ];
    for (const [raw, push] of cases) {
      const request = parseSearchRequest(raw).request;
      const textQuery = request.q || null;
      const [walked, plain] = await inTenant(t.db.kysely, utrecht, async (tx) => [
        await searchTitles(tx, utrecht, request, [], textQuery, push, window, walk),
        await searchTitles(tx, utrecht, request, [], textQuery, push, window, PLAIN),
      ]);
      const label = JSON.stringify(raw);
      assert.ok(plain.total > 0, label);
      assert.deepEqual([walked.total, walked.candidates, walked.hits.map((h) => [h.titleId, h.score])],
        [plain.total, plain.candidates, plain.hits.map((h) => [h.titleId, h.score])], label);
      assert.deepEqual(walked.facets, plain.facets, label);
      // as the service sends it: a prepared statement with its plan kept, the same as planned for the values
      const kept = await twice(request, [], push, walk);
      assert.deepEqual([kept.total, kept.hits.map((h) => [h.titleId, h.score]), kept.facets],
        [plain.total, plain.hits.map((h) => [h.titleId, h.score]), plain.facets], label);
    }
    // few matches: every one from the GIN index, a kept plan too — a word, with a value in the
    // index and one tested on the rows, and with more than one word
    const few: ScanPlan = { pass: 'index', rowFilters: [], indexWords: null, tiers: [] };
    const { rows: [rare] } = await sql<{ word: string }>`select word from search_vocabulary
      where numnode(websearch_to_tsquery('dutch', word)) > 0 and ndoc between 3 and 30 order by ndoc desc, word limit 1`.execute(t.db.kysely);
    const fewCases: [Record<string, string>, boolean, ScanPlan][] = [
      [{ q: rare!.word }, false, few],
      [{ q: `${rare!.word} ${common!.word}` }, false, few],
      [{ q: common!.word, format: 'book' }, true, { ...few, indexWords: [] }],
      [{ q: rare!.word, format: 'book' }, true, few],
      [{ q: rare!.word, format: 'book', language: 'dut' }, true, { ...few, rowFilters: [['l=dut']] }],
    ];
    for (const [raw, push, plan] of fewCases) {
      const request = parseSearchRequest(raw).request;
      const planned = await inTenant(t.db.kysely, utrecht, (tx) => searchTitles(tx, utrecht, request, [], request.q, push, window, PLAIN));
      const kept = await twice(request, [], push, plan);
      assert.deepEqual([kept.total, kept.hits.map((h) => [h.titleId, h.score])],
        [planned.total, planned.hits.map((h) => [h.titleId, h.score])], JSON.stringify(raw));
    }
    // the branch pass: at the branch holding most of the word's matches, as prepared and kept, and as planned for the values
    const { rows: [held] } = await sql<{ slug: string; id: string }>`select b.slug, b.id from branch b join item i on i.branch_id = b.id
      join title r on r.id = i.title_id where b.library_id = ${utrecht} and r.search_vector @@ websearch_to_tsquery('dutch', ${common!.word})
      group by b.id, b.slug order by count(*) desc, b.id limit 1`.execute(t.db.kysely);
    for (const availability of [[], ['available']]) {
      const request = parseSearchRequest({ q: common!.word, branch: held!.slug, availability }).request;
      const planned = await inTenant(t.db.kysely, utrecht, (tx) => searchTitles(tx, utrecht, request, [held!.id], request.q, true, window, PLAIN));
      assert.ok(planned.total > 0);
      const kept = await twice(request, [held!.id], true, PLAIN);
      assert.deepEqual([kept.total, kept.hits.map((h) => [h.titleId, h.score])], [planned.total, planned.hits.map((h) => [h.titleId, h.score])]);
    }
    const request = parseSearchRequest({ q: common!.word, branch: held!.slug }).request;
    const branch = held!;
    assert.equal(searchStatement(false, utrecht, request, [], request.q, false, walk).plan, 'generic');
    assert.equal(searchStatement(true, utrecht, request, [], request.q, false, walk).plan, 'custom', 'a phrase: planned for its values');
    assert.equal(searchStatement(false, utrecht, request, [branch.id], request.q, true, PLAIN).plan, 'generic', 'the branch pass starts from the holdings');
    assert.equal(searchStatement(false, utrecht, request, [branch.id], request.q, false, PLAIN).plan, 'custom', 'a first pass with a branch filter');
    assert.equal(searchStatement(false, utrecht, request, [], request.q, false, PLAIN).plan, 'custom');
    assert.equal(searchStatement(false, utrecht, request, [], request.q, true, { ...walk, pass: 'tiered', tiers: TIER_BY_TIER }).plan, 'custom');
  });
});

describe('lexeme statistics', () => {
  test('are read from the planner\'s statistics: the share of titles holding each common lexeme', async () => {
    await sql`analyze title`.execute(t.db.kysely);
    const stats = await inTenant(t.db.kysely, utrecht, (tx) => lexemeStats(tx, {}));
    assert.ok(stats.titles > 1000, String(stats.titles));
    // the demo catalogue is mostly Dutch books: their facet lexemes are among the most common
    const book = stats.freq.get('f=book');
    assert.ok(book !== undefined && book > 0.3 && book <= 1, String(book));
    assert.ok(stats.floor > 0 && stats.floor <= book);
  });
});

describe('sort and pages', () => {
  test('newest first sorts by year, title sorts alphabetically without the article', async () => {
    const newest = await search('q=gedichten&sort=newest');
    const years = newest.body.results.map((x) => x.year ?? -1);
    assert.deepEqual(years, [...years].sort((a, b) => b - a));
    await buildTitle(t.db.kysely, { title: 'De Aardvarkwoorden', popularity: 0 });
    await buildTitle(t.db.kysely, { title: 'Aardvarkwoorden B', popularity: 99 });
    const byTitle = await search('q=aardvarkwoorden&sort=title');
    assert.deepEqual(byTitle.body.results.map((x) => x.title), ['De Aardvarkwoorden', 'Aardvarkwoorden B']);
  });

  test('pages do not overlap and together follow the total', async () => {
    const p1 = await search('q=gedichten&pageSize=10');
    const p2 = await search('q=gedichten&pageSize=10&page=2');
    assert.equal(p1.body.results.length, 10);
    const ids = new Set(p1.body.results.map((x) => x.workId));
    assert.ok(p2.body.results.every((x) => !ids.has(x.workId)));
    const beyond = await search('q=gedichten&page=400');
    assert.equal(beyond.status, 200);
    assert.equal(beyond.body.results.length, 0);
    assert.equal(beyond.body.total, p1.body.total);
  });
});

describe('the first page\'s titles in the search statement', () => {
  test('hold every work of the first page as tally.ts orders it, exactly as the titles query returns them', async () => {
    for (const query of ['q=gedichten', 'q=gedichten&sort=newest', 'q=gedichten&format=book&language=dut', '', 'sort=newest&format=book', 'q=boek&pageSize=5']) {
      const { request } = parseSearchRequest(Object.fromEntries(new URLSearchParams(query)));
      const textQuery = request.q || null;
      const pushDown = hasFilters(request);
      const works = pageTitlesFor(request)!;
      const [page, fetched, direct] = await inTenant(t.db.kysely, utrecht, async (tx) => {
        const row = (await searchQuery(utrecht, request, [], textQuery, pushDown, PLAIN, works).execute(tx)).rows[0]!;
        const read = readSearch(row, request, [], undefined, true);
        const ids = read.hits.map((h) => h.workId);
        return [ids, read.pageTitles!, (await titlesOfWorksQuery(utrecht, ids).execute(tx)).rows] as const;
      });
      assert.ok(page.length > 0, query);
      // every work on the page is among those fetched, and its titles are the titles query's
      const onPage = new Set(page);
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      assert.deepEqual(fetched.filter((x) => onPage.has(x.workId)).sort(byId), [...direct].sort(byId), query);
      // no more works than a page (the statement orders them as tally.ts does, or a page would miss)
      assert.ok(new Set(fetched.map((x) => x.workId)).size <= works, query);
    }
    // a later page or the title order: nothing fetched (the service then asks apart)
    assert.equal(pageTitlesFor(parseSearchRequest({ q: 'gedichten', page: '2' }).request), null);
    assert.equal(pageTitlesFor(parseSearchRequest({ q: 'gedichten', sort: 'title' }).request), null);
  });
});

describe('bad input', () => {
  test('an empty query browses everything, most popular first, within the candidate bound', async () => {
    const r = await search('');
    assert.equal(r.status, 200);
    // 9,896 demo titles: more than the bound, so the total is a lower bound
    assert.equal(r.body.totalExact, false);
    assert.ok(r.body.total > 1000);
  });

  test('a query of only symbols or only stop words browses instead of failing', async () => {
    for (const q of ['%21%21%21', '%E2%80%94%E2%80%94', 'de+het+een', '%27%22%28%29%26%7C%21%3A*']) {
      const r = await search(`q=${q}`);
      assert.equal(r.status, 200, q);
      assert.equal(r.body.totalExact, false, q);
    }
  });

  test('websearch syntax and SQL-looking text are just words', async () => {
    for (const q of ['-', '%22unclosed', 'or+or+or', "x'%3B+drop+table+title%3B--", '%5C%5C%5C', "%5C'%3B+select+1%3B+--", 'a%00b', '%00']) {
      const r = await search(`q=${q}`);
      assert.equal(r.status, 200, q);
    }
  });

  test('a query over 500 characters, an unknown facet value, an absurd page or a bad year is a 400 problem', async () => {
    for (const query of [`q=${'a'.repeat(501)}`, 'format=scroll', 'avi=Z9', 'page=100000', 'page=0', 'pageSize=5000', 'yearFrom=abc', 'sort=random', 'kind=podcast']) {
      const r = await search(query);
      assert.equal(r.status, 400, query.slice(0, 30));
      assert.match(r.type, /application\/problem\+json/);
      assert.equal(r.body.code, 'VALIDATION_FAILED');
    }
  });

  test('an unknown branch is a 400 with its own code; an unknown library a 404', async () => {
    const r = await search('branch=atlantis');
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'DISCOVERY_UNKNOWN_BRANCH');
    assert.equal((await search('q=x', 'atlantis')).status, 404);
  });
});

describe('completions while typing', () => {
  const complete = async (q: string) => t.app.inject({ url: `/api/v1/libraries/utrecht/search/completions?q=${encodeURIComponent(q)}` });

  test('the last word is completed from the catalogue, the words before it kept, accents folded', async () => {
    assert.ok((await complete('vestd')).json().completions.includes('vestdijk'));
    assert.ok((await complete('max havel')).json().completions.includes('max havelaar'));
    assert.ok((await complete('Poë')).json().completions.some((c: string) => c.startsWith('poe')));
  });

  test('nothing to complete gives an empty list; a very long query is a 400', async () => {
    assert.deepEqual((await complete('%_\\')).json().completions, []);
    assert.deepEqual((await complete('a')).json().completions, []);
    assert.equal((await complete('x'.repeat(201))).statusCode, 400);
  });
});

describe('the results page', () => {
  const page = (query: string) => t.app.inject({ url: `/utrecht/zoeken?${query}`, headers: { accept: 'text/html' } });

  test('facets are fieldsets of labelled checkboxes that keep their state, in a GET form', async () => {
    const r = await page('q=gedichten&format=book');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<form class="eb-search-page" method="get" action="\/utrecht\/zoeken">/);
    assert.match(r.body, /<fieldset class="utrecht-form-fieldset eb-facet"><legend[^>]*>Vorm<\/legend>/);
    assert.match(r.body, /<input[^>]*id="f-format-book"[^>]*checked/);
    assert.match(r.body, /<label[^>]*for="f-format-ebook"/);
    assert.match(r.body, /resultaten<\/h2>/);
    assert.match(r.body, /href="\/utrecht\/titels\/[0-9a-f-]{36}"/);
  });

  test('"Bedoelde u" links to the corrected search in one click', async () => {
    const r = await page('q=vestdyk');
    assert.match(r.body, /Bedoelde u:\s*<a class="utrecht-link" href="\/utrecht\/zoeken\?q=vestdijk">vestdijk<\/a>/);
  });

  test('unknown filter values and branches are named on the page, and the search still runs', async () => {
    const r = await page('q=gedichten&format=scroll&branch=atlantis');
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /role="alert"/);
    assert.match(r.body, /scroll/);
    assert.match(r.body, /atlantis/);
    assert.match(r.body, /resultaten<\/h2>/);
  });

  test('the page is in English when asked, under the library brand', async () => {
    const r = await page('q=gedichten&lang=en');
    assert.match(r.body, /<html lang="en"/);
    assert.match(r.body, /Search results for/);
    assert.match(r.body, /\/utrecht\/theme\.css/);
  });
});

describe('the sample bound of a pass surely past the candidate bound', () => {
  test('a word in a fifth of the catalogue counts its 100 most popular matches; a filter that may end below the bound keeps it, exactly', async () => {
    const n = 3000;
    const works = await t.db.kysely.insertInto('work').values(Array.from({ length: n }, () => ({ ownerLibraryId: null }))).returning('id').execute();
    await t.db.kysely.insertInto('title').values(works.map((w, i) => ({
      workId: w.id, source: 'test', sourceId: crypto.randomUUID(), format: 'book' as const, title: `Zilverspar ${i}`,
      language: i < 150 ? 'fry' : 'dut', popularity: i % 1000,
    }))).execute();
    await sql`analyze title`.execute(t.db.kysely);
    // the statistics as the service will read them (its cache re-read now)
    const stats = await lexemeStats(t.db.kysely, t.db.kysely, Date.now() + 60 * 60_000);
    const { rows: [word] } = await sql<{ l: string }>`select (tsvector_to_array(to_tsvector('dutch', 'zilverspar')))[1] as l`.execute(t.db.kysely);
    assert.ok((stats.freq.get(word!.l) ?? 0) * stats.titles >= 2000, 'the statistics know the word is common');

    const all = await search('q=zilverspar');
    assert.deepEqual([all.body.total, all.body.totalExact, all.body.results.length], [SAMPLE_CANDIDATE_LIMIT, false, 20]);
    // a value in the document: the statistics say the filtered pass surely passes the bound too
    const dutch = await search('q=zilverspar&language=dut');
    assert.deepEqual([dutch.body.total, dutch.body.totalExact], [SAMPLE_CANDIDATE_LIMIT, false]);
    // a value few titles have: the full bound, and the count is exact
    const frisian = await search('q=zilverspar&language=fry');
    assert.deepEqual([frisian.body.total, frisian.body.totalExact], [150, true]);
    const page6 = await search('q=zilverspar&page=6');
    assert.deepEqual([page6.status, page6.body.results.length], [200, 0], 'past the sample nothing more is paged');
  });
});
