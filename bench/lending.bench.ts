// Lending benchmark (issue #6, "Performance and reliability"), on PostgreSQL at national scale:
//
// 1. Data: 8,000,000 members (account, membership with card, profile; 75 % at the benchmark
//    library, the rest over the other demo libraries), 1,000,000 titles and 3,000,000 copies at the
//    benchmark library's branches, 500,000 of them on loan, generated in the database
//    (bench/support/bulk-data.ts), then ANALYZE. Generation time and database size are printed.
// 2. Circulation over HTTP at 64 connections: desk staff (real sessions) check a copy out to a
//    member (card number, branch) and check the same copy in again, over many members and copies
//    so that no limit is reached. Throughput and p50/p95/p99 per kind and overall, next to two
//    floors measured in the same run: a bare Fastify route, and one indexed SQL lookup (a member by
//    card) through a pool of the app's size. Target: ≥ 500 transactions/s with p95 ≤ 50 ms. That
//    run is closed-loop (each connection waits for its answer), so its latency is 64 / throughput
//    (Little's law); the p95 target is therefore measured in a second run at a fixed offered rate
//    of BENCH_RATE (500) transactions/s over the same 64 connections, evenly paced (open loop).
//    Both runs are printed.
// 3. Digital storm: 5,000 members (each with their own session) borrow one title with a pool of 10
//    licences at the same moment → exactly 10 loans (201) and 4,990 holds (202) with queue
//    positions 1…4,990, no errors, all answered within 5 s.
// 4. Crash test: check-out load, kill -9 of the server halfway, restart; then every acknowledged
//    check-out (201) is exactly one open loan, every copy's status matches the loan rows
//    (on_loan ⇔ an open loan) and the member and licence counters match the rows they count.
//
// Settings (environment): BENCH_MEMBERS (8000000), BENCH_TITLES (1000000), BENCH_ITEMS (3000000),
// BENCH_DURATION (s of measured circulation, 30), BENCH_WARMUP (s, 5), BENCH_STORM (5000),
// BENCH_LICENCES (10), BENCH_CRASH_SECONDS (10), BENCH_RATE (500 transactions/s for the latency run), BENCH_OPEN_LOANS (copies already on loan before
// the run, 500000: a library's check-in must find one loan among many), DATABASE_URL (a server instead of a throwaway one;
// it then needs the room for the data).
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemoNetwork, seedReferenceData } from '../src/modules/network/index.ts';
import { seedDemoMembership } from '../src/modules/membership/index.ts';
import { seedDemoLending } from '../src/modules/lending/index.ts';
import { hashToken, randomToken } from '../src/modules/accounts/session.ts';
import { analyze, benchUuid, generateCatalogue, generateMembers, generateOpenLoans, itemBarcode, memberCard, memberId, type CatalogueLayout, type MemberLayout } from './support/bulk-data.ts';
import { machineBusySeconds } from './support/cpu.ts';
import { load, percentile } from './support/load.ts';
import { loadSequence, pacedSequence, type SequenceResult } from './support/load-sequence.ts';
import { createDatabase, postgresCpuSeconds, printStatementStats, startPostgres, STATEMENT_STATS, type PostgresServer } from './support/postgres.ts';
import { startServer, type BenchServer } from './support/servers.ts';
import type { BenchResult } from './run.ts';

const LIBRARY = 'utrecht';
const CONNECTIONS = 64;
const DESK_STAFF = 64;
const log = (line = '') => process.stdout.write(`${line}\n`);
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Owner connection for set-up and verification (reads every library's rows). */
async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Session rows for accounts, as a login would create them; returns the cookies in the same order. */
async function sessionsFor(c: pg.Client, accountIds: string[]): Promise<string[]> {
  const tokens = accountIds.map(() => randomToken());
  await c.query(`
    INSERT INTO session (id_hash, account_id, csrf_secret, expires_at, device)
    SELECT h, a, $3, now() + interval '1 day', 'bench' FROM unnest($1::text[], $2::uuid[]) AS s(h, a)`,
    [tokens.map(hashToken), accountIds, randomToken(24)]);
  return tokens.map((t) => `eb_session=${t}`);
}

interface Fixtures {
  libraryId: string;
  deskCookies: string[];
  storm: { titleId: string; poolId: string; cookies: string[] };
}

async function fixtures(url: string, members: MemberLayout, stormSize: number, licences: number): Promise<Fixtures> {
  return withClient(url, async (c) => {
    const libraryId = members.libraries[0]!.libraryId;
    // desk staff: their own accounts with the desk role at the library
    const desk: string[] = [];
    for (let i = 0; i < DESK_STAFF; i++) {
      const id = benchUuid(6, i + 1);
      await c.query(`INSERT INTO account (id, email, email_verified_at, home_library_id) VALUES ($1, $2, now(), $3)`, [id, `balie${i}@bench.example`, libraryId]);
      await c.query(`INSERT INTO staff_role (library_id, account_id, role) VALUES ($1, $2, 'desk')`, [libraryId, id]);
      desk.push(id);
    }
    const deskCookies = await sessionsFor(c, desk);
    // the storm's title: a national e-book with one pool of `licences` (one copy, one user each)
    const titleId = benchUuid(7, 1);
    await c.query(`INSERT INTO work (id) VALUES ($1)`, [benchUuid(7, 2)]);
    await c.query(`INSERT INTO title (id, work_id, source, source_id, format, title) VALUES ($1, $2, 'bench', 'storm', 'ebook', 'De storm')`, [titleId, benchUuid(7, 2)]);
    const pool = await c.query<{ id: string }>(`
      INSERT INTO license_pool (title_id, provider, model, concurrency, loan_period_days) VALUES ($1, 'demo-uitgeverij', 'one_copy_one_user', $2, 21) RETURNING id`,
      [titleId, licences]);
    // the storm's borrowers: the last members of the library (the circulation mix uses the others)
    const main = members.libraries[0]!;
    const last = main.firstMember + main.count - 1;
    const stormIds = Array.from({ length: stormSize }, (_, i) => memberId(last - i));
    const cookies = await sessionsFor(c, stormIds);
    return { libraryId, deskCookies, storm: { titleId, poolId: pool.rows[0]!.id, cookies } };
  });
}

// --- measuring CPU around a run (what the server, PostgreSQL, this process and the rest used)

async function cpuSnapshot(server: BenchServer, pgServer: PostgresServer) {
  const own = process.cpuUsage();
  return { at: performance.now(), server: (await server.stats()).cpuSeconds, postgres: postgresCpuSeconds(pgServer), self: (own.user + own.system) / 1e6, machine: machineBusySeconds() };
}
type Snapshot = Awaited<ReturnType<typeof cpuSnapshot>>;
function cpuPercent(before: Snapshot, after: Snapshot) {
  const wall = (after.at - before.at) / 1000;
  const pct = (a: number, b: number) => (100 * (b - a)) / wall;
  const server = pct(before.server, after.server);
  const postgres = before.postgres === null || after.postgres === null ? null : pct(before.postgres, after.postgres);
  const self = pct(before.self, after.self);
  const machine = before.machine === null || after.machine === null ? null : pct(before.machine, after.machine);
  return { server, postgres, self, other: machine === null || postgres === null ? null : machine - server - postgres - self };
}
const pctText = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)} %`);

// --- the circulation mix

interface Round { item: number; barcode: string; branch: string; desk: string; card: string; out: boolean }

function circulation(members: MemberLayout, catalogue: CatalogueLayout, cookies: string[], reserveForStorm: number, freeItems: number) {
  const main = members.libraries[0]!;
  const usable = main.count - reserveForStorm;
  let k = 0;
  // copies and members in a scattered order (a stride coprime to the count visits each once)
  const stride = (n: number) => { let s = Math.floor(n * 0.6180339887) | 1; while (gcd(s, n) !== 1) s += 2; return s; };
  const itemStride = stride(freeItems);
  const memberStride = stride(usable);
  const base = `/api/v1/libraries/${LIBRARY}`;
  const json = (cookie: string) => ({ 'content-type': 'application/json', cookie });
  return {
    context: (): Round => {
      const n = k++;
      const item = (n * itemStride + 12345) % freeItems;
      return {
        item, barcode: itemBarcode(item), branch: catalogue.branches[item % catalogue.branches.length]!.slug,
        desk: cookies[n % cookies.length]!, card: memberCard(members, main.firstMember + ((n * memberStride) % usable)), out: false,
      };
    },
    checkOut: {
      name: 'check-out',
      build: (r: Round) => ({ method: 'POST' as const, path: `${base}/loans`, headers: json(r.desk), body: JSON.stringify({ barcode: r.barcode, cardNumber: r.card, branch: r.branch }) }),
      onResponse: (status: number, _body: string, r: Round) => { r.out = status === 201; },
    },
    checkIn: {
      name: 'check-in',
      build: (r: Round) => (r.out ? { method: 'POST' as const, path: `${base}/returns`, headers: json(r.desk), body: JSON.stringify({ barcode: r.barcode, branch: r.branch }) } : null),
    },
    used: () => k,
    skip: (n: number) => { k += n; },
  };
}

function gcd(a: number, b: number): number { return b === 0 ? a : gcd(b, a % b); }

// --- the digital storm

interface StormAnswer { status: number; ms: number; body: { outcome?: string; position?: number; code?: string } }

function post(base: string, path: string, cookie: string, body: unknown, agent: http.Agent): Promise<StormAnswer> {
  const started = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const u = new URL(path, base);
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), cookie } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { data += d; });
      res.on('end', () => {
        let parsed: StormAnswer['body'] = {};
        try { parsed = JSON.parse(data); } catch { /* not JSON: counted as an error below */ }
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: parsed });
      });
    });
    req.setTimeout(120_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - started, body: { code: e.message } }));
    req.end(payload);
  });
}

// --- verification after load (and after the crash)

interface Verification { ok: boolean; lines: string[] }

async function verify(url: string, acknowledged: { loanId: string; barcode: string }[]): Promise<Verification> {
  return withClient(url, async (c) => {
    const lines: string[] = [];
    let ok = true;
    const check = (label: string, bad: number, detail = '') => {
      if (bad !== 0) ok = false;
      lines.push(`  ${bad === 0 ? 'OK  ' : 'FAIL'} ${label}${bad === 0 ? '' : `: ${bad} wrong`}${detail ? ` (${detail})` : ''}`);
    };
    if (acknowledged.length) {
      const r = await c.query<{ missing: number; dup: number }>(`
        WITH ack AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS a(loan_id, barcode))
        SELECT count(*) FILTER (WHERE l.id IS NULL OR l.status <> 'open' OR i.barcode <> ack.barcode)::int AS missing,
               (SELECT count(*)::int FROM (SELECT loan_id FROM ack GROUP BY loan_id HAVING count(*) > 1) d) AS dup
        FROM ack LEFT JOIN loan l ON l.id = ack.loan_id LEFT JOIN item i ON i.library_id = l.library_id AND i.id = l.item_id`,
        [acknowledged.map((a) => a.loanId), acknowledged.map((a) => a.barcode)]);
      check(`every acknowledged check-out (${acknowledged.length.toLocaleString('en')}) is one open loan of that copy`, r.rows[0]!.missing + r.rows[0]!.dup);
    }
    const twice = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT item_id FROM loan WHERE status = 'open' AND kind = 'physical' GROUP BY library_id, item_id HAVING count(*) > 1) x`);
    check('no copy has two open loans', twice.rows[0]!.n);
    const status = await c.query<{ n: number; open: number }>(`
      SELECT count(*) FILTER (WHERE (i.status = 'on_loan') <> (l.id IS NOT NULL))::int AS n, count(l.id)::int AS open
      FROM item i LEFT JOIN loan l ON l.library_id = i.library_id AND l.item_id = i.id AND l.status = 'open' AND l.kind = 'physical'`);
    check('every copy is on_loan exactly when it has an open loan', status.rows[0]!.n, `${status.rows[0]!.open.toLocaleString('en')} open physical loans`);
    const counters = await c.query<{ n: number }>(`
      WITH actual AS (
        SELECT library_id, account_id, count(*) FILTER (WHERE kind = 'physical')::int AS physical, count(*) FILTER (WHERE kind = 'digital')::int AS digital
        FROM loan WHERE status = 'open' GROUP BY library_id, account_id),
      holds AS (SELECT library_id, account_id, count(*)::int AS holds FROM hold WHERE status IN ('waiting', 'in_transit', 'ready') GROUP BY library_id, account_id)
      SELECT count(*)::int AS n FROM lending_member m
      FULL JOIN actual a ON a.library_id = m.library_id AND a.account_id = m.account_id
      FULL JOIN holds h ON h.library_id = coalesce(m.library_id, a.library_id) AND h.account_id = coalesce(m.account_id, a.account_id)
      WHERE coalesce(m.physical_loans, 0) <> coalesce(a.physical, 0) OR coalesce(m.digital_loans, 0) <> coalesce(a.digital, 0)
         OR coalesce(m.holds, 0) <> coalesce(h.holds, 0)`);
    check('member counters (physical_loans, digital_loans, holds) equal the open loans and active holds', counters.rows[0]!.n);
    const pools = await c.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM license_pool p
      WHERE p.in_use <> (SELECT count(*) FROM loan l WHERE l.pool_id = p.id AND l.status = 'open')
         OR p.loans_used <> (SELECT count(*) FROM loan l WHERE l.pool_id = p.id)
         OR p.offered <> (SELECT count(*) FROM hold h WHERE h.pool_id = p.id AND h.status = 'ready')`);
    check('licence counters (in_use, loans_used, offered) equal the loans and offers', pools.rows[0]!.n);
    return { ok, lines };
  });
}

// --- the run

export async function run(): Promise<BenchResult> {
  const size = { members: num('BENCH_MEMBERS', 8_000_000), titles: num('BENCH_TITLES', 1_000_000), items: num('BENCH_ITEMS', 3_000_000) };
  const openLoans = Math.min(num('BENCH_OPEN_LOANS', 500_000), Math.floor(size.items / 2), Math.floor(size.members / 2));
  const duration = num('BENCH_DURATION', 30);
  const warmup = num('BENCH_WARMUP', 5);
  const stormSize = num('BENCH_STORM', 5000);
  const licences = num('BENCH_LICENCES', 10);
  const crashSeconds = num('BENCH_CRASH_SECONDS', 10);
  const rate = num('BENCH_RATE', 500);
  const cpus = os.cpus();
  log(`lending: ${size.members.toLocaleString('en')} members, ${size.titles.toLocaleString('en')} titles, ${size.items.toLocaleString('en')} copies; ` +
    `${CONNECTIONS} connections, ${warmup} s warm-up + ${duration} s; Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim()}, load ${os.loadavg()[0]!.toFixed(1)}`);
  // A bulk load wants room for WAL between checkpoints; everything else is PostgreSQL's default
  // (fsync and synchronous commit stay on: an acknowledged check-out is on disk).
  // BENCH_PG_STATS=1: statement statistics (nested statements of the lending functions too), printed after the storm
  const pgStats = process.env.BENCH_PG_STATS === '1';
  const pgServer = await startPostgres({ shared_buffers: '1GB', max_wal_size: '8GB', checkpoint_timeout: '30min', maintenance_work_mem: '512MB', ...(pgStats ? STATEMENT_STATS : {}) });
  log(`PostgreSQL ${pgServer.version} (${pgServer.origin})`);
  const url = await createDatabase(pgServer, `eenbieb_bench_l_${process.pid}`);

  const db = await openDatabase({ databaseUrl: url });
  try {
    await migrateToLatest(db.kysely);
    await seedReferenceData(db.kysely);
    await seedDemoNetwork(db.kysely);
    await seedDemoMembership(db.kysely);
    await seedDemoLending(db.kysely);
  } finally {
    await db.close();
  }
  log('generating data…');
  const t0 = performance.now();
  const members = await generateMembers(url, { total: size.members, mainSlug: LIBRARY, mainShare: 0.75, progress: (l) => { if (!/: [0-9,]+ members in/.test(l) || l.includes(LIBRARY)) log(l); } });
  const t1 = performance.now();
  log(`  ${size.members.toLocaleString('en')} members (${members.libraries[0]!.count.toLocaleString('en')} at ${LIBRARY}, the rest over ${members.libraries.length - 1} libraries) in ${s1(t1 - t0)}`);
  const catalogue = await generateCatalogue(url, { titles: size.titles, items: size.items, librarySlug: LIBRARY, progress: log });
  const tc = performance.now();
  await generateOpenLoans(url, members, catalogue, openLoans);
  const t2 = performance.now();
  log(`  ${openLoans.toLocaleString('en')} open loans (the last copies, each to another member) in ${s1(t2 - tc)}`);
  await analyze(url);
  const t3 = performance.now();
  const dbSize = await withClient(url, async (c) => (await c.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0]!.s);
  log(`generated in ${s1(t3 - t0)} (members ${s1(t1 - t0)}, catalogue ${s1(tc - t1)}, open loans ${s1(t2 - tc)}, ANALYZE ${s1(t3 - t2)}); database ${dbSize}`);

  const fx = await fixtures(url, members, stormSize, licences);
  const mix = circulation(members, catalogue, fx.deskCookies, stormSize, size.items - openLoans);

  // --- floors and the circulation mix
  const bare = await startServer('bare');
  const sqlFloor = await startServer('sql', { DATABASE_URL: url });
  let app = await startServer('app', { DATABASE_URL: url });
  const main = members.libraries[0]!;
  const lookups = Array.from({ length: 2000 }, (_, i) => `/lookup/${main.libraryId}/${memberCard(members, main.firstMember + ((i * 7919) % main.count))}`);
  const floors: { label: string; rps: number; p50: number; p99: number; bad: number }[] = [];
  for (const [label, server, paths] of [['bare Fastify route', bare, ['/']], ['one indexed SQL lookup (member by card)', sqlFloor, lookups]] as const) {
    if (warmup > 0) await load({ url: server.url, paths: [...paths], connections: CONNECTIONS, seconds: Math.min(warmup, 3) });
    const r = await load({ url: server.url, paths: [...paths], connections: CONNECTIONS, seconds: Math.min(duration, 10) });
    floors.push({ label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors + r.timeouts });
  }
  await bare.stop();
  await sqlFloor.stop();

  log(`circulation: warm-up ${warmup} s…`);
  if (warmup > 0) await loadSequence({ url: app.url, connections: CONNECTIONS, seconds: warmup, steps: [mix.checkOut, mix.checkIn], context: mix.context });
  const before = await cpuSnapshot(app, pgServer);
  const circ = await loadSequence({ url: app.url, connections: CONNECTIONS, seconds: duration, steps: [mix.checkOut, mix.checkIn], context: mix.context });
  const cpu = cpuPercent(before, await cpuSnapshot(app, pgServer));
  // The run above is closed-loop at 64 connections: each connection sends its next request when the
  // previous one is answered, so its latency is 64 / throughput by Little's law (at 882/s, 73 ms)
  // and says how long the queue is, not how fast a desk is served. Latency at the target load is
  // measured at a fixed offered rate over the same 64 connections, evenly paced (pacedSequence:
  // open loop, a late request's latency counts from when it was due).
  log(`circulation at a fixed ${rate} transactions/s offered…`);
  const paced = await pacedSequence({ url: app.url, connections: CONNECTIONS, seconds: duration, steps: [mix.checkOut, mix.checkIn], context: mix.context, rate });
  const circOk = printCirculation(circ, floors, cpu, paced, rate);
  const afterMix = await verify(url, []);
  log('invariants after the mix:');
  for (const l of afterMix.lines) log(l);

  // --- the digital storm
  log();
  log(`digital storm: ${stormSize.toLocaleString('en')} members borrow one title with ${licences} licences at once…`);
  const stormBefore = await cpuSnapshot(app, pgServer);
  if (pgStats) await withClient(url, (c) => c.query('create extension if not exists pg_stat_statements; select pg_stat_statements_reset()'));
  const stormOk = await storm(app.url, url, fx, stormSize, licences);
  if (pgStats) await printStatementStats(url, log);
  const stormAfter = await cpuSnapshot(app, pgServer);
  const stormCpu = cpuPercent(stormBefore, stormAfter);
  // (PostgreSQL's figure is n/a when pool connections closed during the storm: an exited backend's
  // CPU time is no longer counted, so the difference would be wrong)
  const perBorrower = (a: number | null, b: number | null) => (a === null || b === null || b < a ? 'n/a' : `${((1000 * (b - a)) / stormSize).toFixed(2)} ms`);
  log(`  CPU per borrower: server ${perBorrower(stormBefore.server, stormAfter.server)}, PostgreSQL ${perBorrower(stormBefore.postgres, stormAfter.postgres)}, this process (5,000 clients) ${perBorrower(stormBefore.self, stormAfter.self)}`);
  const pgValid = stormCpu.postgres !== null && stormCpu.postgres >= 0;
  log(`  CPU during the storm (% of one core): server ${pctText(stormCpu.server)}, PostgreSQL ${pgValid ? pctText(stormCpu.postgres) : 'n/a'}, this process ${pctText(stormCpu.self)}, other ${pgValid ? pctText(stormCpu.other) : 'n/a'}`);

  // --- the crash test, on a fresh server (one still finishing the storm's work would skew it)
  await app.stop();
  app = await startServer('app', { DATABASE_URL: url });
  log();
  log(`crash test: check-out load at ${CONNECTIONS} connections, kill -9 of the server after ${(crashSeconds / 2).toFixed(0)} s…`);
  const acknowledged: { loanId: string; barcode: string }[] = [];
  const crashMix = circulation(members, catalogue, fx.deskCookies, stormSize, size.items - openLoans);
  crashMix.skip(mix.used() + 1_000_000); // copies and members the mix did not just use
  const abort = new AbortController();
  const crashLoad = loadSequence({
    url: app.url, connections: CONNECTIONS, seconds: crashSeconds, context: crashMix.context, signal: abort.signal,
    steps: [{
      ...crashMix.checkOut,
      // the answer itself says what was acknowledged (after the kill, autocannon's bookkeeping of
      // which request an answer belongs to is not to be trusted, the body is)
      onResponse: (status, body) => {
        if (status !== 201) return;
        const b = JSON.parse(body) as { loanId: string; barcode: string };
        acknowledged.push({ loanId: b.loanId, barcode: b.barcode });
      },
    }],
  });
  await new Promise((r) => setTimeout(r, (crashSeconds / 2) * 1000));
  const ackAtKill = acknowledged.length;
  await app.kill();
  const killedAt = performance.now();
  // a moment of refused connections, then stop the load: nothing answers on that port any more
  await new Promise((r) => setTimeout(r, 500));
  abort.abort();
  const crashResult = await crashLoad;
  log(`  killed after ${ackAtKill.toLocaleString('en')} acknowledged check-outs; ${acknowledged.length - ackAtKill} more answers arrived after the kill; ` +
    `${crashResult.errors.toLocaleString('en')} connection errors`);
  app = await startServer('app', { DATABASE_URL: url });
  log(`  restarted in ${s1(performance.now() - killedAt)}`);
  // the restarted server serves: one more check-out and check-in
  const probe = crashMix.context();
  const probeOut = await post(app.url, `/api/v1/libraries/${LIBRARY}/loans`, probe.desk, { barcode: probe.barcode, cardNumber: probe.card, branch: probe.branch }, new http.Agent());
  if (probeOut.status === 201) acknowledged.push({ loanId: (probeOut.body as { loanId: string }).loanId, barcode: probe.barcode });
  log(`  a check-out after the restart: ${probeOut.status}`);
  const afterCrash = await verify(url, acknowledged);
  log('  verification after the restart:');
  for (const l of afterCrash.lines) log(l);
  await app.stop();

  const ok = circOk && afterMix.ok && stormOk && afterCrash.ok && probeOut.status === 201;
  log();
  log(`result: circulation ${circOk ? 'PASS' : 'MISS'}, storm ${stormOk ? 'PASS' : 'MISS'}, crash ${afterCrash.ok && probeOut.status === 201 ? 'PASS' : 'FAIL'}`);
  return { ok };
}

function printCirculation(r: SequenceResult, floors: { label: string; rps: number; p50: number; p99: number; bad: number }[], cpu: ReturnType<typeof cpuPercent>, paced: SequenceResult, rate: number): boolean {
  const okOf = (s: SequenceResult['steps'][number], code: number) => s.statuses.get(code) ?? 0;
  const [out, inn] = r.steps as [SequenceResult['steps'][number], SequenceResult['steps'][number]];
  const done = okOf(out, 201) + okOf(inn, 200);
  const tps = done / r.seconds;
  const bad = out.count - okOf(out, 201) + inn.count - okOf(inn, 200) + r.errors + r.timeouts;
  const p95 = percentile(r.all, 0.95);
  const ms = (v: number) => `${Number.isFinite(v) ? v.toFixed(0) : '–'} ms`;
  log();
  log('target                                         req/s      p50      p95      p99   failed');
  for (const f of floors) log(`${`${f.label} (floor)`.padEnd(44)} ${f.rps.toFixed(0).padStart(7)} ${ms(f.p50).padStart(8)} ${'–'.padStart(8)} ${ms(f.p99).padStart(8)} ${String(f.bad).padStart(8)}`);
  for (const s of r.steps) {
    log(`${s.name.padEnd(44)} ${(s.count / r.seconds).toFixed(0).padStart(7)} ${ms(percentile(s.latencies, 0.5)).padStart(8)} ${ms(percentile(s.latencies, 0.95)).padStart(8)} ${ms(percentile(s.latencies, 0.99)).padStart(8)} ${String(s.count - okOf(s, s.name === 'check-out' ? 201 : 200)).padStart(8)}`);
  }
  log(`${'circulation (both)'.padEnd(44)} ${tps.toFixed(0).padStart(7)} ${ms(percentile(r.all, 0.5)).padStart(8)} ${ms(p95).padStart(8)} ${ms(percentile(r.all, 0.99)).padStart(8)} ${String(bad).padStart(8)}`);
  const statuses = (s: SequenceResult['steps'][number]) => [...s.statuses].map(([k, v]) => `${k}×${v}`).join(' ');
  log(`statuses: check-out ${statuses(out)}; check-in ${statuses(inn)}; connection errors ${r.errors}, timeouts ${r.timeouts}`);
  log(`vs floors: ${(100 * tps / floors[0]!.rps).toFixed(1)} % of the bare route, ${(100 * tps / floors[1]!.rps).toFixed(1)} % of one SQL lookup`);
  log(`CPU during the measured run (% of one core): server ${pctText(cpu.server)}, PostgreSQL ${pctText(cpu.postgres)}, autocannon ${pctText(cpu.self)}, other ${pctText(cpu.other)}`);
  // What one transaction costs in CPU does not depend on how busy the machine is (much), unlike
  // throughput and latency: it says what two otherwise idle cores could carry at most.
  if (done > 0 && cpu.postgres !== null) {
    const per = (p: number) => (10 * p * r.seconds) / done; // % of a core over the run → ms per transaction
    const total = per(cpu.server) + per(cpu.postgres) + per(cpu.self);
    log(`CPU per transaction: server ${per(cpu.server).toFixed(2)} ms, PostgreSQL ${per(cpu.postgres).toFixed(2)} ms, load generator ${per(cpu.self).toFixed(2)} ms ` +
      `→ at most ~${(2000 / total).toFixed(0)} transactions/s on 2 cores with nothing else running (an upper bound, not a measurement)`);
  }
  const okSaturated = tps >= 500 && bad === 0;
  log(`circulation as fast as answered: ${tps.toFixed(0)} transactions/s (target ≥ 500), p95 ${p95.toFixed(0)} ms (closed loop: 64 connections / throughput) → ${okSaturated ? 'PASS' : 'MISS'}`);
  const [pOut, pIn] = paced.steps as [SequenceResult['steps'][number], SequenceResult['steps'][number]];
  const pacedDone = okOf(pOut, 201) + okOf(pIn, 200);
  const pacedTps = pacedDone / paced.seconds;
  const pacedBad = pOut.count - okOf(pOut, 201) + pIn.count - okOf(pIn, 200) + paced.errors + paced.timeouts;
  const pacedP95 = percentile(paced.all, 0.95);
  log(`${`circulation at ${rate}/s offered`.padEnd(44)} ${pacedTps.toFixed(0).padStart(7)} ${ms(percentile(paced.all, 0.5)).padStart(8)} ${ms(pacedP95).padStart(8)} ${ms(percentile(paced.all, 0.99)).padStart(8)} ${String(pacedBad).padStart(8)}`);
  const okPaced = pacedTps >= 0.98 * rate && pacedP95 <= 50 && pacedBad === 0;
  log(`circulation at ${rate}/s offered: ${pacedTps.toFixed(0)} transactions/s served, p95 ${pacedP95.toFixed(0)} ms (target ≤ 50) → ${okPaced ? 'PASS' : 'MISS'}`);
  const ok = okSaturated && okPaced && tps >= rate;
  log(`circulation: ${ok ? 'PASS' : 'MISS'} (≥ 500 transactions/s, and p95 ≤ 50 ms at 500/s)`);
  return ok;
}

async function storm(base: string, url: string, fx: Fixtures, size: number, licences: number): Promise<boolean> {
  // one connection per borrower, all opened at once (no keep-alive pool limiting the concurrency)
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const started = performance.now();
  const answers = await Promise.all(fx.storm.cookies.map((cookie) => post(base, `/api/v1/libraries/${LIBRARY}/digital-loans`, cookie, { titleId: fx.storm.titleId }, agent)));
  const wall = performance.now() - started;
  agent.destroy();
  const loans = answers.filter((a) => a.status === 201 && a.body.outcome === 'loan').length;
  const holds = answers.filter((a) => a.status === 202 && a.body.outcome === 'hold');
  const errors = answers.length - loans - holds.length;
  const positions = holds.map((h) => h.body.position!).sort((a, b) => a - b);
  const contiguous = positions.every((p, i) => p === i + 1);
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const statusCounts = new Map<string, number>();
  for (const a of answers) if (a.status !== 201 && a.status !== 202) statusCounts.set(`${a.status} ${a.body.code ?? ''}`.trim(), (statusCounts.get(`${a.status} ${a.body.code ?? ''}`.trim()) ?? 0) + 1);
  const rows = await stormRows(url, fx);
  log(`  answered: ${loans} loans (201), ${holds.length.toLocaleString('en')} holds (202), ${errors} other${errors ? ` (${[...statusCounts].map(([k, v]) => `${k}×${v}`).join(', ')})` : ''}`);
  log(`  queue positions ${positions.length ? `${positions[0]}…${positions.at(-1)}` : '–'}: ${contiguous ? 'contiguous' : 'NOT contiguous'}; in the database: ${rows.loans} open loans, ${rows.holds} waiting holds, pool in_use ${rows.inUse}`);
  log(`  all answered within ${(wall / 1000).toFixed(2)} s (target ≤ 5 s); latency p50 ${percentile(ms, 0.5).toFixed(0)} ms, p95 ${percentile(ms, 0.95).toFixed(0)} ms, p99 ${percentile(ms, 0.99).toFixed(0)} ms, max ${ms.at(-1)!.toFixed(0)} ms`);
  const ok = loans === licences && holds.length === size - licences && errors === 0 && contiguous && rows.loans === licences && rows.holds === size - licences && rows.inUse === licences && wall <= 5000;
  log(`  storm → ${ok ? 'PASS' : 'MISS'}`);
  return ok;
}

async function stormRows(url: string, fx: Fixtures): Promise<{ loans: number; holds: number; inUse: number }> {
  return withClient(url, async (c) => {
    const r = await c.query<{ loans: number; holds: number; in_use: number }>(`
      SELECT (SELECT count(*)::int FROM loan WHERE title_id = $1 AND status = 'open') AS loans,
             (SELECT count(*)::int FROM hold WHERE title_id = $1 AND status = 'waiting') AS holds,
             (SELECT in_use FROM license_pool WHERE id = $2) AS in_use`, [fx.storm.titleId, fx.storm.poolId]);
    return { loans: r.rows[0]!.loans, holds: r.rows[0]!.holds, inUse: r.rows[0]!.in_use };
  });
}
