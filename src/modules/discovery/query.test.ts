import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasSearchableTerms, MAX_QUERY_LENGTH, normaliseQuery, parseSearchRequest, searchQueryString, toggleFacet } from './query.ts';

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
