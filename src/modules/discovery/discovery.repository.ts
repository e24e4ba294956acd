// SQL of discovery: the read side over the catalogue tables (title, item, search_vocabulary).
// One search is one round trip that returns its bounded candidates, each with its copies at the
// library and its rank; tally.ts filters, orders, pages and counts them.
//
// Bounding: a text query first takes its candidates — the matching titles in stored popularity
// order, at most CANDIDATE_LIMIT (BROWSE_CANDIDATE_LIMIT browsing without words) — and only those are filtered, ranked and counted. A very common
// word therefore never ranks hundreds of thousands of rows (ARCHITECTURE §11); when the bound is
// reached the total is reported as a lower bound (`totalExact: false`). Titles hidden from this
// library (other libraries' local titles) are left out by `visibleToSql` from the catalogue.
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';
import { prepared, type Prepared } from '../../platform/db/tenant-reads.ts';
import { DIGITAL_FORMATS, visibleToSql, type FormatCode, type ItemStatus } from '../catalogue/index.ts';
import { MAX_YEAR, MIN_YEAR, type SearchRequest } from './query.ts';
import { PLAIN, type ScanPlan } from './lexeme-stats.ts';
import { tally, type Candidate, type Tally } from './tally.ts';

/**
 * How many of the most popular matches of a text query are ranked and counted. Every candidate
 * costs a test of its search_vector while walking the popularity index, a probe of its copies and
 * its share of the facet counts: for a very common word ("den", in 20 % of the national benchmark
 * catalogue) 2,000 candidates meant testing ~10,000 titles in popularity order, 500 about 2,600
 * (12 ms of the search's database time), 200 about 1,000 (6 ms). 200 is ten pages of twenty, past
 * what people page through; past it the total is reported as a lower bound ("more than 200"), and
 * a filter reaches further through the filtered pass (`pushDown`).
 */
export const CANDIDATE_LIMIT = 200;

/**
 * Browsing without words (the catalogue in popularity order; OPDS feeds page through it) ranks
 * nothing and tests no search_vector, so it keeps a deeper bound.
 */
export const BROWSE_CANDIDATE_LIMIT = 2000;

/**
 * The candidate bound of a pass that the statistics say surely matches far more titles than
 * CANDIDATE_LIMIT (SURE_BOUND_FACTOR times as many or more, lexeme-stats.ts): its total can only
 * be a lower bound and its facet counts a sample of its most popular matches, whether of 200 or
 * of 100, so it takes 100 — five pages of twenty — at half the work (the walk, the copies, the
 * counting). A pass that may end below CANDIDATE_LIMIT keeps it, so totals up to 200 stay exact.
 * On the national benchmark catalogue (full runs, same machine) the very common words went from
 * 206 to 350 searches/s and the facet-filtered class from 229 to 249.
 */
export const SAMPLE_CANDIDATE_LIMIT = 100;

/** The candidate bound of a pass: deeper when browsing, a sample when surely reached (see above). */
export function candidateLimit(textQuery: string | null, surelyReached = false): number {
  return textQuery === null ? BROWSE_CANDIDATE_LIMIT : surelyReached ? SAMPLE_CANDIDATE_LIMIT : CANDIDATE_LIMIT;
}

/**
 * How many of the most popular matches the filtered second pass (`pushDown`) looks through. Without
 * a bound, a very common word with a rare filter value ("huis" in 60 % of a million titles, AVI E3 in
 * under 1 %) has no index to drive it and PostgreSQL scans the whole catalogue: about a second per
 * search (EXPLAIN on the national benchmark catalogue). Bounded, the pass reads at most this many
 * rows in popularity order, and a rare value is found among them; past it the total is reported as
 * a lower bound like the first pass. The pass stops as soon as the candidate bound's number of
 * matches pass the filters, so a filter most titles pass reads far fewer. 10,000 keeps whole catalogues of up to
 * 10,000 titles (the demo has 9,896) exact; on the national benchmark catalogue a rare value (AVI
 * E3 with a word in 37 % of the titles) walks ~50,000 index entries to find its 10,000 matches. A branch filter does not need it: the copies at the
 * branch drive that pass.
 */
export const PUSHDOWN_SCAN_LIMIT = 10_000;

/** ts_rank weights in the order {D, C, B, A}: description < subjects/genres < contributors < title. */
const WEIGHTS = '{0.1,0.25,0.5,1.0}';

export interface SearchRows extends Omit<Tally, 'facets'> {
  /** As tally.ts counts them, a branch named by its id. */
  facets: { facet: string; value: string; count: number }[];
  candidates: number;
  /** The filtered pass read PUSHDOWN_SCAN_LIMIT matches: there may be more past them. */
  scanBoundReached: boolean;
  /**
   * The titles of the works the statement expected on the first page (`pageTitlesFor`), as
   * `titlesOfWorksQuery` returns them; null when it was not asked to.
   */
  pageTitles: ResultTitleCopiesRow[] | null;
}

/**
 * Every filter written over the candidate query (title aliased r, copies through exists), used by
 * the filtered pass (pushDown) so a rare filter value is not lost among popular titles. `held`:
 * the rows are known to be held at the chosen branches (the branch pass asks title.holdings,
 * which lists exactly the branches with a copy that is not missing or withdrawn: migration 0104),
 * so that filter needs no copy probe.
 */
function titleFilters(
  r: SearchRequest, libraryId: string, branchIds: string[], held = false,
  /**
   * How copies are tested: `probe` looks each test up in item (EXISTS); `inv` reads the row's
   * copies as `invProbe` aggregated them (inv.branches, inv.avail), without chosen branches only.
   */
  copyTest: 'probe' | 'inv' = 'probe',
): RawBuilder<boolean> {
  if (copyTest === 'inv' && branchIds.length) throw new Error('copies read with the row are tested without branches');
  const parts: RawBuilder<boolean>[] = [
    // titles are the only kind so far; asking only for activities finds no title
    ...(r.kind.length && !r.kind.includes('title') ? [sql<boolean>`false`] : []),
    ...(r.format.length ? [sql<boolean>`r.format = any(${r.format}::text[])`] : []),
    ...(r.language.length ? [sql<boolean>`r.language = any(${r.language}::text[])`] : []),
    ...(r.audience.length ? [sql<boolean>`r.audience = any(${r.audience}::text[])`] : []),
    ...(r.avi.length ? [sql<boolean>`r.avi_level = any(${r.avi}::text[])`] : []),
    ...(r.yearFrom !== null || r.yearTo !== null ? [sql<boolean>`r.year between ${r.yearFrom ?? 0} and ${r.yearTo ?? 9999}`] : []),
  ];
  const copies = (extra: RawBuilder<unknown>) => sql<boolean>`(${physical('r')} and exists (select 1 from item i where i.library_id = ${libraryId}
    and i.title_id = r.id and i.status not in ('missing', 'withdrawn') and ${extra}))`;
  const inBranches = branchIds.length ? sql`i.branch_id = any(${branchIds}::uuid[])` : sql`true`;
  const probe = copyTest === 'probe';
  // a copy (not missing or withdrawn) anywhere here; one on the shelf at a chosen branch (anywhere
  // here when none is chosen); one on the shelf anywhere here
  const anyCopy = probe ? copies(sql`true`) : sql<boolean>`cardinality(inv.branches) > 0`;
  const availableThere = probe ? copies(sql`i.status = 'available' and ${inBranches}`) : sql<boolean>`cardinality(inv.avail) > 0`;
  const anyAvailable = probe ? copies(sql`i.status = 'available'`) : sql<boolean>`cardinality(inv.avail) > 0`;
  if (branchIds.length) {
    if (!held) parts.push(copies(inBranches));
  } else if (r.branch.length) parts.push(sql<boolean>`false`);
  if (r.availability.length) {
    parts.push(sql<boolean>`(${sql.join(r.availability.map((a) => a === 'available'
      ? availableThere
      : a === 'digital'
        ? sql`r.open_access_url is not null`
        : sql`(${anyCopy} and not ${anyAvailable})`), sql` or `)})`);
  }
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` and `)})` : sql<boolean>`true`;
}

/**
 * Whether the title (alias `alias`) can have copies that count: an e-book or audiobook has none
 * (title_digital_has_no_copies, migration 0107), so its copies are not looked up. The formats are
 * written into the text: the same in every plan.
 */
function physical(alias: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(`${alias}.format`)} not in (${sql.join(DIGITAL_FORMATS.map((f) => sql.lit(f)))})`;
}

/**
 * The copies of title `alias` at this library, not missing or withdrawn, as places in the
 * library's sorted branch list (the `lib` CTE): every copy's branch, and the branches of those on
 * the shelf. A branch appears once per copy there: tally.ts is indifferent to repeats, and leaving
 * out DISTINCT saves two sorts per title. The place by binary search in the sorted list
 * (width_bucket: a copy's branch is always one of its library's, item's foreign key), not
 * array_position's linear scan of 40-odd uuids for each of a few hundred copies (~0.3 ms a search
 * of a very common word). A digital title has no copies to look up: the test of its format comes first.
 */
function invProbe(libraryId: string, alias: string): RawBuilder<unknown> {
  return sql`select coalesce(array_agg(width_bucket(i.branch_id, lib.branches)), '{}') as branches,
           coalesce(array_agg(width_bucket(i.branch_id, lib.branches)) filter (where i.status = 'available'), '{}') as avail
    from lib, item i
    where i.library_id = ${libraryId} and i.title_id = ${sql.ref(`${alias}.id`)} and i.status not in ('missing', 'withdrawn')
      and ${physical(alias)}`;
}

/** A year range that spans more decades than this is not asked of the index (most titles pass it anyway). */
const MAX_DECADES = 12;

/**
 * The filters that are lexemes of the search document, one group per facet (a title must hold
 * one lexeme of each group): the values of the title itself
 * (db/migrations/0099_search_document_lexemes.sql) — format, language, audience, AVI level, and
 * open access when "digital now" is the only availability asked — and the decades of a year range
 * (db/migrations/0103_search_decade_lexemes.sql), a prefilter the exact years are tested after
 * (titleFilters).
 */
export function facetGroups(r: SearchRequest): string[][] {
  const decades: string[] = [];
  if (r.yearFrom !== null || r.yearTo !== null) {
    const from = Math.floor((r.yearFrom ?? MIN_YEAR) / 10);
    const to = Math.floor((r.yearTo ?? MAX_YEAR) / 10);
    if (to - from < MAX_DECADES) for (let d = from; d <= to; d++) decades.push(`y=${d}`);
  }
  return [
    r.format.map((v) => `f=${v}`),
    r.language.map((v) => `l=${v}`),
    r.audience.map((v) => `a=${v}`),
    r.avi.map((v) => `v=${v}`),
    r.availability.length === 1 && r.availability[0] === 'digital' ? ['d=open'] : [],
    decades,
  ].filter((g) => g.length);
}

/** Lexeme groups as a tsquery (values of one group or-ed, groups and-ed); NULL for none. */
export function groupsTsquery(groups: string[][]): string | null {
  // values are checked by parseSearchRequest / the API schema; quoted as tsquery lexemes all the same
  const quoted = (lexeme: string) => `'${lexeme.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  return groups.length ? groups.map((g) => `(${g.map(quoted).join(' | ')})`).join(' & ') : null;
}

/** Filters tested on the rows, not (or not only) as lexemes of the search document (facetGroups): years, copies, branches, kind. */
export function hasResidualFilters(r: SearchRequest): boolean {
  return !!((r.kind.length && !r.kind.includes('title')) || r.yearFrom !== null || r.yearTo !== null || r.branch.length
    || r.availability.some((a) => a !== 'digital'));
}

export function hasFilters(r: SearchRequest): boolean {
  return !!(r.kind.length || r.format.length || r.language.length || r.audience.length || r.avi.length || r.yearFrom !== null
    || r.yearTo !== null || r.branch.length || r.availability.length);
}

/** The SQL of one search (see `search`). */
export function searchQuery(...args: Parameters<typeof searchShape>): RawBuilder<SearchRow> {
  return searchShape(...args).query;
}

/**
 * The SQL of one search, and whether its shape leaves the planner one path whatever the values
 * (`kept`: see searchStatement).
 */
function searchShape(
  libraryId: string, r: SearchRequest, branchIds: string[], textQuery: string | null, pushDown: boolean,
  /** How the candidates are found when no filter forces another way (lexeme-stats.ts scanPlan). */
  plan: ScanPlan = PLAIN,
  /** Also return the titles of the works expected on the first page, as many (`pageTitlesFor`). */
  pageWorks: number | null = null,
  /** The candidate bound of this pass (`candidateLimit`). */
  limit = candidateLimit(textQuery),
): { query: RawBuilder<SearchRow>; kept: boolean } {
  // The walk (lexeme-stats.ts): the words and every filter value are tested on each row, so the
  // popularity index is the only way in, whatever the values — the statement is planned once per
  // connection (searchStatement). Not for the branch pass, which starts from the holdings.
  const branchPass = pushDown && branchIds.length > 0;
  const walk = plan.pass === 'walk' && !branchPass;
  // asked of the index, the tsquery is written out (not taken from the q CTE) so the planner sees a constant: it can
  // then estimate how common the words are and pick the GIN index (rare words) or the popularity
  // index with a filter (very common words); a CTE reference hides that and gives a full scan
  const words = textQuery === null ? null : sql`websearch_to_tsquery('dutch', eenbieb_fold(${textQuery}))`;
  // The filtered pass: the filters that are lexemes go into the query too (facetGroups), except
  // those too common to help the index (plan.rowFilters), which are tested on each row: called as
  // the function behind @@, which the planner does not hand to the index.
  const groups = pushDown ? facetGroups(r) : [];
  const onRow = new Set((walk ? groups : plan.rowFilters).map((g) => g.join('|')));
  const facets = groupsTsquery(groups.filter((g) => !onRow.has(g.join('|'))));
  const rowFacets = groupsTsquery(groups.filter((g) => onRow.has(g.join('|'))));
  // the words the index is asked for: all of them, or only the uncommon ones (plan.indexWords) and
  // the whole query tested on each row; walking, none of them
  const indexWords = words === null || walk ? null : plan.indexWords === null ? words
    : plan.indexWords.length ? sql`${groupsTsquery(plan.indexWords.map((l) => [l]))}::tsquery` : null;
  // (a row test reads the query from the q CTE, evaluated once: written out, a plan kept for any
  // values would parse the query again for every row)
  const rowWords = words === null ? null : walk || plan.indexWords !== null ? sql`(select query from q)` : null;
  // What the GIN index is asked, one scan key per part — the words, the filter values, and in the
  // tiered pass the tier. Separate keys are and-ed entry by entry with the rarest leading and the
  // others skipping ahead through their posting trees; one tsquery ('spel & l=eng & p=3') had its
  // entries' posting lists read further: 3.4 against 2.0 ms for that scan on the national
  // benchmark catalogue.
  const indexKeys = [
    ...(indexWords === null ? [] : [sql`r.search_vector @@ ${indexWords}`]),
    ...(facets === null ? [] : [sql`r.search_vector @@ ${facets}::tsquery`]),
  ];
  const rowTests = [
    ...(rowFacets === null ? [] : [sql`ts_match_vq(r.search_vector, ${rowFacets}::tsquery)`]),
    ...(rowWords === null ? [] : [sql`ts_match_vq(r.search_vector, ${rowWords})`]),
  ];
  const rowMatch = rowTests.length ? sql`(${sql.join(rowTests, sql` and `)})` : sql`true`;
  const match = indexKeys.length ? sql`${sql.join(indexKeys, sql` and `)} and ${rowMatch}` : rowMatch;
  const columns = sql`r.id, r.work_id, r.format, r.language, r.audience, r.avi_level, r.year, r.sort_title, r.popularity,
                      r.open_access_url, r.search_vector`;
  // Held here: when every availability asked needs a copy at this library (available, on loan)
  // and no branch is chosen (the branch pass has its own), a tier asks the index for titles held
  // at one of the library's branches too (title.holdings, in the same GIN index: migration 0105),
  // so the titles held elsewhere are neither fetched nor probed for copies. Only in the tiered
  // pass, which reads its tiers through the index anyway: as a condition of the popularity walk
  // the planner can turn to the holdings alone.
  const heldHere = pushDown && !branchIds.length && r.availability.length > 0 && r.availability.every((a) => a !== 'digital')
    ? sql` and r.holdings && (select branches from lib)` : sql``;
  // The matches in popularity order, at most n of them.
  const fewMatches = plan.pass === 'index' && indexKeys.length > 0;
  const matches = (n: number) => plan.pass === 'tiered' && indexKeys.length
    // Neither common nor rare (lexeme-stats.ts): tier by tier of popularity (migration 0099) —
    // each tier's most popular n, the GIN index intersecting with the tier's short list (or the
    // popularity index walked, should the planner find that cheaper). Tiers partition the
    // popularity order, so the concatenation is the exact order; Append returns its branches in
    // order and runs a tier only when the ones before it did not give enough (no parallel
    // workers: see queryFacts).
    ? sql`select * from (${sql.join(plan.tiers.map((tiers) => sql`(
            select ${columns} from title r
            where ${match} and r.search_vector @@ ${tiers.map((tier) => `'p=${tier}'`).join(' | ')}::tsquery${heldHere} and ${visibleToSql('r', libraryId)}
            order by r.popularity desc, r.id
            limit ${sql.lit(n)})`), sql` union all `)}) tiers
          limit ${sql.lit(n)}`
    // Few matches (lexeme-stats.ts): all of them from the GIN index, then sorted — offset 0 keeps
    // the popularity index out of it, so the plan is that one whatever the values (searchStatement)
    : fewMatches
    ? sql`select * from (select ${columns} from title r where ${match} and ${visibleToSql('r', libraryId)} offset 0) r
          order by r.popularity desc, r.id
          limit ${sql.lit(n)}`
    // Without statistics: the GIN index for a rare combination, the popularity index walked for a
    // common one, as the planner estimates (it sees the tsquery as a constant)
    : sql`select ${columns} from title r where ${match} and ${visibleToSql('r', libraryId)}
          order by r.popularity desc, r.id
          limit ${sql.lit(n)}`;
  // The filtered pass in popularity order, when it tests copies, reads each row's copies once and
  // keeps them for the candidates (`carried`), rather than an EXISTS per test in the scan and the
  // copies again for every candidate: it stops at the bound, so few rows are read that do not
  // become candidates ("den" + available now: 327 rows for 200 candidates, 6.4 → 5.6 ms; "liefde"
  // + on loan 26.0 → 23.2 ms; same rows). Not the branch pass: it tests every held match before
  // it sorts, most of them popular titles with dozens of copies, and an EXISTS stops at the first
  // copy that passes ("den" at one branch, available now: 564 held matches, 6.0 → 7.3 ms). Not with
  // a branch filter at all ("online" alone: no title passes, and the EXISTS is folded away).
  const carried = pushDown && !r.branch.length && hasResidualFilters(r) && r.availability.some((a) => a !== 'digital');
  const score = textQuery === null
    ? sql`0::float8`
    : sql`ts_rank(${WEIGHTS}::float4[], c.search_vector, (select query from q)) * (1 + ln(1 + c.popularity) / 8)`;

  const query = sql<SearchRow>`
    with q as (select websearch_to_tsquery('dutch', eenbieb_fold(${textQuery ?? ''})) as query),
    -- this library's branches, sorted: a copy's branch goes to the app as its place in this list (tally.ts)
    lib as (select coalesce(array_agg(b.id order by b.id), '{}') as branches from branch b where b.library_id = ${libraryId}),
    scan as materialized (
      ${pushDown && branchIds.length
        // Held at chosen branches: the titles' holdings (migration 0104) and the words are
        // intersected in one GIN index (migration 0105), the rarer side leading, before a title is
        // read, and every match is found, exactly; holdings settle "held there", so only
        // availability is tested on the copies of what is left.
        ? sql`select r.*, 0 as scanned, true as passes from (
                select ${columns} from title r
                where r.holdings && ${branchIds}::uuid[] and ${match} and ${visibleToSql('r', libraryId)}
                -- offset 0: the held matches come first, from the indexes; the copies are tested on
                -- them after (left to itself the planner starts from the copies at the branch and
                -- reads every title held there)
                offset 0) r
              where ${titleFilters(r, libraryId, branchIds, true)}
              order by r.popularity desc, r.id
              limit ${sql.lit(limit)}`
        : pushDown && hasResidualFilters(r)
        // The filtered pass with filters that are not (only) lexemes — copies available or on
        // loan, a year range: the matches in popularity order (at most PUSHDOWN_SCAN_LIMIT,
        // numbered as they come), each tested against the filters, stopping as soon as `limit`
        // pass; a filter most titles pass costs little more than the first pass. The
        // PUSHDOWN_SCAN_LIMIT-th match is kept whether it passes or not: when it is reached, the
        // bound was reached and the total is a lower bound. Nothing here sorts, so the matches
        // are read only as far as needed (the decade lexemes keep a year range's reading short).
        ? sql`select r.*, f.passes${carried ? sql`, inv.branches, inv.avail` : sql``} from (
                 select s.*, row_number() over () as scanned from (${matches(PUSHDOWN_SCAN_LIMIT)}) s) r
               ${carried ? sql`cross join lateral (${invProbe(libraryId, 'r')}) inv` : sql``}
               -- offset 0: the filters (with their copy tests) are evaluated once per row
               cross join lateral (select ${titleFilters(r, libraryId, branchIds, false, carried ? 'inv' : 'probe')} as passes offset 0) f
               where f.passes or r.scanned = ${sql.lit(PUSHDOWN_SCAN_LIMIT)}
               limit ${sql.lit(limit + 1)}`
        : sql`select s.*, 0 as scanned, true as passes from (${matches(limit)}) s`}
    ),
    cand as materialized (
      select r.id, r.work_id, r.format, r.language, r.audience, r.avi_level, r.year, r.sort_title, r.popularity,
             r.open_access_url is not null as digital_now, r.search_vector${carried ? sql`, r.branches, r.avail` : sql``}
      from scan r where r.passes
      order by r.popularity desc, r.id
      limit ${sql.lit(limit)}
    ),
    rows as (
      -- each candidate's copies here (invProbe), read by the scan or by a probe of item_title_idx
      -- (index only) each; a lateral per candidate keeps the plan linear in the candidates
      -- whatever the estimates say
      select c.id as title_id, c.work_id, c.format, c.language, c.audience, c.avi_level, c.year, c.sort_title, c.popularity,
             c.digital_now, inv.branches, inv.avail, ${score} as score
      from cand c
      ${carried ? sql`cross join lateral (select c.branches, c.avail) inv` : sql`cross join lateral (${invProbe(libraryId, 'c')}) inv`}
    )
    select
      (select count(*)::int from cand) as candidates,
      (select coalesce(max(scanned), 0)::int from scan) as scanned,
      (select to_json(branches) from lib) as branches,
      -- the candidates as arrays (what tally.ts reads, in the order of CandidateRow), counted in the app
      (select json_agg(json_build_array(title_id, work_id, format, language, audience, avi_level, year, sort_title,
                                        popularity, digital_now, branches, avail, score)) from rows) as rows
      ${pageWorks === null ? sql`` : sql`,
      -- The titles of the works on the first page as tally.ts will order them (each work by its
      -- most relevant title: score, popularity, id), fetched here so the page costs no round trip
      -- of its own; the service uses them only when they hold every work of its page.
      (select coalesce(json_agg(t order by t.format, t.id), '[]') from eenbieb_titles_of_works(${libraryId}, array(
         select work_id from (
           select distinct on (work_id) work_id, title_id, score, popularity, year from rows
           order by work_id, score desc, popularity desc, title_id) best
         order by ${r.sort === 'newest' ? sql`year desc nulls last, score desc, title_id` : sql`score desc, popularity desc, title_id`}
         limit ${sql.lit(pageWorks)})) t) as page_titles`}
  `;
  return { query, kept: walk || fewMatches || branchPass };
}

/**
 * The search statement (`searchQuery`) as a prepared statement of the connection (tenant-reads.ts).
 * Planned for its values each time, as the access path depends on how common the words are —
 * except where the shape leaves the planner one path, whatever the values: the walk (the popularity
 * index, every word tested on the row), few matches (the GIN index, fenced from the popularity
 * index) and the branch pass (holdings and words intersected in the GIN index). Those are planned
 * once per connection and the plan reused. Planning took 0.4–0.6 ms of 4–5.5 ms for the very
 * common words of the national benchmark catalogue, 0.5–0.8 ms of 1.3–10 ms for a word at one
 * branch, available now, and 11–18 % of a rare word's statement (alternating on one connection,
 * same rows). Tier by tier stays planned for its values: kept, "liefde" with a filter took up to
 * 1.7 times as long.
 */
export function searchStatement(
  /**
   * The query holds a phrase (quoted, or a hyphenated word): always planned for its values. The GIN
   * index rechecks a phrase on each row it yields, and a kept plan would parse the query again for
   * each.
   */
  phrase: boolean,
  ...args: Parameters<typeof searchShape>
): Prepared<SearchRow> {
  const { query, kept } = searchShape(...args);
  return prepared(query, kept && !phrase ? 'generic' : 'custom');
}

/**
 * How many works a search statement should fetch the titles of (`searchQuery`'s pageWorks): the
 * first page, in relevance or newest order — the orders SQL sorts as tally.ts does (by title the
 * app follows the Dutch collation, the database its own). Later pages ask for their titles apart.
 */
export function pageTitlesFor(r: SearchRequest): number | null {
  return r.page === 1 && r.sort !== 'title' ? r.pageSize : null;
}

/** One candidate as the search SQL returns it: the fields of `Candidate` in order. */
type CandidateRow = [string, string, string, string | null, string | null, string | null, number | null, string,
  number, boolean, number[], number[], number];

/** The one row of a search statement (`searchQuery`). */
export type SearchRow = {
  candidates: number; scanned: number; branches: string[]; rows: CandidateRow[] | null; pageTitles?: ResultTitleCopiesRow[];
};

/**
 * The hits and facets of a search statement's row: the candidates counted (tally.ts) for `window`
 * (default the request's page). `countFacets`: count the facets among these candidates (the
 * filtered pass of a two-pass search shows the first pass's instead).
 */
export function readSearch(
  row: SearchRow, r: SearchRequest, branchIds: string[],
  /** Which hits to return; a mixed search asks for the first n (see discovery.service.ts). */
  window: { offset: number; limit: number } = { offset: (r.page - 1) * r.pageSize, limit: r.pageSize },
  countFacets = true,
): SearchRows {
  const candidates = (row.rows ?? []).map(([titleId, workId, format, language, audience, avi, year, sortTitle, popularity,
    digitalNow, branches, avail, score]): Candidate => ({
    titleId, workId, format, language, audience, avi, year, sortTitle, popularity, digitalNow, branches, avail, score,
  }));
  // branches go by their place in the library's list (1-based, as width_bucket counts)
  const place = new Map(row.branches.map((id, i) => [id, i + 1]));
  const counted = tally(r, branchIds.flatMap((id) => place.get(id) ?? []), candidates, window, countFacets);
  return {
    ...counted,
    facets: counted.facets.map((f) => ({ ...f, value: f.facet === 'branch' ? row.branches[Number(f.value) - 1]! : String(f.value) })),
    candidates: row.candidates,
    scanBoundReached: row.scanned >= PUSHDOWN_SCAN_LIMIT,
    pageTitles: row.pageTitles ?? null,
  };
}

/**
 * One search in an open transaction (tests, tools; the service sends the statement with others:
 * tenant-reads.ts). `pushDown` also applies the filters before the candidate bound.
 */
export async function search(
  tx: Tx, libraryId: string, r: SearchRequest, branchIds: string[], textQuery: string | null, pushDown = false,
  window: { offset: number; limit: number } = { offset: (r.page - 1) * r.pageSize, limit: r.pageSize },
  plan: ScanPlan = PLAIN,
  countFacets = !pushDown,
): Promise<SearchRows> {
  await sql`select ${sql.join(Object.entries(SEARCH_SETTINGS).map(([k, v]) => sql`set_config(${k}, ${v}, true)`))}`.execute(tx);
  const { rows } = await searchQuery(libraryId, r, branchIds, textQuery, pushDown, plan).execute(tx);
  return readSearch(rows[0]!, r, branchIds, window, countFacets);
}

export interface ResultTitleRow {
  id: string;
  workId: string;
  format: FormatCode;
  title: string;
  subtitle: string | null;
  contributorNames: string;
  year: number | null;
  yearDisplay: string | null;
  language: string | null;
  audience: string | null;
  aviLevel: string | null;
  series: string | null;
  seriesNumber: string | null;
  genres: string[];
  openAccessUrl: string | null;
  isbn: string | null;
}

/** This library's copies of a result title, grouped: `n` copies alike in branch, shelf and status. */
export interface CopyGroup {
  branchSlug: string;
  branchName: string;
  shelf: string;
  status: ItemStatus;
  n: number;
}

/** A branch as a result names it. */
export interface BranchName {
  slug: string;
  name: string;
}

/** A result title's row as eenbieb_titles_of_works returns it: copies as [branch id, shelf, status, n]. */
export type ResultTitleCopiesRow = ResultTitleRow & { copies: [string, string, ItemStatus, number][] };

/**
 * Every title this library can see of the given works (the formats shown on each result), each
 * with its copies at this library grouped by branch, shelf and status: one call of
 * eenbieb_titles_of_works (migrations 0102, 0106), whose plan is kept per connection, and a popular
 * title's hundreds of copies arrive as a few groups.
 */
export function titlesOfWorksQuery(libraryId: string, workIds: string[]) {
  return sql<ResultTitleCopiesRow>`select * from eenbieb_titles_of_works(${libraryId}, ${workIds}::uuid[])`;
}

/** Names of this library's branches by id (a branch newer than the branch directory). */
export function branchNamesQuery(libraryId: string, ids: string[]) {
  return sql<{ id: string; slug: string; name: string }>`select id, slug, name from branch where library_id = ${libraryId} and id = any(${ids}::uuid[])`;
}

/** The branches of the result titles' copies that `branches` (the branch directory) does not name. */
export function unnamedBranches(rows: ResultTitleCopiesRow[], branches: ReadonlyMap<string, BranchName>): string[] {
  return [...new Set(rows.flatMap((t) => t.copies.map(([id]) => id)).filter((id) => !branches.has(id)))];
}

/** The result titles with their copy groups named: `branches` names the library's branches. */
export function nameCopies(rows: ResultTitleCopiesRow[], branches: ReadonlyMap<string, BranchName>): (ResultTitleRow & { copies: CopyGroup[] })[] {
  return rows.map((t) => ({
    ...t,
    copies: t.copies.flatMap(([branchId, shelf, status, n]) => {
      const branch = branches.get(branchId);
      return branch ? [{ branchSlug: branch.slug, branchName: branch.name, shelf, status, n }] : [];
    }),
  }));
}

/** What a search needs to know of its query before it starts (`queryFacts`). */
export interface QueryFacts {
  /** Whether any word is left after Dutch stop words ("de het een" has none). */
  hasLexemes: boolean;
  /** The query's words as lexemes, when it is a plain AND of them (no OR, no NOT); else null. */
  lexemes: string[] | null;
  /** The query holds a phrase ("…"): fewer titles match than its words alone. */
  phrase: boolean;
}

/**
 * The facts of a search's query, as a select list (no table is read): whether any word is left,
 * its lexemes, whether it is a plain AND of words, and whether it holds a phrase.
 */
export type FactsRow = { n: number; lexemes: string[]; plain: boolean; phrase: boolean };

export function queryFacts(q: string): RawBuilder<FactsRow> {
  return sql`numnode(websearch_to_tsquery('dutch', eenbieb_fold(${q}))) as "n",
    tsvector_to_array(to_tsvector('dutch', eenbieb_fold(${q}))) as "lexemes",
    querytree(websearch_to_tsquery('dutch', eenbieb_fold(${q}))) !~ '[|!]' as "plain",
    querytree(websearch_to_tsquery('dutch', eenbieb_fold(${q}))) ~ '<' as "phrase"`;
}

/**
 * Settings for a search's statements (tenant-reads.ts). A search is short OLTP work: JIT, triggered
 * by the planner's pessimistic estimates for the CTEs, would spend over a second compiling it, and
 * the tiered pass (searchQuery) relies on Append returning its tiers in order, so no parallel
 * workers. (PGlite has no JIT; the setting is accepted and ignored.) How the search statement is
 * planned is its own (searchStatement); the functions it calls keep their own generic plans (their SET).
 */
export const SEARCH_SETTINGS = { jit: 'off', max_parallel_workers_per_gather: '0' };

export function readFacts(row: FactsRow | undefined): QueryFacts {
  return { hasLexemes: (row?.n ?? 0) > 0, lexemes: row?.plain ? row.lexemes : null, phrase: !!row?.phrase };
}

/**
 * "Bedoelde u": for each word of the query (accent-folded like the index), whether the vocabulary
 * knows it, and for an unknown word its closest known word: the most similar by trigrams (at least
 * 0.35), the most used first on ties. A known word is not looked up at all (the CASE runs the
 * lookups only when needed). A misspelling mostly keeps its first letters (first-letter errors are
 * rare in typing), so the words with the same first two letters are tried first — a short range
 * of the prefix index, a few hundred words of a national vocabulary — and only when none of them is
 * similar enough is the whole vocabulary searched through the trigram index (~20 ms at 80,000
 * words on the benchmark server, against well under 1 ms for the range).
 */
export function closestWordsQuery(q: string) {
  const closest = (where: RawBuilder<boolean>) => sql`(select v.word from search_vocabulary v
    where ${where} and similarity(v.word, w.word) >= 0.35
    order by similarity(v.word, w.word) desc, v.ndoc desc, v.word limit 1)`;
  return sql<{ word: string; known: boolean; best: string | null }>`
    select w.word, k.known,
           case when k.known then null else coalesce(
             -- words are [a-z0-9] here, so '{' (after 'z') ends the range of the prefix
             ${closest(sql`v.word ~>=~ left(w.word, 2) and v.word ~<~ (left(w.word, 2) || '{')`)},
             ${closest(sql`v.word % w.word`)}) end as best
    from unnest(regexp_split_to_array(eenbieb_fold(${q}), '[^a-z0-9]+')) with ordinality as w(word, n)
    -- short words and numbers are never "misspelled" (the vocabulary holds words of 3+ letters)
    cross join lateral (select (length(w.word) < 3 or w.word ~ '^[0-9]+$'
                          or exists (select 1 from search_vocabulary v where v.word = w.word)) as known) k
    where length(w.word) between 1 and 40
    order by w.n
    limit 12
  `;
}

/** Known words that start with `prefix` (accent-folded), most used first. */
export async function completions(tx: Tx, prefix: string, limit: number): Promise<string[]> {
  const { rows } = await sql<{ word: string }>`
    select word from search_vocabulary
    where word like (replace(replace(replace(eenbieb_fold(${prefix}), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')
    order by ndoc desc, word limit ${limit}`.execute(tx);
  return rows.map((r) => r.word);
}
