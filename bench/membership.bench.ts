// Membership benchmark (issue #3): login throughput with argon2id at the configured cost, and a
// session-authenticated page ("Mijn bibliotheek") at 50 connections, each next to a bare Fastify
// route measured in the same run. Argon2 is deliberately expensive (19 MiB, 2 passes): login is
// CPU-bound by design, and the figure shows how many logins per second two cores carry.
// Settings: BENCH_DURATION (s per target, 10), BENCH_WARMUP (s, 2), DATABASE_URL (a server).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { openDatabase } from '../src/platform/db/connection.ts';
import type { Database } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { inNetwork, inTenant } from '../src/platform/db/tenant.ts';
import { seedDemoNetwork, seedReferenceData } from '../src/modules/network/index.ts';
import { seedDemoMembership } from '../src/modules/membership/index.ts';
import { hashSecret } from '../src/modules/accounts/credentials.ts';
import { createSession } from '../src/modules/accounts/session.ts';
import { cardNumber } from '../src/modules/membership/card.ts';
import { load } from './support/load.ts';
import { createDatabase, startPostgres } from './support/postgres.ts';
import { startServer } from './support/servers.ts';
import type { BenchResult } from './run.ts';

const CONNECTIONS = 50;
const MEMBERS = 500;
const PASSWORD = 'benchmark wachtwoord lang genoeg';
const log = (line = '') => process.stdout.write(`${line}\n`);

async function seedMembers(db: Kysely<Database>): Promise<{ emails: string[]; cookies: string[] }> {
  const library = await db.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow();
  const plan = await inTenant(db, library.id, (tx) => tx.selectFrom('plan').select('id').where('code', '=', 'volwassen').executeTakeFirstOrThrow());
  // one real argon2id hash at the configured cost, shared: every login still verifies it in full
  const passwordHash = await hashSecret(PASSWORD);
  const emails: string[] = [];
  const cookies: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const email = `lid${i}@bench.example`;
    const { id } = await db.insertInto('account').values({ email, passwordHash, homeLibraryId: library.id, emailVerifiedAt: new Date() }).returning('id').executeTakeFirstOrThrow();
    await inTenant(db, library.id, async (tx) => {
      await tx.insertInto('memberProfile').values({ libraryId: library.id, accountId: id, givenName: 'Lid', familyName: String(i), birthDate: '1980-01-01' }).execute();
      await tx.insertInto('membership').values({ libraryId: library.id, accountId: id, planId: plan.id, cardNumber: cardNumber('20999', i + 1), status: 'active' }).execute();
      await tx.insertInto('consent').values({ libraryId: library.id, accountId: id, purpose: 'newsletter', granted: false }).execute();
    });
    const s = await inNetwork(db, (tx) => createSession(tx, id, 'bench', false));
    emails.push(email);
    cookies.push(`eb_session=${s.token}`);
  }
  return { emails, cookies };
}

export async function run(): Promise<BenchResult> {
  const duration = Number(process.env.BENCH_DURATION ?? 10);
  const warmup = Number(process.env.BENCH_WARMUP ?? 2);
  const cpus = os.cpus();
  log(`membership: ${CONNECTIONS} connections, ${warmup} s warm-up + ${duration} s per target; Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim()}, load ${os.loadavg()[0]!.toFixed(1)}`);
  const pgServer = await startPostgres();
  const url = await createDatabase(pgServer, `eenbieb_bench_m_${process.pid}`);
  const db = await openDatabase({ databaseUrl: url });
  let fixtures: { emails: string[]; cookies: string[] };
  try {
    await migrateToLatest(db.kysely);
    await seedReferenceData(db.kysely);
    await seedDemoNetwork(db.kysely);
    await seedDemoMembership(db.kysely);
    const t0 = performance.now();
    fixtures = await seedMembers(db.kysely);
    log(`seeded ${MEMBERS} members with sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
  const hashStart = performance.now();
  for (let i = 0; i < 10; i++) await hashSecret(PASSWORD);
  const hashMs = (performance.now() - hashStart) / 10;

  const bare = await startServer('bare');
  const app = await startServer('app', { DATABASE_URL: url });
  const rows: { label: string; rps: number; p50: number; p97: number; p99: number; bad: number }[] = [];
  const run1 = async (label: string, base: string, options: Parameters<typeof load>[0]['request'] | null, paths: string[]) => {
    const common = { url: base, paths, connections: CONNECTIONS };
    if (warmup > 0) await load({ ...common, seconds: warmup, ...(options ? { request: options } : {}) });
    const r = await load({ ...common, seconds: duration, ...(options ? { request: options } : {}) });
    rows.push({ label, rps: r.requests.average, p50: r.latency.p50, p97: r.latency.p97_5, p99: r.latency.p99, bad: r.non2xx + r.errors + r.timeouts });
  };
  log('  bare Fastify route (floor)…');
  await run1('bare Fastify route (floor)', bare.url, null, ['/']);
  log('  login (POST /api/v1/session, argon2id)…');
  await run1(`login, e-mail + password (${MEMBERS} accounts)`, app.url, (i) => ({
    method: 'POST', path: '/api/v1/session', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: fixtures.emails[i % fixtures.emails.length], password: PASSWORD }),
  }), ['/api/v1/session']);
  log('  session-authenticated page…');
  await run1(`GET /utrecht/mijn with a session (${MEMBERS} sessions)`, app.url, (i) => ({
    method: 'GET', path: '/utrecht/mijn', headers: { cookie: fixtures.cookies[i % fixtures.cookies.length]!, accept: 'text/html' },
  }), ['/utrecht/mijn']);
  log('  session-authenticated API…');
  await run1('GET /api/v1/me with a session', app.url, (i) => ({
    method: 'GET', path: '/api/v1/me', headers: { cookie: fixtures.cookies[i % fixtures.cookies.length]! },
  }), ['/api/v1/me']);
  await app.stop();
  await bare.stop();

  const floor = rows[0]!.rps;
  log();
  log('target                                              req/s     p50   p97.5     p99  vs bare  failed');
  for (const r of rows) {
    log(`${r.label.padEnd(48)} ${r.rps.toFixed(0).padStart(7)} ${`${r.p50} ms`.padStart(7)} ${`${r.p97} ms`.padStart(7)} ${`${r.p99} ms`.padStart(7)} ${`${((100 * r.rps) / floor).toFixed(1)} %`.padStart(8)} ${String(r.bad).padStart(7)}`);
  }
  log(`(one argon2id hash at the configured cost takes ${hashMs.toFixed(1)} ms on one core of this machine: ` +
    `${(2000 / hashMs).toFixed(0)} logins/s is the ceiling on ${cpus.length} cores)`);
  return { ok: rows.every((r) => r.bad === 0) };
}
