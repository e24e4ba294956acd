// The search request: what a visitor may ask, checked and normalised in one place for the API and
// the results page. Pure. Unknown facet values are refused by the API schema (400) and by
// `parseSearchRequest` here for the page (which shows an inline message, never a 500).
import { AVI_LEVELS, FORMATS, type AviLevel, type FormatCode } from '../catalogue/index.ts';
import { STATUTORY_FUNCTIONS, type StatutoryFunction } from '../activities/index.ts';

export const MAX_QUERY_LENGTH = 500;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 50;
/** Results come from a bounded candidate set (see discovery.repository.ts), so deeper pages are empty anyway. */
export const MAX_PAGE = 500;
export const MIN_YEAR = 0;
export const MAX_YEAR = 2200;

/** What one search finds. Activities and services plug in as further kinds (issue #4, activities). */
export const KINDS = ['title', 'activity', 'service'] as const;
export type Kind = (typeof KINDS)[number];

export const AVAILABILITY = ['available', 'digital', 'on_loan'] as const;
export type AvailabilityFilter = (typeof AVAILABILITY)[number];

/**
 * One audience facet over both kinds: the catalogue's age groups, plus the groups only activities
 * know. An activity for "youth" counts as young_adults (both 12–18); see activity-search.ts.
 */
export const SEARCH_AUDIENCES = ['toddlers', 'children', 'young_adults', 'adults', 'seniors', 'families'] as const;
export type SearchAudience = (typeof SEARCH_AUDIENCES)[number];

/** The branch facet's value for online activities (the agenda reserves the same word). */
export const ONLINE = 'online';

export const SORTS = ['relevance', 'newest', 'title'] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchRequest {
  q: string;
  kind: Kind[];
  format: FormatCode[];
  availability: AvailabilityFilter[];
  /** Branch slugs of the library, and `online` for online activities. */
  branch: string[];
  language: string[];
  audience: SearchAudience[];
  avi: AviLevel[];
  yearFrom: number | null;
  yearTo: number | null;
  /** Activities only: the statutory library functions served. */
  function: StatutoryFunction[];
  /** Activities only: free of charge. */
  free: boolean;
  /** Activities only: a session on or after this day / on or before this day (YYYY-MM-DD, Amsterdam). */
  from: string | null;
  to: string | null;
  sort: Sort;
  page: number;
  pageSize: number;
}

export type RawQuery = Record<string, unknown>;

export interface ParseProblem {
  field: string;
  value: string;
}

function list(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  // "format=book,ebook" and "format=book&format=ebook" mean the same
  return [...new Set(values.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean))];
}

function oneOf<T extends string>(field: string, raw: unknown, allowed: readonly T[], problems: ParseProblem[]): T[] {
  const out: T[] = [];
  for (const v of list(raw)) {
    if ((allowed as readonly string[]).includes(v)) out.push(v as T);
    else problems.push({ field, value: v });
  }
  return out;
}

function int(field: string, raw: unknown, min: number, max: number, problems: ParseProblem[]): number | null {
  const [v] = list(raw);
  if (v === undefined) return null;
  if (!/^-?[0-9]{1,6}$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.push({ field, value: v });
    return null;
  }
  return Number(v);
}

/**
 * Parses a query string (the page's GET form, or anything a visitor types into the URL).
 * Returns the request and the problems; the caller decides whether problems are a 400.
 */
export function parseSearchRequest(raw: RawQuery): { request: SearchRequest; problems: ParseProblem[] } {
  const problems: ParseProblem[] = [];
  let q = typeof raw.q === 'string' ? raw.q : Array.isArray(raw.q) ? String(raw.q[0] ?? '') : '';
  if (q.length > MAX_QUERY_LENGTH) {
    problems.push({ field: 'q', value: `${q.slice(0, 20)}…` });
    q = q.slice(0, MAX_QUERY_LENGTH);
  }
  const request: SearchRequest = {
    q: normaliseQuery(q),
    kind: oneOf('kind', raw.kind, KINDS, problems),
    format: oneOf('format', raw.format, FORMATS, problems),
    availability: oneOf('availability', raw.availability, AVAILABILITY, problems),
    branch: list(raw.branch).filter((b) => {
      if (/^[a-z0-9-]{1,80}$/.test(b)) return true;
      problems.push({ field: 'branch', value: b });
      return false;
    }),
    language: list(raw.language).filter((l) => {
      if (/^[a-z]{3}$/.test(l)) return true;
      problems.push({ field: 'language', value: l });
      return false;
    }),
    audience: oneOf('audience', raw.audience, SEARCH_AUDIENCES, problems),
    avi: oneOf('avi', raw.avi, AVI_LEVELS, problems),
    yearFrom: int('yearFrom', raw.yearFrom, MIN_YEAR, MAX_YEAR, problems),
    yearTo: int('yearTo', raw.yearTo, MIN_YEAR, MAX_YEAR, problems),
    function: oneOf('function', raw.function, STATUTORY_FUNCTIONS, problems),
    free: oneOf('free', raw.free, ['true', 'false'] as const, problems).includes('true'),
    from: day('from', raw.from, problems),
    to: day('to', raw.to, problems),
    sort: oneOf('sort', raw.sort, SORTS, problems)[0] ?? 'relevance',
    page: int('page', raw.page, 1, MAX_PAGE, problems) ?? 1,
    pageSize: int('pageSize', raw.pageSize, 1, MAX_PAGE_SIZE, problems) ?? DEFAULT_PAGE_SIZE,
  };
  if (request.yearFrom !== null && request.yearTo !== null && request.yearFrom > request.yearTo) {
    [request.yearFrom, request.yearTo] = [request.yearTo, request.yearFrom];
  }
  if (request.from !== null && request.to !== null && request.from > request.to) [request.from, request.to] = [request.to, request.from];
  return { request, problems };
}

/** A calendar day YYYY-MM-DD that exists (2026-02-30 does not). */
function day(field: string, raw: unknown, problems: ParseProblem[]): string | null {
  const [v] = list(raw);
  if (v === undefined) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1 || Number(m[1]) < 2000 || Number(m[1]) > 2200) {
    problems.push({ field, value: v.slice(0, 20) });
    return null;
  }
  return v;
}

/** Filters only titles have: with any of them, no activity can match. */
export function hasTitleOnlyFilters(r: SearchRequest): boolean {
  return !!(r.format.length || r.availability.length || r.avi.length || r.yearFrom !== null || r.yearTo !== null);
}

/** Filters only activities have: with any of them, no title can match (nor count in any facet). */
export function hasActivityOnlyFilters(r: SearchRequest): boolean {
  return !!(r.function.length || r.free || r.from !== null || r.to !== null);
}

/** Collapses whitespace and control characters; keeps everything else for websearch syntax. */
export function normaliseQuery(q: string): string {
  // eslint-disable-next-line no-control-regex
  return q.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** A query with no letter or digit ("!!!", "—") searches nothing: it is treated as browsing. */
export function hasSearchableTerms(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}

/** The query string of a request, for links: defaults left out, so URLs stay short and stable. */
export function searchQueryString(r: Partial<SearchRequest>): string {
  const p = new URLSearchParams();
  if (r.q) p.set('q', r.q);
  for (const key of ['kind', 'format', 'availability', 'branch', 'language', 'audience', 'avi', 'function'] as const) {
    for (const v of r[key] ?? []) p.append(key, v);
  }
  if (r.yearFrom !== null && r.yearFrom !== undefined) p.set('yearFrom', String(r.yearFrom));
  if (r.yearTo !== null && r.yearTo !== undefined) p.set('yearTo', String(r.yearTo));
  if (r.free) p.set('free', 'true');
  if (r.from) p.set('from', r.from);
  if (r.to) p.set('to', r.to);
  if (r.sort && r.sort !== 'relevance') p.set('sort', r.sort);
  if (r.page && r.page > 1) p.set('page', String(r.page));
  if (r.pageSize && r.pageSize !== DEFAULT_PAGE_SIZE) p.set('pageSize', String(r.pageSize));
  const s = p.toString();
  return s ? `?${s}` : '';
}

type ListFacet = 'kind' | 'format' | 'availability' | 'branch' | 'language' | 'audience' | 'avi' | 'function';

/** The same search with one facet value switched on or off, back on page 1. */
export function toggleFacet(r: SearchRequest, facet: ListFacet, value: string): SearchRequest {
  const current = r[facet] as string[];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return { ...r, [facet]: next, page: 1 };
}
