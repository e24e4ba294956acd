// One search over everything a library offers (issue #4). Today: the titles of the catalogue,
// physical and digital, national and this library's own. Activities and services join as further
// result kinds (`kind`), with their own facet values, without changing the response shape.
import type { Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import {
  AUDIENCE_LABEL, AVI_LEVELS, FORMAT_INFO, languageLabel, summariseAvailability,
  type Availability, type FormatCode,
} from '../catalogue/index.ts';
import { UnknownBranch } from './discovery.errors.ts';
import * as repo from './discovery.repository.ts';
import { AVAILABILITY, hasSearchableTerms, KINDS, type Kind, type SearchRequest } from './query.ts';

export interface ResultFormat {
  titleId: string;
  format: FormatCode;
  digital: boolean;
  year: number | null;
  openAccessUrl: string | null;
  availability: Availability;
}

export interface TitleResult {
  kind: 'title';
  /** The title that represents the work in this search (best match). */
  id: string;
  workId: string;
  title: string;
  subtitle: string | null;
  contributors: string;
  year: number | null;
  yearDisplay: string | null;
  language: string | null;
  audience: string | null;
  aviLevel: string | null;
  series: string | null;
  seriesNumber: string | null;
  genres: string[];
  /** Every format of the work this library can offer (book, e-book, audiobook …). */
  formats: ResultFormat[];
  score: number;
}

/** The union of result kinds; activities and services add their members here. */
export type SearchResultItem = TitleResult;

export interface FacetValue {
  value: string;
  label: string;
  count: number;
  selected: boolean;
}

export interface SearchResult {
  query: string;
  total: number;
  /** False when the candidate bound was reached: there are at least `total` results. */
  totalExact: boolean;
  page: number;
  pageSize: number;
  results: SearchResultItem[];
  facets: {
    kind: FacetValue[];
    format: FacetValue[];
    availability: FacetValue[];
    branch: FacetValue[];
    language: FacetValue[];
    audience: FacetValue[];
    avi: FacetValue[];
    year: { min: number | null; max: number | null; from: number | null; to: number | null };
  };
  /** "Bedoelde u": a corrected query when the words look misspelled and little was found. */
  suggestion: string | null;
}

const KIND_LABEL: Record<Kind, { nl: string; en: string }> = {
  title: { nl: 'Boeken, e-books en meer', en: 'Books, e-books and more' },
  activity: { nl: 'Activiteiten', en: 'Activities' },
  service: { nl: 'Diensten', en: 'Services' },
};

const AVAILABILITY_LABEL: Record<(typeof AVAILABILITY)[number], { nl: string; en: string }> = {
  available: { nl: 'Nu aanwezig', en: 'Available now' },
  digital: { nl: 'Nu digitaal te lezen', en: 'Read digitally now' },
  on_loan: { nl: 'Uitgeleend (te reserveren)', en: 'On loan (can be reserved)' },
};

/** Few results and a word the index does not know: worth suggesting a correction. */
const SUGGEST_BELOW = 3;

export async function search(ctx: Ctx, request: SearchRequest): Promise<SearchResult> {
  const libraryId = ctx.libraryId;
  if (!libraryId) throw new Error('search without a library');
  const lang = ctx.lang;

  return inTenant(ctx.db, libraryId, async (tx) => {
    // a query of only symbols or only stop words ("!!!", "de het") searches nothing: browse instead
    const textQuery = hasSearchableTerms(request.q) && (await repo.hasLexemes(tx, request.q)) ? request.q : null;
    const branches = await repo.branchesOf(tx, libraryId);
    const bySlug = new Map(branches.map((b) => [b.slug, b]));
    const unknown = request.branch.filter((s) => !bySlug.has(s));
    if (unknown.length) throw UnknownBranch(unknown[0]!);
    const branchIds = request.branch.map((s) => bySlug.get(s)!.id);

    let rows = await repo.search(tx, libraryId, request, branchIds, textQuery);
    let exact = rows.candidates < repo.CANDIDATE_LIMIT;
    if (!exact && repo.hasFilters(request)) {
      // The bound was reached among all matches: search again with the filters applied before the
      // bound, so a rare format, AVI level or branch is not lost among popular titles. The
      // facet counts stay those of the first pass (the most popular matches).
      const filtered = await repo.search(tx, libraryId, request, branchIds, textQuery, true);
      exact = filtered.candidates < repo.CANDIDATE_LIMIT && !filtered.scanBoundReached;
      rows = { ...filtered, facets: rows.facets, years: rows.years };
    }
    const workIds = rows.hits.map((h) => h.workId);
    const titles = await repo.titlesOfWorks(tx, libraryId, workIds);
    const copies = await repo.copiesOf(tx, libraryId, titles.map((t) => t.id));

    const results: TitleResult[] = rows.hits.flatMap((hit) => {
      const rep = titles.find((t) => t.id === hit.titleId);
      if (!rep) return [];
      const formats = titles.filter((t) => t.workId === hit.workId).map((t): ResultFormat => ({
        titleId: t.id,
        format: t.format,
        digital: FORMAT_INFO[t.format].digital,
        year: t.year,
        openAccessUrl: t.openAccessUrl,
        availability: summariseAvailability(copies.filter((c) => c.titleId === t.id)),
      }));
      formats.sort((a, b) => Number(b.titleId === rep.id) - Number(a.titleId === rep.id));
      return [{
        kind: 'title' as const,
        id: rep.id,
        workId: rep.workId,
        title: rep.title,
        subtitle: rep.subtitle,
        contributors: rep.contributorNames,
        year: rep.year,
        yearDisplay: rep.yearDisplay,
        language: rep.language,
        audience: rep.audience,
        aviLevel: rep.aviLevel,
        series: rep.series,
        seriesNumber: rep.seriesNumber,
        genres: rep.genres,
        formats,
        score: Math.round(hit.score * 1e6) / 1e6,
      }];
    });

    let suggestion: string | null = null;
    if (textQuery && rows.total < SUGGEST_BELOW) {
      const words = await repo.closestWords(tx, textQuery);
      if (words.some((w) => !w.known && w.best)) {
        const corrected = words.map((w) => (!w.known && w.best ? w.best : w.word)).join(' ');
        if (corrected !== words.map((w) => w.word).join(' ')) suggestion = corrected;
      }
    }

    const counts = (facet: string) => new Map(rows.facets.filter((f) => f.facet === facet).map((f) => [f.value, f.count]));
    const values = (facet: string, selected: string[], label: (v: string) => string, order?: readonly string[]): FacetValue[] => {
      const c = counts(facet);
      const keys = new Set([...(order ?? []), ...c.keys(), ...selected]);
      const list = [...keys].map((value) => ({ value, label: label(value), count: c.get(value) ?? 0, selected: selected.includes(value) }))
        .filter((v) => v.count > 0 || v.selected);
      return order
        ? list.sort((a, b) => order.indexOf(a.value) - order.indexOf(b.value))
        : list.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, lang));
    };
    const branchCounts = counts('branch');

    return {
      query: request.q,
      total: rows.total,
      totalExact: exact,
      page: request.page,
      pageSize: request.pageSize,
      results,
      facets: {
        kind: values('kind', request.kind, (v) => KIND_LABEL[v as Kind]?.[lang] ?? v, KINDS),
        format: values('format', request.format, (v) => FORMAT_INFO[v as FormatCode]?.label[lang] ?? v),
        availability: values('availability', request.availability, (v) => AVAILABILITY_LABEL[v as 'available']?.[lang] ?? v, AVAILABILITY),
        branch: branches
          .map((b) => ({ value: b.slug, label: b.name, count: branchCounts.get(b.id) ?? 0, selected: request.branch.includes(b.slug) }))
          .filter((v) => v.count > 0 || v.selected),
        language: values('language', request.language, (v) => languageLabel(v, lang)),
        audience: values('audience', request.audience, (v) => AUDIENCE_LABEL[v as 'adults']?.[lang] ?? v, ['toddlers', 'children', 'young_adults', 'adults']),
        avi: values('avi', request.avi, (v) => `AVI ${v}`, AVI_LEVELS),
        year: { min: rows.years.min, max: rows.years.max, from: request.yearFrom, to: request.yearTo },
      },
      suggestion,
    };
  });
}

/**
 * Completions of what a visitor is typing: the query with its last word completed from the words
 * of the national catalogue. Only an enhancement of the search box; nothing depends on it.
 */
export async function complete(ctx: Ctx, q: string): Promise<string[]> {
  const libraryId = ctx.libraryId;
  if (!libraryId) throw new Error('completion without a library');
  const m = /^(.*?)([\p{L}\p{N}]{2,})$/u.exec(q.slice(0, 200));
  if (!m) return [];
  const [, head, last] = m;
  const words = await inTenant(ctx.db, libraryId, (tx) => repo.completions(tx, last!, 8));
  return words.map((w) => `${head}${w}`);
}
