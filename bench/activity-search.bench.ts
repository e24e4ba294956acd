// Activities in the one search (issue #4 item 4, issue #5 item 6): what the activity side adds to
// a search. A demo network with the demo catalogue, plus BENCH_ACTIVITIES upcoming activities in
// one library (Utrecht) and a hundred shared online activities from other libraries, with Dutch
// words that also occur in the catalogue. Reports (1) the activity candidate query alone, in
// process, and (2) the search API over HTTP at 16 connections for mixed queries, next to a bare
// Fastify route measured in the same run, with the CPU that other work on the machine took.
// The national-scale title side has its own benchmark; this one is about the added kind.
// Settings: BENCH_DURATION (s per target, 10), BENCH_WARMUP (s, 2), BENCH_ACTIVITIES (2000).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { inTenant } from '../src/platform/db/tenant.ts';
import { seedDemoNetwork, seedReferenceData } from '../src/modules/network/index.ts';
import { seedDemoCatalogue } from '../src/modules/catalogue/index.ts';
import { seedDemoActivities } from '../src/modules/activities/index.ts';
import { activityCandidates } from '../src/modules/discovery/activity-search.ts';
import { parseSearchRequest } from '../src/modules/discovery/index.ts';
import { machineBusySeconds } from './support/cpu.ts';
import { load } from './support/load.ts';
import { createDatabase, postgresCpuSeconds, startPostgres } from './support/postgres.ts';
import { startServer } from './support/servers.ts';
import type { BenchResult } from './run.ts';

const CONNECTIONS = 16;
const WORDS = ['gedichten', 'verhalen', 'lezen', 'schrijven', 'geschiedenis', 'liefde', 'leven', 'taal', 'digitaal', 'muziek',
  'kinderen', 'natuur', 'oorlog', 'reizen', 'kunst', 'film', 'debat', 'wetenschap', 'koken', 'tuin'];
const log = (line = '') => process.stdout.write(`${line}\n`);

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function run(): Promise<BenchResult> {
  const duration = Number(process.env.BENCH_DURATION ?? 10);
  const warmup = Number(process.env.BENCH_WARMUP ?? 2);
  const activities = Number(process.env.BENCH_ACTIVITIES ?? 2000);
  const cpus = os.cpus();
  log(`activity-search: ${CONNECTIONS} connections, ${warmup} s warm-up + ${duration} s per target; ${activities} activities in one library; Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim()}`);
  const pgServer = await startPostgres();
  const url = await createDatabase(pgServer, `eenbieb_bench_as_${process.pid}`);
  const db = await openDatabase({ databaseUrl: url });
  const inProcess: { label: string; p50: number; p95: number; rows: number }[] = [];
  try {
    const t0 = performance.now();
    await migrateToLatest(db.kysely);
    await seedReferenceData(db.kysely);
    await seedDemoNetwork(db.kysely);
    await seedDemoCatalogue(db.kysely);
    await seedDemoActivities(db.kysely);
    const libs = await db.kysely.selectFrom('library').select(['id', 'slug']).orderBy('slug').execute();
    const utrecht = libs.find((l) => l.slug === 'utrecht')!.id;
    // deterministic words: activity i gets three of WORDS in title, themes and description
    const generate = (libraryId: string, n: number, shared: boolean) => inTenant(db.kysely, libraryId, async (tx) => {
      await sql`
        with a as (
          insert into activity (library_id, kind, title, description, audience, statutory_functions, themes, status, online,
                                shared_network, price_cents, partner)
          select ${libraryId}, (array['event','course','service'])[1 + i % 3],
                 'Middag over ' || (${WORDS}::text[])[1 + i % 20] || ' ' || i,
                 'We praten over ' || (${WORDS}::text[])[1 + (i * 7) % 20] || ' en ' || (${WORDS}::text[])[1 + (i * 13) % 20]
                   || '. Iedereen is welkom in de bibliotheek; neem gerust iemand mee. ' || repeat('Meer informatie volgt. ', 10),
                 array['adults'], array[(array['knowledge_information','development_education','reading_literature','meeting_debate','art_culture'])[1 + i % 5]],
                 array[(${WORDS}::text[])[1 + (i * 3) % 20]], 'published', ${shared}, ${shared}, (i % 4) * 250,
                 case when i % 5 = 0 then 'Stichting ' || (${WORDS}::text[])[1 + (i * 11) % 20] end
          from generate_series(1, ${n}) i
          returning library_id, id, kind
        )
        insert into activity_session (library_id, activity_id, starts_at, ends_at, capacity)
        select a.library_id, a.id, now() + make_interval(days => 1 + (row_number() over ())::int % 120, hours => s),
               now() + make_interval(days => 1 + (row_number() over ())::int % 120, hours => s + 2), 30
        from a cross join generate_series(0, case a.kind when 'course' then 3 else 0 end) s`.execute(tx);
    });
    await generate(utrecht, activities, false);
    for (const lib of libs.filter((l) => l.id !== utrecht).slice(0, 5)) await generate(lib.id, 20, true);
    await sql`analyze`.execute(db.kysely);
    log(`seeded the demo network, catalogue and ${activities} + 100 shared activities in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // (1) the activity candidate query alone, as the search runs it
    for (const [label, q] of [['common word ("gedichten")', 'gedichten'], ['two words ("lezen taal")', 'lezen taal'], ['browse (no words)', '']] as const) {
      const { request } = parseSearchRequest({ q });
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 120; i++) {
        const s = performance.now();
        rows = (await inTenant(db.kysely, utrecht, (tx) => activityCandidates(tx, utrecht, request, q || null, new Date()))).rows.length;
        if (i >= 20) times.push(performance.now() - s);
      }
      inProcess.push({ label, p50: percentile(times, 50), p95: percentile(times, 95), rows });
    }
  } finally {
    await db.close();
  }

  const bare = await startServer('bare');
  const app = await startServer('app', { DATABASE_URL: url });
  const targets: [string, string, string][] = [
    ['bare Fastify route (floor)', bare.url, '/'],
    ['search "gedichten" (mixed)', app.url, '/api/v1/libraries/utrecht/search?q=gedichten'],
    ['search "gedichten", kind=title', app.url, '/api/v1/libraries/utrecht/search?q=gedichten&kind=title'],
    ['search "gedichten", format=book (no activities)', app.url, '/api/v1/libraries/utrecht/search?q=gedichten&format=book'],
    ['activity facets (function, free)', app.url, '/api/v1/libraries/utrecht/search?function=reading_literature&free=true'],
    ['browse, page 3 (mixed)', app.url, '/api/v1/libraries/utrecht/search?page=3'],
  ];
  const rows: { label: string; rps: number; p50: number; p90: number; p97: number; p99: number; bad: number; other: number | null }[] = [];
  for (const [label, base, path] of targets) {
    log(`  ${label}…`);
    if (warmup > 0) await load({ url: base, paths: [path], connections: CONNECTIONS, seconds: warmup });
    const own0 = process.cpuUsage();
    const m0 = machineBusySeconds();
    const s0 = (await (label.startsWith('bare') ? bare : app).stats()).cpuSeconds;
    const p0 = postgresCpuSeconds(pgServer);
    const w0 = performance.now();
    const r = await load({ url: base, paths: [path], connections: CONNECTIONS, seconds: duration });
    const wall = (performance.now() - w0) / 1000;
    const own1 = process.cpuUsage(own0);
    const m1 = machineBusySeconds();
    const s1 = (await (label.startsWith('bare') ? bare : app).stats()).cpuSeconds;
    const p1 = postgresCpuSeconds(pgServer);
    const other = m0 === null || m1 === null || p0 === null || p1 === null ? null
      : (100 * ((m1 - m0) - (s1 - s0) - (p1 - p0) - (own1.user + own1.system) / 1e6)) / wall;
    rows.push({ label, rps: r.requests.average, p50: r.latency.p50, p90: r.latency.p90, p97: r.latency.p97_5, p99: r.latency.p99, bad: r.non2xx + r.errors + r.timeouts, other });
  }
  await app.stop();
  await bare.stop();

  log();
  log('activity candidate query alone (in process, 100 runs)     p50      p95   candidates');
  for (const r of inProcess) log(`${r.label.padEnd(52)} ${`${r.p50.toFixed(2)} ms`.padStart(9)} ${`${r.p95.toFixed(2)} ms`.padStart(9)} ${String(r.rows).padStart(10)}`);
  log();
  const floor = rows[0]!.rps;
  log('target                                             req/s     p50     p90   p97.5     p99  vs bare  failed  other CPU');
  for (const r of rows) {
    log(`${r.label.padEnd(48)} ${r.rps.toFixed(0).padStart(7)} ${`${r.p50} ms`.padStart(7)} ${`${r.p90} ms`.padStart(7)} ${`${r.p97} ms`.padStart(7)} ${`${r.p99} ms`.padStart(7)} ${`${((100 * r.rps) / floor).toFixed(1)} %`.padStart(8)} ${String(r.bad).padStart(7)} ${r.other === null ? '      –' : `${r.other.toFixed(0)} %`.padStart(10)}`);
  }
  log('(other CPU: machine busy time not spent by the server, PostgreSQL or the load generator, in % of one core)');
  return { ok: rows.every((r) => r.bad === 0) };
}
