// EXPLAIN one title search on a database kept by the catalogue benchmark (BENCH_KEEP=1), to see
// where its time goes: the SQL `discovery.repository.ts` sends for a query string, run twice to
// warm up, timed over ten runs, then EXPLAIN (ANALYZE, BUFFERS). `push` asks for the filtered
// second pass, `tiered` for the pass tier by tier of popularity, `auto` for the plan the app would
// choose from the lexeme statistics (lexeme-stats.ts scanPlan). Usage:
//   URL=postgres://…/eenbieb_bench_c_… node --import tsx bench/explain-search.ts 'q=liefde&avi=E3' [push] [tiered|auto]
import pg from 'pg';
import { Kysely, PostgresDialect, CamelCasePlugin, sql } from 'kysely';
import { candidateLimit, facetGroups, searchQuery } from '../src/modules/discovery/discovery.repository.ts';
import { lexemeStats, PLAIN, scanPlan, TIER_BY_TIER, type ScanPlan } from '../src/modules/discovery/lexeme-stats.ts';
import { parseSearchRequest } from '../src/modules/discovery/query.ts';
const url = process.env.URL;
if (!url || !process.argv[2]) {
  process.stderr.write('usage: URL=postgres://… node --import tsx bench/explain-search.ts QUERYSTRING [push] [tiered|auto]\n');
  process.exit(2);
}
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }), plugins: [new CamelCasePlugin()] });
const raw = Object.fromEntries(new URLSearchParams(process.argv[2]!));
const args = process.argv.slice(3);
const pushDown = args.includes('push');
const { request } = parseSearchRequest(raw);
const lib = (await db.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow()).id as string;
const branchIds: string[] = request.branch.length ? (await db.selectFrom('branch').select('id').where('libraryId', '=', lib).where('slug', 'in', request.branch).execute()).map((b: any) => b.id) : [];
let plan: ScanPlan = args.includes('tiered') ? { pass: 'tiered', rowFilters: [], indexWords: null, tiers: TIER_BY_TIER } : PLAIN;
if (args.includes('auto')) {
  const stats = await db.transaction().execute((tx) => lexemeStats(tx, db));
  const words = (await db.transaction().execute((tx) => sql<{ l: string[] }>`select tsvector_to_array(to_tsvector('dutch', eenbieb_fold(${request.q}))) as l`.execute(tx))).rows[0]!.l.map((l) => [l]);
  plan = scanPlan(stats, words, pushDown ? facetGroups(request) : [], candidateLimit(request.q || null));
  console.log('plan', JSON.stringify(plan));
}
const q = searchQuery(lib, request, branchIds, request.q || null, pushDown, plan);
const c = q.compile(db);
const client = new pg.Client({ connectionString: url }); await client.connect();
await client.query('set jit = off'); await client.query('set max_parallel_workers_per_gather = 0'); // as prepare() does
for (let i = 0; i < 2; i++) await client.query(c.sql, c.parameters as any[]);
const t0 = performance.now(); const N = Number(process.env.N ?? 10);
for (let i = 0; i < N; i++) await client.query(c.sql, c.parameters as any[]);
console.log('avg ms', ((performance.now() - t0) / N).toFixed(1));
const r = await client.query('explain (analyze, buffers, timing on) ' + c.sql, c.parameters as any[]);
console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
await client.end(); await db.destroy();
