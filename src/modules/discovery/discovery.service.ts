// One search over everything a library offers (issue #4 item 4, issue #5 item 6): the titles of
// the catalogue, physical and digital, national and this library's own; and the activities,
// courses and services the portal shows (its own and the network's shared online ones) that are
// published and still to come. One response shape; each result says its `kind`.
//
// How the kinds are merged (documented in docs/architecture.md):
// - Each side is bounded on its own: titles by the candidate bound in popularity order (repo.candidateLimit),
//   activities by ACTIVITY_CANDIDATE_LIMIT soonest first. The total is the sum of both sides.
// - A filter on something only one kind has (format, availability, AVI, year — or statutory
//   function, free, date range) leaves the other kind out, in the results and in every count; the
//   shared facets (kind, audience, language, branch) count both kinds.
// - Relevance: a title scores text rank × (1 + ln(1 + popularity) / 8); an activity text rank ×
//   ACTIVITY_PRIOR (see activity-search.ts). Browsing without words, the same factors without the
//   rank. Newest: a title's year against an activity's next session. Title: the sort titles.
// - Pages: when activities match, the title side returns its first page × pageSize hits (never
//   more than its candidate bound) and both sorted lists are merged; otherwise the title side
//   returns the page itself (tally.ts), so a search with no matching activity costs what it did.
import type { Ctx } from '../../platform/context.ts';
import { sql } from 'kysely';
import { inTenant } from '../../platform/db/tenant.ts';
import { tenantReads, type Query, type RowsOf } from '../../platform/db/tenant-reads.ts';
import { branchDirectory } from '../network/index.ts';
import { collator } from '../../shared/collation.ts';
import {
  AUDIENCE_LABEL, AVI_LEVELS, FORMAT_INFO, languageLabel, summariseAvailability,
  type Availability, type FormatCode,
} from '../catalogue/index.ts';
import { AUDIENCE_LABELS, FUNCTION_LABELS, STATUTORY_FUNCTIONS, type StatutoryFunction } from '../activities/index.ts';
import { UnknownBranch } from './discovery.errors.ts';
import * as repo from './discovery.repository.ts';
import { estimatedMatches, lexemeStats, scanPlan, SURE_BOUND_FACTOR } from './lexeme-stats.ts';
import {
  ACTIVITY_PRIOR, activityCandidatesQuery, filterActivities, readActivityCandidates, type ActivityCandidate, type ActivityMatches, type ActivityResultKind,
} from './activity-search.ts';
import {
  AVAILABILITY, hasActivityOnlyFilters, hasSearchableTerms, hasTitleOnlyFilters, KINDS, ONLINE, SEARCH_AUDIENCES,
  type Kind, type SearchAudience, type SearchRequest,
} from './query.ts';

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

export interface ActivityResult {
  /** `service` for services (Taalhuis, Informatiepunt …), `activity` for events and courses. */
  kind: ActivityResultKind;
  id: string;
  activityKind: 'event' | 'course' | 'service';
  title: string;
  /** The start of the description (at most 300 characters). */
  description: string;
  /** The next session (in the date range, when one was asked); a course: its first meeting. */
  startsAt: Date;
  endsAt: Date;
  upcomingSessions: number;
  branch: { slug: string; name: string } | null;
  online: boolean;
  free: boolean;
  priceCents: number;
  audience: SearchAudience[];
  statutoryFunctions: StatutoryFunction[];
  themes: string[];
  /** Organised by another library and shared with the whole network (shown under this portal's brand). */
  shared: boolean;
  score: number;
}

/** The union of result kinds, told apart by `kind`. */
export type SearchResultItem = TitleResult | ActivityResult;

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
    function: FacetValue[];
    free: FacetValue[];
    date: { from: string | null; to: string | null };
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

const AUDIENCE_TEXT: Record<SearchAudience, { nl: string; en: string }> = {
  ...AUDIENCE_LABEL,
  seniors: AUDIENCE_LABELS.seniors,
  families: AUDIENCE_LABELS.families,
};

const ONLINE_LABEL = { nl: 'Online', en: 'Online' };
const FREE_LABEL = { nl: 'Gratis', en: 'Free' };

/** Few results and a word the index does not know: worth suggesting a correction. */
const SUGGEST_BELOW = 3;

export async function search(ctx: Ctx, request: SearchRequest): Promise<SearchResult> {
  const libraryId = ctx.libraryId;
  if (!libraryId) throw new Error('search without a library');
  const lang = ctx.lang;

  // the branches (facet labels, slugs to ids) from the network's reference cache
  const branches = await branchDirectory(ctx, libraryId);
  // a query of only symbols or only stop words ("!!!", "de het") searches nothing: browse instead
  const searchable = hasSearchableTerms(request.q);
  // Two round trips for a first page: the query's facts; then the activities and the titles'
  // candidates (with the titles of the works the page will hold) in one message. A later page, a
  // page mixed with activities or one sorted by title asks for its titles in a third. Each message
  // runs as this library, as the application role (tenant-reads.ts: no BEGIN or COMMIT).
  const facts = repo.readFacts((await sql<repo.FactsRow>`select ${repo.queryFacts(searchable ? request.q : '')}`.execute(ctx.db)).rows[0]);
  const read = <Q extends readonly Query[]>(...queries: Q) => tenantReads(ctx.db, libraryId, queries, repo.SEARCH_SETTINGS);
  const { hasLexemes, lexemes, phrase } = facts;
  const textQuery = searchable && hasLexemes ? request.q : null;
  const bySlug = new Map(branches.map((b) => [b.slug, b]));
  const unknown = request.branch.filter((s) => s !== ONLINE && !bySlug.has(s));
  if (unknown.length) throw UnknownBranch(unknown[0]!);
  const branchIds = request.branch.filter((s) => bySlug.has(s)).map((s) => bySlug.get(s)!.id);
  const offset = (request.page - 1) * request.pageSize;

  const now = new Date();
  const activitiesAsked = !hasTitleOnlyFilters(request);
  const titlesShown = !request.kind.length || request.kind.includes('title');
  const titlesAsked = !hasActivityOnlyFilters(request);
  // How common the words (and the filter values) are decides how candidates are found
  // (lexeme-stats.ts; cached, read through the owner on a miss).
  const stats = titlesAsked ? await lexemeStats(ctx.db, ctx.db) : null;
  const words = textQuery === null ? [] : lexemes === null ? null : lexemes.map((l) => [l]);
  const limit = repo.candidateLimit(textQuery);
  // Whether the statistics say a pass surely matches far more than the bound: its words and the
  // filter values it tests as lexemes (a phrase matches fewer than its words; copies, branches and
  // exact years the statistics know nothing of). Such a pass takes the sample bound (repo.candidateLimit).
  const surelyPast = (filters: string[][], residual: boolean) => {
    if (!stats || phrase || residual) return false;
    const n = estimatedMatches(stats, words, filters);
    return n !== null && n >= SURE_BOUND_FACTOR * limit;
  };
  const wordsSurelyPast = surelyPast([], false);
  const firstBound = repo.candidateLimit(textQuery, wordsSurelyPast);
  const filteredBound = repo.candidateLimit(textQuery, surelyPast(repo.facetGroups(request), repo.hasResidualFilters(request)));
  // a filter no title can pass (only activities asked for, only "online" as branch) finds no
  // title in a filtered pass: the first pass still counts the title facets
  const titlesCanMatch = titlesShown && !(request.branch.length && !branchIds.length);
  // The words alone surely reach the bound: a first pass would only count facets among the most
  // popular matches, filtered or not. One filtered pass instead, whose facets count among what it
  // found (each under the other facets' filters, so a chosen facet shows its chosen values):
  // drill-down facets, consistent with the results shown. (Activities keep counting each facet
  // under the other facets' filters; a shared facet — language, audience, branch — then adds the
  // titles' drill-down counts to the activities' own.)
  const onePass = repo.hasFilters(request) && titlesCanMatch && wordsSurelyPast;
  const bound = onePass ? filteredBound : firstBound;
  // the first page's titles ride along with the pass whose hits make the page (a first pass
  // followed by a filtered one would fetch them for nothing)
  const titleQuery = stats
    ? repo.searchStatement(phrase, libraryId, request, branchIds, textQuery, onePass, scanPlan(stats, words, onePass ? repo.facetGroups(request) : [], bound),
      onePass || !repo.hasFilters(request) ? repo.pageTitlesFor(request) : null, bound)
    : null;
  // the activities and the titles' candidates in one message
  const [activityRows, titleRows] = await (activitiesAsked && titleQuery
    ? read(activityCandidatesQuery(libraryId, request, textQuery, now), titleQuery)
    : activitiesAsked ? read(activityCandidatesQuery(libraryId, request, textQuery, now)).then(([a]) => [a, null] as const)
    : titleQuery ? read(titleQuery).then(([t]) => [null, t] as const)
    : Promise.resolve([null, null] as const));

  // Activities: a few hundred rows at most, and whether any match decides how titles are paged.
  let activities: ActivityMatches = { matched: [], facets: [] };
  let activitiesExact = true;
  if (activityRows) {
    const candidates = readActivityCandidates(activityRows);
    activities = filterActivities(candidates.rows, request, branchIds);
    activitiesExact = candidates.exact;
  }
  const sortedActivities = [...activities.matched].sort((a, b) => compareActivities(request, textQuery !== null, a, b));
  const mixed = sortedActivities.length > 0 && titlesShown;

  let rows: repo.SearchRows = {
    total: 0, candidates: 0, scanBoundReached: false, hits: [], facets: [], years: { min: null, max: null }, pageTitles: null,
  };
  let exact = true;
  if (titleRows) {
    const window = mixed ? { offset: 0, limit: offset + request.pageSize } : undefined;
    rows = repo.readSearch(titleRows[0]!, request, branchIds, window, true);
    if (onePass) {
      exact = rows.candidates < bound && !rows.scanBoundReached;
    } else {
      exact = rows.candidates < bound;
      if (!exact && repo.hasFilters(request)) {
        // The bound was reached among all matches: search again with the filters applied before
        // the bound, so a rare format, AVI level or branch is not lost among popular titles. The
        // facet counts stay those of the first pass (the most popular matches, each facet under
        // the other facets' filters, so a chosen facet still offers its other values).
        const [filteredRows] = await read(repo.searchStatement(phrase, libraryId, request, branchIds, textQuery, true,
          scanPlan(stats!, words, repo.facetGroups(request), filteredBound), repo.pageTitlesFor(request), filteredBound));
        const filtered = repo.readSearch(filteredRows[0]!, request, branchIds, window, false);
        exact = filtered.candidates < filteredBound && !filtered.scanBoundReached;
        rows = { ...filtered, facets: rows.facets, years: rows.years };
      }
    }
  }

  // the page: titles as the title side paged them (tally.ts), or both kinds merged and cut here
  type Entry = { title: repo.SearchRows['hits'][number] } | { activity: ActivityCandidate };
  let page: Entry[];
  if (mixed) {
    const merged: Entry[] = [];
    let i = 0;
    let j = 0;
    const end = offset + request.pageSize;
    while (merged.length < end && (i < rows.hits.length || j < sortedActivities.length)) {
      const takeActivity = j < sortedActivities.length
        && (i >= rows.hits.length || compareMixed(request, textQuery !== null, sortedActivities[j]!, rows.hits[i]!) < 0);
      merged.push(takeActivity ? { activity: sortedActivities[j++]! } : { title: rows.hits[i++]! });
    }
    page = merged.slice(offset, end);
  } else if (sortedActivities.length) {
    page = sortedActivities.slice(offset, offset + request.pageSize).map((activity) => ({ activity }));
  } else {
    page = rows.hits.map((title) => ({ title }));
  }

  const titleHits = page.flatMap((e) => ('title' in e ? [e.title] : []));
  const workIds = titleHits.map((h) => h.workId);
  // the titles the search statement fetched for its first page, when they hold every work of this
  // page (a page mixed with activities holds fewer); else one more round trip
  // (only the page's works are kept: a branch of a work off the page needs no name)
  const onPage = new Set(workIds);
  const fetched = rows.pageTitles?.filter((t) => onPage.has(t.workId)) ?? null;
  const covered = fetched !== null && new Set(fetched.map((t) => t.workId)).size === onPage.size;
  const branchMap = new Map(branches.map((b) => [b.id, b]));
  const titles = !workIds.length ? []
    : await nameBranches(read, libraryId, covered ? fetched : (await read(repo.titlesOfWorksQuery(libraryId, workIds)))[0], branchMap);

  const titleResult = (hit: repo.SearchRows['hits'][number]): TitleResult[] => {
    const rep = titles.find((t) => t.id === hit.titleId);
    if (!rep) return [];
    const formats = titles.filter((t) => t.workId === hit.workId).map((t): ResultFormat => ({
      titleId: t.id,
      format: t.format,
      digital: FORMAT_INFO[t.format].digital,
      year: t.year,
      openAccessUrl: t.openAccessUrl,
      availability: summariseAvailability(t.copies),
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
  };
  const activityResult = (c: ActivityCandidate): ActivityResult => ({
    kind: c.kind,
    id: c.id,
    activityKind: c.activityKind,
    title: c.title,
    description: c.description,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    upcomingSessions: c.upcomingSessions,
    branch: c.branchSlug && c.branchName ? { slug: c.branchSlug, name: c.branchName } : null,
    online: c.online,
    free: c.priceCents === 0,
    priceCents: c.priceCents,
    audience: c.audience,
    statutoryFunctions: c.statutoryFunctions,
    themes: c.themes,
    shared: c.organiserId !== libraryId,
    score: Math.round(activityScore(textQuery !== null, c) * 1e6) / 1e6,
  });
  const results: SearchResultItem[] = page.flatMap((e): SearchResultItem[] => ('title' in e ? titleResult(e.title) : [activityResult(e.activity)]));
  const total = rows.total + activities.matched.length;

  let suggestion: string | null = null;
  if (textQuery && total < SUGGEST_BELOW) {
    const [words] = await read(repo.closestWordsQuery(textQuery));
    if (words.some((w) => !w.known && w.best)) {
      const corrected = words.map((w) => (!w.known && w.best ? w.best : w.word)).join(' ');
      if (corrected !== words.map((w) => w.word).join(' ')) suggestion = corrected;
    }
  }

  // a facet value's count is the titles' count plus the activities' (each kind counted by its own rules)
  const counts = (facet: string) => {
    const c = new Map<string, number>();
    for (const f of [...rows.facets, ...activities.facets]) if (f.facet === facet) c.set(f.value, (c.get(f.value) ?? 0) + f.count);
    return c;
  };
  const values = (facet: string, selected: string[], label: (v: string) => string, order?: readonly string[]): FacetValue[] => {
    const c = counts(facet);
    const keys = new Set([...(order ?? []), ...c.keys(), ...selected]);
    const list = [...keys].map((value) => ({ value, label: label(value), count: c.get(value) ?? 0, selected: selected.includes(value) }))
      .filter((v) => v.count > 0 || v.selected);
    return order
      ? list.sort((a, b) => order.indexOf(a.value) - order.indexOf(b.value))
      : list.sort((a, b) => b.count - a.count || collator(lang).compare(a.label, b.label));
  };
  const branchCounts = counts('branch');

  return {
    query: request.q,
    total,
    totalExact: exact && activitiesExact,
    page: request.page,
    pageSize: request.pageSize,
    results,
    facets: {
      kind: values('kind', request.kind, (v) => KIND_LABEL[v as Kind]?.[lang] ?? v, KINDS),
      format: values('format', request.format, (v) => FORMAT_INFO[v as FormatCode]?.label[lang] ?? v),
      availability: values('availability', request.availability, (v) => AVAILABILITY_LABEL[v as 'available']?.[lang] ?? v, AVAILABILITY),
      branch: [
        ...branches.map((b) => ({ value: b.slug, label: b.name, count: branchCounts.get(b.id) ?? 0, selected: request.branch.includes(b.slug) })),
        { value: ONLINE, label: ONLINE_LABEL[lang], count: branchCounts.get(ONLINE) ?? 0, selected: request.branch.includes(ONLINE) },
      ].filter((v) => v.count > 0 || v.selected),
      language: values('language', request.language, (v) => languageLabel(v, lang)),
      audience: values('audience', request.audience, (v) => AUDIENCE_TEXT[v as SearchAudience]?.[lang] ?? v, SEARCH_AUDIENCES),
      avi: values('avi', request.avi, (v) => `AVI ${v}`, AVI_LEVELS),
      year: { min: rows.years.min, max: rows.years.max, from: request.yearFrom, to: request.yearTo },
      function: values('function', request.function, (v) => FUNCTION_LABELS[v as StatutoryFunction]?.[lang] ?? v, STATUTORY_FUNCTIONS),
      free: values('free', request.free ? ['true'] : [], () => FREE_LABEL[lang], ['true']),
      date: { from: request.from, to: request.to },
    },
    suggestion,
  };
}

/** An activity's score on the scale of titles' (see ACTIVITY_PRIOR). */
function activityScore(text: boolean, c: ActivityCandidate): number {
  return (text ? c.rank : 1) * ACTIVITY_PRIOR;
}

/** A title's score as its order (tally.ts) sees it; browsing, the popularity factor alone. */
function titleScore(text: boolean, h: repo.SearchRows['hits'][number]): number {
  return text ? h.score : 1 + Math.log(1 + h.popularity) / 8;
}

const yearKey = (year: number | null) => (year === null ? -Infinity : Date.UTC(year, 0, 1));

/** The order among activities: the request's sort, then the soonest, then the id (stable pages). */
function compareActivities(r: SearchRequest, text: boolean, a: ActivityCandidate, b: ActivityCandidate): number {
  const primary = r.sort === 'newest'
    ? b.startsAt.getTime() - a.startsAt.getTime()
    : r.sort === 'title'
      ? collator('nl').compare(a.sortTitle, b.sortTitle)
      : activityScore(text, b) - activityScore(text, a);
  return primary || a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Whether an activity comes before a title (< 0). On a tie the title goes first. The merge takes
 * the first n of both sorted lists, so every page is a slice of one and the same order.
 */
function compareMixed(r: SearchRequest, text: boolean, a: ActivityCandidate, t: repo.SearchRows['hits'][number]): number {
  const d = r.sort === 'newest'
    ? yearKey(t.year) - a.startsAt.getTime()
    : r.sort === 'title'
      ? collator('nl').compare(a.sortTitle, t.sortTitle)
      : titleScore(text, t) - activityScore(text, a);
  return d < 0 ? -1 : 1;
}

/**
 * The result titles with their copies' branches named from the directory (at most a minute
 * behind); a branch it does not know yet is read from the database.
 */
async function nameBranches(
  read: <Q extends readonly Query[]>(...queries: Q) => Promise<RowsOf<Q>>,
  libraryId: string, rows: repo.ResultTitleCopiesRow[], branches: ReadonlyMap<string, repo.BranchName>,
) {
  const unknown = repo.unnamedBranches(rows, branches);
  if (!unknown.length) return repo.nameCopies(rows, branches);
  const [found] = await read(repo.branchNamesQuery(libraryId, unknown));
  return repo.nameCopies(rows, new Map([...branches, ...found.map((b) => [b.id, b] as const)]));
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
