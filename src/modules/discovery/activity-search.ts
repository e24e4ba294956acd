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

/** ts_rank weights {D, C, B, A}, the same as titles: description < themes < partner < title. */
const WEIGHTS = '{0.1,0.25,0.5,1.0}';

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

/**
 * The candidates: every visible, published activity with a session still to come (in the date
 * range), matching the words, soonest first, at most ACTIVITY_CANDIDATE_LIMIT (+1 to tell whether
 * the bound was reached).
 */
export async function activityCandidates(tx: Tx, libraryId: string, r: SearchRequest, textQuery: string | null, now: Date): Promise<{ rows: ActivityCandidate[]; exact: boolean }> {
  // whole days in Amsterdam, like the agenda: from the start of `from` to the end of `to`
  const from = r.from ? amsterdamToUtc(r.from)! : null;
  const since = from && from > now ? from : now;
  const until = r.to ? amsterdamToUtc(nextDay(r.to)) : null;
  const tsquery = sql`websearch_to_tsquery('dutch', eenbieb_fold(${textQuery ?? ''}))`;
  // migration 0071: the same weighted Dutch vector as titles, stored with each activity
  const vector = sql`a.search_vector`;
  const { rows } = await sql<{
    id: string; organiserId: string; kind: 'event' | 'course' | 'service'; title: string; description: string;
    audience: string[]; statutoryFunctions: StatutoryFunction[]; themes: string[]; language: string;
    branchId: string | null; branchSlug: string | null; branchName: string | null; online: boolean; priceCents: number;
    startsAt: Date; endsAt: Date; upcomingSessions: number; rank: number;
  }>`
    select v.id, v.organiser_id, v.kind, v.title, left(v.description, 300) as description,
           v.audience, v.statutory_functions, v.themes, v.language,
           b.id as branch_id, b.slug as branch_slug, b.name as branch_name, v.online, v.price_cents, v.starts_at, v.ends_at,
           (select count(*)::int from activity_session u where u.library_id = v.organiser_id and u.activity_id = v.id
              and u.status = 'scheduled' and u.ends_at >= ${now}) as upcoming_sessions,
           ${textQuery === null ? sql`0::float8` : sql`ts_rank(${WEIGHTS}::float4[], v.vector, ${tsquery})::float8`} as rank
    from (
      -- the visible, published activities with a session to come; their vector computed once each
      select a.id, a.library_id as organiser_id, a.kind, a.title, a.description, a.audience, a.statutory_functions, a.themes,
             a.language, a.branch_id, a.online, a.price_cents, nx.starts_at, nx.ends_at,
             ${textQuery === null ? sql`null::tsvector` : vector} as vector
      from activity a
      cross join lateral (
        select s.starts_at, s.ends_at from activity_session s
        where s.library_id = a.library_id and s.activity_id = a.id and s.status = 'scheduled'
          and s.ends_at >= ${since} and ${until ? sql`s.starts_at < ${until}` : sql`true`}
          -- a course is one booking: it is on offer until its first meeting, as in the agenda
          and (a.kind <> 'course' or s.id = (select f.id from activity_session f where f.library_id = a.library_id
                and f.activity_id = a.id order by f.starts_at, f.id limit 1))
        order by s.starts_at, s.id limit 1) nx
      where (a.library_id = ${libraryId} or a.shared_network) and a.status = 'published'
      offset 0 -- a fence: the planner would otherwise compute the vector again for the rank
    ) v
    left join branch b on v.organiser_id = ${libraryId} and b.library_id = v.organiser_id and b.id = v.branch_id
    where ${textQuery === null ? sql`true` : sql`v.vector @@ ${tsquery}`}
    order by v.starts_at, v.id
    limit ${ACTIVITY_CANDIDATE_LIMIT + 1}`.execute(tx);
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
