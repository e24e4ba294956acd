import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  hasActivityOnlyFilters, hasSearchableTerms, hasTitleOnlyFilters, MAX_QUERY_LENGTH, normaliseQuery, parseSearchRequest, searchQueryString, toggleFacet,
} from './query.ts';
import { facetGroups, groupsTsquery } from './discovery.repository.ts';
import { estimatedMatches, PLAIN, scanPlan as scanPlanOf, TIER_BY_TIER, tiersFor, type LexemeStats } from './lexeme-stats.ts';
import { CANDIDATE_LIMIT } from './discovery.repository.ts';

describe('the search request', () => {
  test('an empty query string is a valid browse request with defaults', () => {
    const { request, problems } = parseSearchRequest({});
    assert.deepEqual(problems, []);
    assert.equal(request.q, '');
    assert.equal(request.page, 1);
    assert.equal(request.pageSize, 20);
    assert.equal(request.sort, 'relevance');
  });

  test('repeated and comma-separated facet values mean the same, without duplicates', () => {
    const a = parseSearchRequest({ format: ['book', 'ebook', 'book'] }).request.format;
    const b = parseSearchRequest({ format: 'book,ebook' }).request.format;
    assert.deepEqual(a, ['book', 'ebook']);
    assert.deepEqual(b, ['book', 'ebook']);
  });

  test('unknown facet values are reported and left out, never passed on', () => {
    const { request, problems } = parseSearchRequest({ format: ['book', 'scroll'], avi: 'Z9', sort: 'random', language: 'nederlands' });
    assert.deepEqual(request.format, ['book']);
    assert.deepEqual(request.avi, []);
    assert.equal(request.sort, 'relevance');
    assert.deepEqual(request.language, []);
    assert.deepEqual(problems.map((p) => p.field).sort(), ['avi', 'format', 'language', 'sort']);
  });

  test('absurd page numbers and sizes are problems, and fall back to the first page', () => {
    for (const page of ['0', '-1', '99999999', 'abc', '1e9']) {
      const { request, problems } = parseSearchRequest({ page });
      assert.equal(request.page, 1, page);
      assert.equal(problems[0]?.field, 'page', page);
    }
    assert.equal(parseSearchRequest({ pageSize: '1000' }).problems[0]?.field, 'pageSize');
  });

  test('a query over 500 characters is a problem and is shortened', () => {
    const { request, problems } = parseSearchRequest({ q: 'a'.repeat(MAX_QUERY_LENGTH + 10) });
    assert.equal(request.q.length, MAX_QUERY_LENGTH);
    assert.equal(problems[0]?.field, 'q');
  });

  test('a reversed year range is turned around', () => {
    const { request } = parseSearchRequest({ yearFrom: '2000', yearTo: '1900' });
    assert.deepEqual([request.yearFrom, request.yearTo], [1900, 2000]);
  });

  test('control characters and runs of spaces are collapsed', () => {
    assert.equal(normaliseQuery('  max\u0000\t havelaar \n'), 'max havelaar');
  });

  test('a query of only symbols has nothing to search', () => {
    assert.equal(hasSearchableTerms('!!! ??? —'), false);
    assert.equal(hasSearchableTerms('Ñandú'), true);
    assert.equal(hasSearchableTerms('1984'), true);
  });

  test('links keep the search and leave defaults out; toggling a facet goes back to page 1', () => {
    const { request } = parseSearchRequest({ q: 'vondel', format: 'book', page: '3' });
    assert.equal(searchQueryString(request), '?q=vondel&format=book&page=3');
    const off = toggleFacet(request, 'format', 'book');
    assert.equal(searchQueryString(off), '?q=vondel');
    const more = toggleFacet(request, 'format', 'ebook');
    assert.equal(searchQueryString(more), '?q=vondel&format=book&format=ebook');
  });
});

describe('activity filters in the search request', () => {
  test('function, free and a date range are parsed; impossible dates and unknown values are problems', () => {
    const ok = parseSearchRequest({ function: 'reading_literature,art_culture', free: 'true', from: '2026-03-01', to: '2026-03-31', audience: 'seniors' });
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.request.function, ['reading_literature', 'art_culture']);
    assert.equal(ok.request.free, true);
    assert.deepEqual([ok.request.from, ok.request.to], ['2026-03-01', '2026-03-31']);
    assert.deepEqual(ok.request.audience, ['seniors']);
    const bad = parseSearchRequest({ function: 'sport', free: 'ja', from: '2026-02-30', to: '31-03-2026' });
    assert.deepEqual(bad.problems.map((p) => p.field).sort(), ['free', 'from', 'function', 'to']);
    assert.deepEqual([bad.request.function, bad.request.free, bad.request.from, bad.request.to], [[], false, null, null]);
  });

  test('a reversed date range is turned round', () => {
    const { request } = parseSearchRequest({ from: '2026-05-01', to: '2026-04-01' });
    assert.deepEqual([request.from, request.to], ['2026-04-01', '2026-05-01']);
  });

  test('which filters belong to one kind only', () => {
    const r = (raw: Record<string, string>) => parseSearchRequest(raw).request;
    assert.equal(hasTitleOnlyFilters(r({ format: 'book' })), true);
    assert.equal(hasTitleOnlyFilters(r({ yearFrom: '1900' })), true);
    assert.equal(hasTitleOnlyFilters(r({ audience: 'children', branch: 'online', language: 'dut' })), false);
    assert.equal(hasActivityOnlyFilters(r({ free: 'true' })), true);
    assert.equal(hasActivityOnlyFilters(r({ to: '2026-01-01' })), true);
    assert.equal(hasActivityOnlyFilters(r({ branch: 'online', kind: 'activity' })), false, 'branch and kind are shared facets');
  });

  test('links keep the activity filters and toggle a function', () => {
    const { request } = parseSearchRequest({ q: 'lezen', function: 'reading_literature', free: 'true', from: '2026-03-01', branch: 'online' });
    const qs = searchQueryString(request);
    assert.equal(qs, '?q=lezen&branch=online&function=reading_literature&free=true&from=2026-03-01');
    assert.deepEqual(parseSearchRequest(Object.fromEntries(new URLSearchParams(qs.slice(1)))).request, request);
    assert.deepEqual(toggleFacet(request, 'function', 'reading_literature').function, []);
  });
});

describe('filters as lexemes (facetGroups as a tsquery)', () => {
  const req = (raw: Record<string, unknown>) => parseSearchRequest(raw).request;
  const facetTsquery = (r: ReturnType<typeof req>) => groupsTsquery(facetGroups(r));
  test('values of one facet or-ed, facets and-ed, open access only when "digital now" is all that is asked', () => {
    assert.equal(facetTsquery(req({ format: 'book,ebook', language: 'eng', avi: 'E3' })), "('f=book' | 'f=ebook') & ('l=eng') & ('v=E3')");
    assert.equal(facetTsquery(req({ audience: 'children', availability: 'digital' })), "('a=children') & ('d=open')");
    assert.equal(facetTsquery(req({ availability: 'digital,available', branch: 'centrum' })), null);
  });
  test('a year range as the decades it spans: a prefilter, the years are tested after it', () => {
    assert.equal(facetTsquery(req({ yearFrom: '2015', yearTo: '2026' })), "('y=201' | 'y=202')");
    assert.equal(facetTsquery(req({ yearTo: '1890' })), null, 'a range over most of history is not worth a prefilter');
    assert.equal(facetTsquery(req({ yearFrom: '2000', format: 'dvd' })), "('f=dvd')", 'an open range reaches to the last year allowed');
  });
});

describe('choosing how candidates are found (scanPlan)', () => {
  const scanPlan = (s: LexemeStats, words: string[][] | null, filters: string[][] = []) => scanPlanOf(s, words, filters, CANDIDATE_LIMIT);
  const stats = {
    freq: new Map([['den', 0.2], ['huis', 0.6], ['boek', 0.42], ['prinses', 0.03], ['willem', 0.02], ['f=book', 0.5], ['f=ebook', 0.2], ['d=open', 0.05],
      ['v=E3', 0.013], ['a=children', 0.25], ['p=1', 0.01]]),
    floor: 0.002, titles: 1_000_000,
  };
  const pass = (words: string[][] | null, filters: string[][] = []) => scanPlan(stats, words, filters).pass;
  test('a common word walks the popularity order, a rare one takes every match from the GIN index', () => {
    assert.equal(pass([['den']]), 'walk');
    assert.equal(pass([['den']], [['f=book']]), 'walk', 'with a value half the titles have: one title in ten');
    assert.equal(pass([], [['f=book']]), 'walk', 'browsing one format most titles have');
    assert.equal(pass([['den']], [['a=children']]), 'tiered', 'one title in twenty: not common enough to walk');
    assert.equal(pass([['onbekendwoord']]), 'index', 'rarer than the rarest the statistics know');
    assert.equal(pass([['prinses']], [['v=E3']]), 'index', 'a less common word with a rare value: 390 titles at most');
    assert.equal(pass([]), 'plain', 'browsing');
  });
  test('in between (a less common word, two common words, a word with a common value) goes tier by tier', () => {
    assert.equal(pass([['willem']]), 'tiered');
    assert.equal(pass([['huis'], ['prinses']]), 'tiered');
    assert.equal(pass([['willem']], [['v=E3', 'f=book']]), 'tiered');
    // related values: the product says 0.2 · 0.2 · 0.05 (0.2 %: 2,000 titles), but open access comes
    // only with e-books, so up to 1 % match, and the GIN index would fetch them all
    assert.equal(pass([['den']], [['f=ebook'], ['d=open']]), 'tiered');
  });
  test('a value most titles have is tested on the rows, not intersected in the index', () => {
    assert.deepEqual(scanPlan(stats, [['willem']], [['f=book'], ['v=E3']]).rowFilters, [['f=book']]);
    assert.deepEqual(scanPlan(stats, [['willem']], [['v=E3', 'f=book']]).rowFilters, [['v=E3', 'f=book']], 'any one of a group: the shares add up');
    assert.deepEqual(scanPlan(stats, [['willem']], [['f=ebook']]).rowFilters, []);
  });
  test('without statistics, or for a query with OR or NOT, the plain pass with every filter in the index', () => {
    assert.deepEqual(scanPlan({ freq: new Map(), floor: 0, titles: 0 }, [['willem']], [['f=book']]), PLAIN);
    assert.deepEqual(scanPlan(stats, null, [['f=book']]), PLAIN);
  });
  test('a word most titles have is tested on the rows too, as long as something narrower is asked of the index', () => {
    assert.deepEqual(scanPlan(stats, [['huis'], ['prinses']]), { pass: 'tiered', rowFilters: [], indexWords: ['prinses'], tiers: TIER_BY_TIER });
    assert.deepEqual(scanPlan(stats, [['willem'], ['prinses']]).indexWords, null, 'every word is uncommon: the whole query');
    assert.deepEqual(scanPlan(stats, [['huis'], ['boek']], [['v=E3']]).indexWords, [], 'the value alone narrows it');
    assert.deepEqual(scanPlan(stats, [['huis'], ['boek']], [['a=children']]).indexWords, ['boek'], 'else the least common word');
    assert.equal(scanPlan(stats, [['den']]).indexWords, null, 'a walk tests every row anyway');
  });
  test('the first two popularity tiers are one scan when the first is not expected to hold the bound', () => {
    assert.deepEqual(tiersFor(stats, 50_000, CANDIDATE_LIMIT), TIER_BY_TIER, '500 expected in the first tier: enough');
    assert.deepEqual(tiersFor(stats, 15_000, CANDIDATE_LIMIT), TIER_BY_TIER, '150 expected: close enough to the bound to try the first tier alone');
    assert.deepEqual(tiersFor(stats, 5_000, CANDIDATE_LIMIT), [[1, 2], [3], [4]], '50 expected in the first tier');
    assert.deepEqual(tiersFor({ ...stats, freq: new Map() }, 5_000, CANDIDATE_LIMIT), TIER_BY_TIER, 'without the tier statistic: tier by tier');
    assert.deepEqual(scanPlan(stats, [['willem']]).tiers, TIER_BY_TIER, '20,000 matches, 200 of them in the first tier');
    assert.deepEqual(scanPlan(stats, [['huis'], ['prinses']]).tiers, TIER_BY_TIER, '18,000 matches, 180 in the first tier');
    assert.deepEqual(scanPlan(stats, [['willem']], [['a=children']]).tiers, [[1, 2], [3], [4]], '5,000 matches, 50 in the first tier');
    assert.deepEqual(scanPlan(stats, [['den']]).tiers, [], 'a walk has no tiers');
  });
  test('how many titles the words match: a product of shares, every title browsing, unknown without statistics, for OR/NOT or an unknown word', () => {
    assert.equal(estimatedMatches(stats, [['den']]), 200_000);
    assert.equal(Math.round(estimatedMatches(stats, [['huis'], ['prinses']])!), 18_000);
    assert.equal(estimatedMatches(stats, [['onbekendwoord']]), null, 'a word the statistics do not know: only a bound is known');
    assert.equal(estimatedMatches(stats, [['den'], ['onbekendwoord']]), null);
    assert.equal(estimatedMatches(stats, []), 1_000_000);
    assert.equal(estimatedMatches(stats, null), null);
    assert.equal(estimatedMatches({ freq: new Map(), floor: 0, titles: 0 }, [['den']]), null);
    assert.equal(Math.round(estimatedMatches(stats, [['den']], [['f=book']])!), 100_000, 'with a filter value: its share too');
    assert.equal(Math.round(estimatedMatches(stats, [['den']], [['f=book', 'f=ebook']])!), 140_000, 'any value of a group');
    assert.equal(estimatedMatches(stats, [['den']], [['l=fry']]), null, 'a value the statistics do not know');
  });
});
