// The activity side of the one search: activities, courses and services a portal shows — its own
// library's and the online activities other libraries share with the network — that are published
// and still to come. Read-only SQL over the activities module's tables (as discovery.repository.ts
// reads the catalogue's), under the portal's tenant, so row-level security applies as well.
//
// Bounding: the matching activities are taken soonest first, at most ACTIVITY_CANDIDATE_LIMIT. A
// library has hundreds of upcoming activities, not millions, so the candidates are filtered,
// counted and ordered here in TypeScript (one small round trip), not in a second SQL pass.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';
import { amsterdamToUtc, type StatutoryFunction } from '../activities/index.ts';
import { ONLINE, type SearchAudience, type SearchRequest } from './query.ts';

export const ACTIVITY_CANDIDATE_LIMIT = 500;

/**
 * What a match on an activity is worth next to a match on a title. A title's score is its text
 * rank times (1 + ln(1 + popularity) / 8); an activity has no popularity, so its rank is multiplied
 * by this constant instead: the factor of a title borrowed about 50 times a year. An upcoming
 * activity about a word thus sits among moderately popular titles about it — above the long tail,
 * below the classics. Without words (browsing) the same factors order the kinds.
 */
export const ACTIVITY_PRIOR = 1.5;

export type ActivityResultKind = 'activity' | 'service';

export interface ActivityCandidate {
  id: string;
  kind: ActivityResultKind;
  activityKind: 'event' | 'course' | 'service';
  organiserId: string;
  title: string;
  description: string;
  /** In the search's audience vocabulary (activities' "youth" is the catalogue's young_adults). */
  audience: SearchAudience[];
  statutoryFunctions: StatutoryFunction[];
  themes: string[];
  /** ISO 639-2/B like titles ("dut"), so one language facet covers both kinds. */
  language: string;
  /** Only for this library's own activities: a shared one's branch is another library's. */
  branchId: string | null;
  branchSlug: string | null;
  branchName: string | null;
  online: boolean;
  priceCents: number;
  /** The next session (in the date range, when one is asked); a course: its first meeting. */
  startsAt: Date;
  endsAt: Date;
  /** Sessions still to come (a course counts as one booking but shows all its meetings). */
  upcomingSessions: number;
  /** Text rank (0 when browsing), before ACTIVITY_PRIOR. */
  rank: number;
  sortTitle: string;
}

/** ISO 639-1 (activities) → ISO 639-2/B (the catalogue) for the languages the catalogue names. */
const LANGUAGE_2B: Record<string, string> = {
  nl: 'dut', fy: 'fry', en: 'eng', de: 'ger', fr: 'fre', es: 'spa', ar: 'ara', tr: 'tur', pl: 'pol', uk: 'ukr',
  la: 'lat', ru: 'rus', el: 'gre', he: 'heb',
};

const AUDIENCE_MAP: Record<string, SearchAudience> = {
  children: 'children', youth: 'young_adults', adults: 'adults', seniors: 'seniors', families: 'families',
};

/** The title's sort key as the catalogue stores it (0020: folded, without a leading article). */
export function sortKey(title: string): string {
  return title.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/^(de|het|een|the|a|an|le|la|les|l'|der|die|das)\s+/, '');
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

type CandidateRow = {
  id: string; organiserId: string; kind: 'event' | 'course' | 'service'; title: string; description: string;
  audience: string[]; statutoryFunctions: StatutoryFunction[]; themes: string[]; language: string;
  branchId: string | null; branchSlug: string | null; branchName: string | null; online: boolean; priceCents: number;
  startsAt: Date; endsAt: Date; upcomingSessions: number; rank: number;
};

/**
 * The candidates: every visible, published activity with a session still to come (in the date
 * range), matching the words, soonest first, at most ACTIVITY_CANDIDATE_LIMIT (+1 to tell whether
 * the bound was reached): one call of eenbieb_activity_candidates (migration 0100), the query whose
 * plan PL/pgSQL keeps. Run as the library (tenant) whose portal searches; read by `readActivityCandidates`.
 */
export function activityCandidatesQuery(libraryId: string, r: SearchRequest, textQuery: string | null, now: Date) {
  // whole days in Amsterdam, like the agenda: from the start of `from` to the end of `to`
  const from = r.from ? amsterdamToUtc(r.from)! : null;
  const since = from && from > now ? from : now;
  const until = r.to ? amsterdamToUtc(nextDay(r.to)) : null;
  return sql<CandidateRow>`select * from eenbieb_activity_candidates(${libraryId}, ${textQuery}, ${since}, ${until}, ${now}, ${ACTIVITY_CANDIDATE_LIMIT + 1})`;
}

export function readActivityCandidates(rows: CandidateRow[]): { rows: ActivityCandidate[]; exact: boolean } {
  const exact = rows.length <= ACTIVITY_CANDIDATE_LIMIT;
  return {
    exact,
    rows: rows.slice(0, ACTIVITY_CANDIDATE_LIMIT).map((a) => ({
      id: a.id,
      kind: a.kind === 'service' ? 'service' : 'activity',
      activityKind: a.kind,
      organiserId: a.organiserId,
      title: a.title,
      description: a.description,
      audience: [...new Set(a.audience.map((x) => AUDIENCE_MAP[x]).filter((x): x is SearchAudience => !!x))],
      statutoryFunctions: a.statutoryFunctions,
      themes: a.themes,
      language: LANGUAGE_2B[a.language] ?? a.language,
      branchId: a.branchId,
      branchSlug: a.branchSlug,
      branchName: a.branchName,
      online: a.online,
      priceCents: a.priceCents,
      startsAt: new Date(a.startsAt),
      endsAt: new Date(a.endsAt),
      upcomingSessions: a.upcomingSessions,
      rank: Number(a.rank),
      sortTitle: sortKey(a.title),
    })),
  };
}

/** The candidates in an open transaction (tools, benchmarks; the search sends the statement with others). */
export async function activityCandidates(tx: Tx, libraryId: string, r: SearchRequest, textQuery: string | null, now: Date): Promise<{ rows: ActivityCandidate[]; exact: boolean }> {
  return readActivityCandidates((await activityCandidatesQuery(libraryId, r, textQuery, now).execute(tx)).rows);
}

type Facet = 'kind' | 'audience' | 'language' | 'branch' | 'function' | 'free';
const FACETS: Facet[] = ['kind', 'audience', 'language', 'branch', 'function', 'free'];

/** The values an activity has for a facet (the branch facet: its branch id, and `online`). */
function valuesOf(c: ActivityCandidate, facet: Facet): string[] {
  switch (facet) {
    case 'kind': return [c.kind];
    case 'audience': return c.audience;
    case 'language': return [c.language];
    case 'branch': return [...(c.branchId ? [c.branchId] : []), ...(c.online ? [ONLINE] : [])];
    case 'function': return c.statutoryFunctions;
    case 'free': return c.priceCents === 0 ? ['true'] : [];
  }
}

/**
 * The request's filters for activities, per facet: values within a facet combine with OR, facets
 * with AND (as for titles). Date range and words are already applied by the candidate query.
 */
function selections(r: SearchRequest, branchIds: string[]): Record<Facet, string[]> {
  return {
    kind: r.kind,
    audience: r.audience,
    language: r.language,
    branch: [...branchIds, ...(r.branch.includes(ONLINE) ? [ONLINE] : [])],
    function: r.function,
    free: r.free ? ['true'] : [],
  };
}

export interface ActivityMatches {
  /** Candidates that pass every filter, in candidate order (soonest first). */
  matched: ActivityCandidate[];
  /** Counts per facet and value, each facet counted with every other facet's filter applied. */
  facets: { facet: Facet; value: string; count: number }[];
}

/** Filters the candidates and counts the facets. `branchIds`: the chosen branches (not `online`). */
export function filterActivities(candidates: ActivityCandidate[], r: SearchRequest, branchIds: string[]): ActivityMatches {
  const chosen = selections(r, branchIds);
  // a branch was asked for but none of this library's branches and not online: nothing matches
  const branchAsked = r.branch.length > 0;
  const passes = (c: ActivityCandidate, f: Facet) => {
    if (f === 'branch' && branchAsked) return valuesOf(c, f).some((v) => chosen.branch.includes(v));
    return !chosen[f].length || valuesOf(c, f).some((v) => chosen[f].includes(v));
  };
  const allExcept = (c: ActivityCandidate, except: Facet | null) => FACETS.every((f) => f === except || passes(c, f));
  const facets: ActivityMatches['facets'] = [];
  for (const facet of FACETS) {
    const counts = new Map<string, number>();
    for (const c of candidates) {
      if (!allExcept(c, facet)) continue;
      for (const v of new Set(valuesOf(c, facet))) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const [value, count] of counts) facets.push({ facet, value, count });
  }
  return { matched: candidates.filter((c) => allExcept(c, null)), facets };
}
