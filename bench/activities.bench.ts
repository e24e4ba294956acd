// Activities benchmark (issue #5): registrations per second over the HTTP API (many signed-in
// members registering for many activities: most get a seat, the small activities fill up and
// put people on the waitlist), with and without an Idempotency-Key, and the agenda (HTML page
// and API) at 50 connections, each next to a bare Fastify route measured in the same run. After
// the load, the database is checked: no session overbooked, waitlists contiguous, and exactly
// as many registrations as 201 answers.
//
// Members are created in bulk (multi-row INSERTs as the owner); their sessions are rows written
// exactly as a login writes them (SHA-256 of a random 32-byte cookie value), 1,000 per statement,
// instead of 6,000 argon2id logins (the membership benchmark measures login itself).
// Settings: BENCH_DURATION (s per target, 10), BENCH_WARMUP (s, 2), DATABASE_URL (a server).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { testConfig } from '../src/platform/config.ts';
import { systemCtx } from '../src/platform/context.ts';
import { seedDemoNetwork, seedReferenceData } from '../src/modules/network/index.ts';
import { hashToken, randomToken } from '../src/modules/accounts/session.ts';
import { createActivity, seedDemoActivities } from '../src/modules/activities/index.ts';
import { machineBusySeconds } from './support/cpu.ts';
import { load, percentile, type LoadOptions } from './support/load.ts';
import { createDatabase, postgresCpuSeconds, startPostgres, type PostgresServer } from './support/postgres.ts';
import { startServer, type BenchServer } from './support/servers.ts';
import type { BenchResult } from './run.ts';

const CONNECTIONS = 50;
const MEMBERS = 6000;
/** 80 activities with 100 seats (most people get one) and 20 with 5 (they fill: a waitlist). */
const LARGE = { count: 80, capacity: 100 };
const SMALL = { count: 20, capacity: 5 };
const ACTIVITIES = LARGE.count + SMALL.count;
/** Other processes above this share of a core make the figures unreliable (as in foundation). */
const DISTURBED_OTHER_CPU = 15;
const log = (line = '') => process.stdout.write(`${line}\n`);

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 300) throw new Error(`${name} must be a number of seconds (0–300)`);
  return value;
}

interface Seeded { cookies: string[]; activityIds: string[] }

async function seed(url: string): Promise<Seeded> {
  const db = await openDatabase({ databaseUrl: url });
  try {
    await migrateToLatest(db.kysely);
    await seedReferenceData(db.kysely);
    await seedDemoNetwork(db.kysely);
    await seedDemoActivities(db.kysely);
    const library = await db.kysely.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow();

    const t0 = performance.now();
    const cookies: string[] = [];
    for (let from = 0; from < MEMBERS; from += 1000) {
      const n = Math.min(1000, MEMBERS - from);
      const accounts = await db.kysely.insertInto('account')
        .values(Array.from({ length: n }, (_, k) => ({ email: `bezoeker${from + k}@bench.example`, homeLibraryId: library.id, emailVerifiedAt: new Date() })))
        .returning('id').execute();
      const tokens = accounts.map(() => randomToken());
      await db.kysely.insertInto('session').values(accounts.map((a, k) => ({
        idHash: hashToken(tokens[k]!), accountId: a.id, csrfSecret: randomToken(24), expiresAt: new Date(Date.now() + 7 * 86_400_000), device: 'bench', mfaAt: null,
      }))).execute();
      cookies.push(...tokens.map((t) => `eb_session=${t}`));
    }
    log(`seeded ${MEMBERS} members with sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s (bulk INSERTs)`);

    const t1 = performance.now();
    const ctx = systemCtx(db.kysely, testConfig(), 'bench');
    const activityIds: string[] = [];
    for (let i = 0; i < ACTIVITIES; i++) {
      // evenings over the coming weeks, so the agenda shows them among the demo activities
      const start = new Date(Date.now() + (2 + (i % 28)) * 86_400_000);
      start.setUTCHours(17 + (i % 3), 0, 0, 0);
      const { id } = await createActivity(ctx, library.id, {
        kind: 'event', title: `Benchmarkavond ${i + 1}`, statutoryFunctions: ['meeting_debate'], status: 'published',
        capacity: i < LARGE.count ? LARGE.capacity : SMALL.capacity,
        sessions: [{ startsAt: start, endsAt: new Date(start.getTime() + 2 * 3600_000) }],
      });
      activityIds.push(id);
    }
    log(`seeded ${ACTIVITIES} activities (${LARGE.count} × ${LARGE.capacity} seats, ${SMALL.count} × ${SMALL.capacity}) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    return { cookies, activityIds };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------

interface Row {
  label: string;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  bad: number;
  created: number;
  cpu: { server: number; postgres: number | null; loadGenerator: number; other: number | null };
}

async function cpuSnapshot(server: BenchServer, pgServer: PostgresServer) {
  const own = process.cpuUsage();
  return { at: performance.now(), server: (await server.stats()).cpuSeconds, postgres: postgresCpuSeconds(pgServer), self: (own.user + own.system) / 1e6, machine: machineBusySeconds() };
}

async function measure(label: string, server: BenchServer, pgServer: PostgresServer, settings: { duration: number; warmup: number },
  target: Pick<LoadOptions, 'paths' | 'request'>, onCreated: (n: number) => void): Promise<Row> {
  const count201 = (status: number) => { if (status === 201) onCreated(1); };
  if (settings.warmup > 0) await load({ url: server.url, connections: CONNECTIONS, seconds: settings.warmup, ...target, onResponse: count201 });
  const latencies: number[] = [];
  let created = 0;
  const before = await cpuSnapshot(server, pgServer);
  const result = await load({
    url: server.url, connections: CONNECTIONS, seconds: settings.duration, ...target,
    onResponse: (status, ms) => { latencies.push(ms); if (status === 201) created++; count201(status); },
  });
  const after = await cpuSnapshot(server, pgServer);
  const wall = (after.at - before.at) / 1000;
  const pct = (a: number, b: number) => (100 * (b - a)) / wall;
  latencies.sort((a, b) => a - b);
  return {
    label,
    reqPerSec: result.requests.average,
    p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99),
    bad: result.non2xx + result.errors + result.timeouts,
    created,
    cpu: {
      server: pct(before.server, after.server),
      postgres: before.postgres === null || after.postgres === null ? null : pct(before.postgres, after.postgres),
      loadGenerator: pct(before.self, after.self),
      other: before.machine === null || after.machine === null || before.postgres === null || after.postgres === null ? null
        : pct(before.machine, after.machine) - pct(before.server, after.server) - pct(before.postgres, after.postgres) - pct(before.self, after.self),
    },
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** What the database says after the load: overbooking, waitlist order, and the totals. */
async function verify(url: string, activityIds: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sessions = await client.query<{ id: string; capacity: number; seats_taken: number; waitlisted: number; confirmed: string; waiting: string; positions_ok: boolean }>(`
      select s.id, s.capacity, s.seats_taken, s.waitlisted,
        count(r.id) filter (where r.status in ('confirmed', 'attended')) as confirmed,
        count(r.id) filter (where r.status = 'waitlisted') as waiting,
        coalesce(array_agg(r.waitlist_position order by r.waitlist_position) filter (where r.status = 'waitlisted')
          = array(select generate_series(1, count(r.id) filter (where r.status = 'waitlisted')::int)), true) as positions_ok
      from activity_session s left join registration r on r.library_id = s.library_id and r.session_id = s.id
      where s.activity_id = any($1::uuid[])
      group by s.id, s.capacity, s.seats_taken, s.waitlisted`, [activityIds]);
    const rows = sessions.rows;
    return {
      sessions: rows.length,
      overbooked: rows.filter((r) => Number(r.confirmed) > r.capacity || r.seats_taken > r.capacity).length,
      countersWrong: rows.filter((r) => Number(r.confirmed) !== r.seats_taken || Number(r.waiting) !== r.waitlisted).length,
      gaps: rows.filter((r) => !r.positions_ok).length,
      confirmed: rows.reduce((n, r) => n + Number(r.confirmed), 0),
      waitlisted: rows.reduce((n, r) => n + Number(r.waiting), 0),
      full: rows.filter((r) => r.seats_taken === r.capacity).length,
    };
  } finally {
    await client.end();
  }
}

export async function run(): Promise<BenchResult> {
  const settings = { duration: seconds('BENCH_DURATION', 10), warmup: seconds('BENCH_WARMUP', 2) };
  const cpus = os.cpus();
  log(`activities: ${CONNECTIONS} connections, ${settings.warmup} s warm-up + ${settings.duration} s per target; Node ${process.version}, ` +
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)}`);
  const pgServer = await startPostgres();
  log(`PostgreSQL ${pgServer.version} (${pgServer.origin === 'throwaway' ? 'throwaway server on loopback' : 'DATABASE_URL'}): migrating and seeding…`);
  const url = await createDatabase(pgServer, `eenbieb_bench_a_${process.pid}`);
  const { cookies, activityIds } = await seed(url);

  const bare = await startServer('bare');
  const app = await startServer('app', { DATABASE_URL: url });

  // Registration i: member i mod M, each round through the members on to the next activity, so
  // no pair repeats (a repeat would be a 409, not a registration).
  let next = 0;
  let created = 0;
  const registration = (withKey: boolean) => () => {
    const g = next++;
    const member = g % MEMBERS;
    const activity = (member + Math.floor(g / MEMBERS)) % ACTIVITIES;
    return {
      method: 'POST' as const,
      path: `/api/v1/libraries/utrecht/activities/${activityIds[activity]}/registrations`,
      headers: { 'content-type': 'application/json', cookie: cookies[member]!, ...(withKey ? { 'idempotency-key': `bench-${g}` } : {}) },
      body: '{}',
    };
  };
  // every target answers as expected before it is loaded: a fast error is not a result
  for (const p of ['/utrecht/activiteiten', '/api/v1/libraries/utrecht/activities']) {
    const t0 = performance.now();
    const res = await fetch(`${app.url}${p}`, { headers: { accept: 'text/html' } });
    const body = await res.text();
    if (res.status !== 200 || !body.includes('Benchmarkavond')) throw new Error(`GET ${p} answered ${res.status} without the bench activities`);
    log(`  GET ${p}: ${res.status}, ${(body.length / 1024).toFixed(0)} kB, ${(performance.now() - t0).toFixed(0)} ms alone`);
  }
  const probe = registration(false)();
  const first = await fetch(`${app.url}${probe.path}`, { method: 'POST', headers: probe.headers, body: probe.body });
  if (first.status !== 201) throw new Error(`a registration answered ${first.status}: ${await first.text()}`);
  created++;

  const rows: Row[] = [];
  const onCreated = (n: number) => { created += n; };
  const html = { accept: 'text/html' };
  log('  bare Fastify route (floor)…');
  rows.push(await measure('bare Fastify route (floor)', bare, pgServer, settings, { paths: ['/'] }, onCreated));
  log('  agenda page…');
  rows.push(await measure('GET /utrecht/activiteiten (agenda page)', app, pgServer, settings,
    { paths: ['/utrecht/activiteiten'], request: () => ({ method: 'GET', path: '/utrecht/activiteiten', headers: html }) }, onCreated));
  log('  agenda API…');
  rows.push(await measure('GET …/activities (agenda API)', app, pgServer, settings, { paths: ['/api/v1/libraries/utrecht/activities'] }, onCreated));
  log('  registrations…');
  rows.push(await measure(`POST …/registrations (${MEMBERS} members, ${ACTIVITIES} activities)`, app, pgServer, settings,
    { paths: ['/'], request: registration(false) }, onCreated));
  log('  registrations with an Idempotency-Key…');
  rows.push(await measure('  the same, each with an Idempotency-Key', app, pgServer, settings,
    { paths: ['/'], request: registration(true) }, onCreated));
  await app.stop();
  await bare.stop();

  const floor = rows[0]!.reqPerSec;
  const pctText = (v: number | null) => (v === null ? 'n/a' : `${Math.max(0, v).toFixed(0)} %`);
  log();
  log(table(
    ['target', 'req/s', 'p50', 'p95', 'p99', 'vs bare', 'failed', 'server CPU', 'PG CPU', 'autocannon CPU', 'other CPU'],
    rows.map((r) => [
      r.label, r.reqPerSec.toFixed(0), `${r.p50.toFixed(1)} ms`, `${r.p95.toFixed(1)} ms`, `${r.p99.toFixed(1)} ms`,
      `${((100 * r.reqPerSec) / floor).toFixed(1)} %`, String(r.bad),
      pctText(r.cpu.server), pctText(r.cpu.postgres), pctText(r.cpu.loadGenerator), pctText(r.cpu.other),
    ]),
  ));
  log(`(latency percentiles over every answer of the measured run; CPU in % of one core, ${cpus.length} cores in all; other = everything else on the machine)`);
  const noisiest = Math.max(...rows.map((r) => r.cpu.other ?? 0));
  if (noisiest > DISTURBED_OTHER_CPU) {
    log(`WARNING: other processes used up to ${noisiest.toFixed(0)} % of a core during the runs: the numbers are disturbed; rerun on a quiet machine before trusting them.`);
  }

  const v = await verify(url, activityIds);
  const stops = 2 * (settings.warmup > 0 ? 2 : 1);
  log();
  log(`after the load: ${created} registrations answered 201 — ${v.confirmed} confirmed, ${v.waitlisted} waitlisted; ` +
    `${v.full} of ${v.sessions} sessions full`);
  const checks: [string, string, boolean][] = [
    ['no session overbooked (confirmed ≤ capacity)', `${v.overbooked} overbooked`, v.overbooked === 0],
    ['seat counters equal the registrations', `${v.countersWrong} differ`, v.countersWrong === 0],
    ['waitlist positions contiguous (1..n)', `${v.gaps} with gaps`, v.gaps === 0],
    // a request still in flight when autocannon stops is registered without its answer being
    // counted: at most one per connection per stop (warm-up and measured run, two targets)
    ['a registration per 201 answer (+ cut off at a stop)', `${v.confirmed + v.waitlisted} rows for ${created} answers`,
      v.confirmed + v.waitlisted >= created && v.confirmed + v.waitlisted <= created + CONNECTIONS * stops],
    ['all load requests answered 2xx', rows.every((r) => r.bad === 0) ? 'yes' : `no (${rows.map((r) => r.bad).join('/')})`, rows.every((r) => r.bad === 0)],
  ];
  log(table(['check', 'measured', 'result'], checks.map(([what, value, ok]) => [what, value, ok ? 'PASS' : 'FAIL'])));
  return { ok: checks.every(([, , ok]) => ok) };
}
