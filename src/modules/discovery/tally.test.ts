// The counting half of a title search (tally.ts) on hand-made candidates: which titles match, one
// result per work, facets each under the other facets' filters, years, order and paging.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSearchRequest } from './query.ts';
import { tally, type Candidate } from './tally.ts';

// branches by their place in the library's list
const CENTRUM = 1;
const OOST = 2;

function title(id: string, workId: string, over: Partial<Candidate> = {}): Candidate {
  return {
    titleId: id, workId, format: 'book', language: 'dut', audience: 'adults', avi: null, year: 2000, sortTitle: id,
    popularity: 10, digitalNow: false, branches: [CENTRUM], avail: [CENTRUM], score: 1, ...over,
  };
}

const all = { offset: 0, limit: 100 };
const request = (qs: string) => parseSearchRequest(Object.fromEntries(new URLSearchParams(qs))).request;
const counts = (t: ReturnType<typeof tally>, facet: string) =>
  Object.fromEntries(t.facets.filter((f) => f.facet === facet).map((f) => [f.value, f.count]));

const rows: Candidate[] = [
  title('t1', 'w1', { format: 'book', score: 3, year: 2019, branches: [CENTRUM, CENTRUM, OOST], avail: [OOST] }),
  title('t2', 'w1', { format: 'ebook', score: 2, year: 2020, branches: [], avail: [], digitalNow: true }),
  title('t3', 'w2', { format: 'book', score: 5, language: 'eng', year: null, branches: [OOST], avail: [] }),
  title('t4', 'w3', { format: 'audiobook', score: 1, audience: 'children', avi: 'E3', year: 2010, branches: [], avail: [] }),
];

describe('tallying search candidates', () => {
  test('without filters every work counts once, represented by its best-scoring title', () => {
    const t = tally(request(''), [], rows, all, true);
    assert.equal(t.total, 3);
    assert.deepEqual(t.hits.map((h) => h.titleId), ['t3', 't1', 't4']);
    assert.deepEqual(counts(t, 'format'), { book: 2, ebook: 1, audiobook: 1 });
    assert.deepEqual(counts(t, 'kind'), { title: 3 });
    // the repeats of a branch in the copies count once; a work counts once per value
    assert.deepEqual(counts(t, 'branch'), { [CENTRUM]: 1, [OOST]: 2 });
    assert.deepEqual(counts(t, 'availability'), { available: 1, digital: 1, on_loan: 1 });
    // a title without a year leaves the range alone
    assert.deepEqual(t.years, { min: 2010, max: 2020 });
  });

  test("a facet's values are counted under every filter but its own, so another value can be added", () => {
    const t = tally(request('format=ebook&language=dut'), [], rows, all, true);
    assert.equal(t.total, 1);
    assert.deepEqual(t.hits.map((h) => h.titleId), ['t2']);
    // format under language=dut only: t1 (book), t2 (ebook), t4 (audiobook); t3 is English
    assert.deepEqual(counts(t, 'format'), { book: 1, ebook: 1, audiobook: 1 });
    // language under format=ebook only
    assert.deepEqual(counts(t, 'language'), { dut: 1 });
    // a title failing two filters counts nowhere
    assert.equal(counts(t, 'audience').children, undefined);
    assert.deepEqual(t.years, { min: 2020, max: 2020 });
  });

  test('a filter on a value a title lacks excludes it: no year, no AVI level', () => {
    assert.deepEqual(tally(request('yearFrom=1900'), [], rows, all, true).hits.map((h) => h.titleId), ['t1', 't4']);
    assert.deepEqual(tally(request('avi=E3'), [], rows, all, true).hits.map((h) => h.titleId), ['t4']);
  });

  test('availability: available at the chosen branch, on loan everywhere, or digital now', () => {
    assert.deepEqual(tally(request('availability=available'), [CENTRUM], rows, all, true).total, 0);
    assert.deepEqual(tally(request('availability=available'), [OOST], rows, all, true).hits.map((h) => h.titleId), ['t1']);
    assert.deepEqual(tally(request('availability=on_loan'), [], rows, all, true).hits.map((h) => h.titleId), ['t3']);
    const either = tally(request('availability=on_loan,digital'), [], rows, all, true);
    assert.deepEqual(either.hits.map((h) => h.titleId), ['t3', 't2']);
  });

  test('a branch filter keeps the titles with a copy there; only "online" chosen keeps none', () => {
    const oost = tally(request('branch=oost'), [OOST], rows, all, true);
    assert.deepEqual(oost.hits.map((h) => h.titleId), ['t3', 't1']);
    // the branch facet itself is counted without the branch filter
    assert.deepEqual(counts(oost, 'branch'), { [CENTRUM]: 1, [OOST]: 2 });
    assert.equal(tally(request('branch=online'), [], rows, all, true).total, 0);
  });

  test('kind: asking only for activities finds no title', () => {
    assert.equal(tally(request('kind=activity'), [], rows, all, true).total, 0);
    assert.equal(tally(request('kind=title'), [], rows, all, true).total, 3);
  });

  test('orders: newest puts titles without a year last; title by the Dutch sort key; pages are slices', () => {
    const newest = tally(request('sort=newest'), [], rows, all, true);
    assert.deepEqual(newest.hits.map((h) => h.titleId), ['t1', 't4', 't3']);
    const named = [title('b', 'wb', { sortTitle: 'ijs' }), title('a', 'wa', { sortTitle: 'éénhoorn' }), title('c', 'wc', { sortTitle: 'zee' })];
    assert.deepEqual(tally(request('sort=title'), [], named, all, true).hits.map((h) => h.titleId), ['a', 'b', 'c']);
    const page2 = tally(request(''), [], rows, { offset: 1, limit: 1 }, true);
    assert.equal(page2.total, 3);
    assert.deepEqual(page2.hits.map((h) => h.titleId), ['t1']);
  });

  test('ties in score go to the more popular title, then the smaller id', () => {
    const tied = [title('x2', 'w', { popularity: 5 }), title('x3', 'w', { popularity: 9 }), title('x1', 'v', { popularity: 9 })];
    assert.deepEqual(tally(request(''), [], tied, all, true).hits.map((h) => h.titleId), ['x1', 'x3']);
  });

  test('without facets asked, none are counted (the filtered second pass)', () => {
    assert.deepEqual(tally(request('format=book'), [], rows, all, false).facets, []);
  });
});
