// How common the words and filter values of a search are, to choose how its candidates are found
// (discovery.repository.ts searchQuery):
// - a common combination (one title in ten or more): walk the popularity index and test each
//   title — the first `limit` matches come within a few thousand titles. The statement tests the
//   words and values on each row, which leaves the popularity index its only way in, and is
//   planned once per connection (discovery.repository.ts searchStatement);
// - a rare one (2,500 matches at most): the GIN index finds them all, then they are sorted (a
//   statement planned once per connection too);
// - in between (one title in a hundred: a less common word, two common words, a word with a
//   filter value), both are slow — 10,000–20,000 titles walked, or as many matches fetched and
//   sorted — so the search asks tier by tier of popularity (migration 0099), where the GIN index
//   intersects with a short tier list.
// Words and filter values most titles have are tested on the rows rather than intersected in the index.
// PostgreSQL's planner chooses between the first two by itself, but it does not know that the most
// popular tier lies at the start of the popularity index, so the tiered pass is chosen here. The
// frequencies are the planner's own: the most common lexemes of title.search_vector and their
// share of titles from pg_stats (kept by ANALYZE; read by eenbieb_search_lexeme_stats, migration
// 0099), cached per database for a few minutes. A lexeme
// not among them is rarer than the rarest that is. Without statistics (a fresh database, PGlite
// before ANALYZE) every search takes the plain pass, as before the tiers.
import { sql, type QueryExecutorProvider } from 'kysely';

export interface LexemeStats {
  /** Share of titles holding each of the most common lexemes. */
  freq: Map<string, number>;
  /** The smallest share in `freq`: any other lexeme is rarer. 0 without statistics. */
  floor: number;
  /** Titles in the catalogue (estimate). */
  titles: number;
}

/** How a search's candidates are found (discovery.repository.ts searchQuery). */
export interface ScanPlan {
  /**
   * `walk`: the popularity index walked, every word and value tested on each row; `index`: every
   * match from the GIN index, then sorted (few matches); `tiered`: tier by tier; `plain`: without
   * statistics, the GIN index or the walk as the planner estimates from the words.
   */
  pass: 'walk' | 'index' | 'plain' | 'tiered';
  /**
   * Filter lexeme groups too common to help the GIN index (a format most titles have): tested on
   * each row the index yields instead of intersected in it. Intersecting a posting list of half
   * the catalogue costs more than it saves — on the national benchmark catalogue "schol" (6 % of
   * the titles) AND 'f=book' took the GIN index 21 ms against 1.4 ms for the word alone in a tier.
   */
  rowFilters: string[][];
  /**
   * The words to ask the index for, when some are too common to help it ("liefde" in a third of
   * the titles, with "vogel"): the others are tested on each row, with the whole query (phrases
   * included). Null: the whole query goes to the index.
   */
  indexWords: string[] | null;
  /**
   * The tiered pass's scans, most popular first: each asks the index for the matches in these
   * popularity tiers (migration 0099) at once. Every scan walks the words' posting lists again, so
   * the first two tiers go together when the first is expected to hold well under the candidate
   * bound (`tiersFor`).
   */
  tiers: number[][];
}

/** The popularity tiers one scan each (the tiered pass before `tiersFor`; tests). */
export const TIER_BY_TIER: number[][] = [[1], [2], [3], [4]];

export const PLAIN: ScanPlan = { pass: 'plain', rowFilters: [], indexWords: null, tiers: [] };

/** At least this share of titles matching: the popularity walk finds enough quickly. */
export const COMMON_SHARE = 0.1;
/**
 * At most this many titles matching: the GIN index finds them all, and fetching and sorting them
 * costs less than asking the index once per tier (each tier intersects the word's posting list
 * again: 1.5–5 ms a tier for a word in 2–6 % of the benchmark's titles). Measured on the national
 * benchmark: "berg wereld" (4,571 matches) 20 ms fetched whole, 12 ms tier by tier; "boek buir"
 * (3,500) about even; "drotscheik huis" (871) 11 ms whole, 28 ms tier by tier.
 */
export const FEW_MATCHES = 2500;
/** A word or filter group held by more than this share of titles is tested on the row, not in the index. */
export const INDEXED_SHARE = 0.2;
const TTL_MS = 5 * 60_000;
/**
 * A pass matches at least this many times the candidate bound by the statistics (its words, and
 * the filter values it tests as lexemes, taken as independent): sure to reach its bound. The words
 * alone: a filtered search skips the first pass; a pass: it takes the sample bound
 * (discovery.service.ts, discovery.repository.ts candidateLimit).
 */
export const SURE_BOUND_FACTOR = 10;

const cache = new WeakMap<object, { stats: LexemeStats; at: number }>();

/** The lexeme statistics of the catalogue, from the cache of `key` (the database) or read through `tx` (a transaction or the database). */
export async function lexemeStats(tx: QueryExecutorProvider, key: object, now = Date.now()): Promise<LexemeStats> {
  const hit = cache.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.stats;
  // (through the owner: pg_stats hides a table under row-level security from the application role)
  const { rows } = await sql<{ elems: string[] | null; freqs: number[] | null; titles: number }>`
    select elems, freqs, titles from eenbieb_search_lexeme_stats()`.execute(tx);
  const r = rows[0];
  const freq = new Map<string, number>();
  // most_common_elem_freqs ends with three extra numbers (minimum, maximum, null share)
  (r?.elems ?? []).forEach((e, i) => freq.set(e, Number(r!.freqs![i])));
  const stats = { freq, floor: freq.size ? Math.min(...freq.values()) : 0, titles: Number(r?.titles ?? 0) };
  cache.set(key, { stats, at: now });
  return stats;
}

/** The share of titles holding any lexeme of the group; a lexeme not among the most common is taken as half the rarest that is. */
function shareOf(stats: LexemeStats, group: string[]): number {
  return Math.min(1, group.reduce((s, l) => s + (stats.freq.get(l) ?? stats.floor / 2), 0));
}

/**
 * The plan for candidates that must hold every group of lexemes: the query's words (one group per
 * word; `null` when the query is not a plain AND of words — OR, NOT — and the plan is plain), and
 * the filters' values (any one of a group, facetGroups). Words are taken as independent of each
 * other and of the filters; the filters not of each other (open access comes only with e-books, a
 * branch's holdings within its library's), so the share of titles matching lies between the
 * product of all shares and the words' product times the smallest share of a filter in the index.
 * - at least COMMON_SHARE even by the product: walk the popularity order;
 * - else, words held by more than INDEXED_SHARE of the titles are left to the test on each row,
 *   and when the index yields at most FEW_MATCHES titles even by the larger estimate (the kept
 *   words' product times the smallest indexed filter share): every match from the GIN index;
 * - else tier by tier of popularity.
 */
export function scanPlan(
  stats: LexemeStats, words: string[][] | null, filters: string[][],
  /** The search's candidate bound (discovery.repository.ts candidateLimit), for `tiersFor`. */
  bound: number,
): ScanPlan {
  if (!words || !stats.freq.size || stats.titles <= 0) return PLAIN;
  if (!words.length && !filters.length) return PLAIN;
  const share = (g: string[]) => shareOf(stats, g);
  const rowFilters = filters.filter((g) => share(g) > INDEXED_SHARE);
  const indexed = filters.filter((g) => !rowFilters.includes(g));
  const wordShare = words.reduce((p, g) => p * share(g), 1);
  const lower = filters.reduce((p, g) => p * share(g), wordShare);
  if (lower >= COMMON_SHARE) return { pass: 'walk', rowFilters, indexWords: null, tiers: [] };
  // the words worth asking the index for: the uncommon ones, or the least common one when no
  // indexed filter value narrows the search either
  const uncommon = words.filter((g) => share(g) <= INDEXED_SHARE);
  const rarest = [...words].sort((a, b) => share(a) - share(b)).slice(0, 1);
  const kept = uncommon.length || indexed.length ? uncommon : rarest;
  const indexWords = kept.length === words.length ? null : kept.flat();
  // how many titles the index yields (to be fetched, then tested on the rows)
  const upper = kept.reduce((p, g) => p * share(g), 1) * Math.min(1, ...indexed.map(share));
  if (upper * stats.titles <= FEW_MATCHES) return { pass: 'index', rowFilters, indexWords, tiers: [] };
  return { pass: 'tiered', rowFilters, indexWords, tiers: tiersFor(stats, lower * stats.titles, bound) };
}

/**
 * The tiered pass's scans for `matches` expected matches: tier by tier, except that the first two
 * tiers (the most popular 1 % and the next 4 %) are one scan when the first is expected to hold
 * well under the candidate bound `bound` — under half of it, a margin for words and values that go
 * together more often than independent ones would ("huis prinses": 180 expected, 210 there, and
 * the first tier alone was enough). A scan of the second tier would follow anyway, and each scan
 * intersects the words' posting lists again. Measured alternating on one connection (national
 * benchmark catalogue, same rows each time): "zon" + English 12.0 → 10.4 ms, "moeder" + English
 * 10.9 → 8.5 ms, "berg wereld" 7.9 → 5.9 ms; "huis prinses" (first tier enough) unchanged. The
 * third tier is never joined to them: the estimate takes words and values as independent, and
 * where they are not ("yara" with 2015–2026, whose matches lean to popular titles) the top 20 % in
 * one scan read twice what the tiers needed (7.9 → 17.8 ms).
 */
export function tiersFor(stats: LexemeStats, matches: number, bound: number): number[][] {
  const first = stats.freq.get('p=1');
  return first !== undefined && matches * first < bound / 2 ? [[1, 2], [3], [4]] : TIER_BY_TIER;
}

/**
 * How many titles the words match by the statistics, taken as independent (words of one title go
 * together more often than that, so this errs low); every title when browsing without words. Null
 * when it cannot be told: no statistics, a query that is not a plain AND of words, or a word the
 * statistics do not know (only a bound is known of it: rarer than the rarest they keep). A phrase
 * matches fewer titles than its words; the caller leaves it out.
 */
export function estimatedMatches(
  stats: LexemeStats, words: string[][] | null,
  /**
   * Filter values (facetGroups) the matches must hold too, taken as independent of the words and
   * of each other, as scanPlan's lower estimate: values that exclude each other (open access and a
   * printed format) make it too high.
   */
  filters: string[][] = [],
): number | null {
  if (!words || !stats.freq.size || stats.titles <= 0) return null;
  if ([...words, ...filters].some((g) => g.some((l) => !stats.freq.has(l)))) return null;
  const share = (g: string[]) => shareOf(stats, g);
  return [...words, ...filters].reduce((p, g) => p * share(g), 1) * stats.titles;
}
