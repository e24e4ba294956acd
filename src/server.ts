// Listens, runs the background jobs, and shuts down gracefully: on SIGTERM/SIGINT it stops
// accepting connections, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), stops the
// job runner (a running job may finish), then closes the database.
import { sql } from 'kysely';
import { build } from './app.ts';
import { startWorker } from './worker.ts';
import type { Config } from './platform/config.ts';
import { describeDatabase, openConfigured } from './platform/db/open.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { hasLibraries, seedDemoNetwork, seedReferenceData } from './modules/network/index.ts';
import { seedDemoMembership } from './modules/membership/index.ts';
import { ensureDemoMember, seedDemoStaff } from './modules/membership/staff-admin.ts';
import { seedDemoCatalogue } from './modules/catalogue/index.ts';
import { seedDemoActivities } from './modules/activities/index.ts';
import { seedDemoLending, seedDemoMember } from './modules/lending/index.ts';
import { lendingBackend, seedDemoKiosk, startSip2Server, type Sip2Server } from './modules/lending/sip2/index.ts';

export async function prepareDatabase(config: Config, log: (line: string) => void) {
  const db = await openConfigured(config);
  const applied = await migrateToLatest(db.kysely);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
  const { n } = await sql<{ n: number }>`select count(*)::int as n from municipality`.execute(db.kysely).then((r) => r.rows[0]!);
  if (n === 0) {
    await seedReferenceData(db.kysely);
    log('CBS municipalities and postcode areas loaded');
  }
  if (config.seedDemo && !(await hasLibraries(db.kysely))) {
    const count = await seedDemoNetwork(db.kysely);
    await seedDemoMembership(db.kysely);
    await seedDemoStaff(db.kysely);
    // SIP2: the demo kiosk of the README
    await seedDemoKiosk(db.kysely);
    log(`demo network seeded: ${count} libraries`);
    // activities module: demo agenda of every demo library
    const activities = await seedDemoActivities(db.kysely);
    log(`demo activities seeded: ${activities}`);
  }
  // demo catalogue (issue #4): only into a catalogue without the DBNL titles
  if (config.seedDemo) {
    const catalogue = await seedDemoCatalogue(db.kysely);
    if (catalogue.titles) log(`demo catalogue seeded: ${catalogue.titles} titles, ${catalogue.items} copies`);
    const lending = await seedDemoLending(db.kysely);
    if (lending.pools) log(`demo licence pools seeded: ${lending.pools}`);
    // the demo member borrows through the real services, so after the catalogue and the pools
    const member = await ensureDemoMember(db.kysely, config);
    if (member) {
      const l = await seedDemoMember(db.kysely, config, member);
      log(`demo member seeded: card ${member.cardNumber}, ${l.loans} loans, ${l.holds} hold`);
    }
  }
  return db;
}

export async function serve(config: Config): Promise<void> {
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`Eenbieb starting on ${describeDatabase(config)}`);
  const db = await prepareDatabase(config, log);
  const app = await build(config, db);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log(`Eenbieb is ready in ${((Date.now() - started) / 1000).toFixed(1)} s: http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`);

  // SIP2 for self-service kiosks, on its own port when SIP2_PORT is set
  let sip2: Sip2Server | null = null;
  if (config.sip2.port !== null) {
    sip2 = await startSip2Server({ db: db.kysely, config, backend: lendingBackend, logger: app.log.child({ module: 'sip2' }) });
    log(`SIP2 kiosks: ${sip2.tls ? 'TLS' : 'plain TCP'} on ${config.sip2.host}:${sip2.port}`);
  }

  // background jobs on pg-boss, in this process (on PGlite too: see platform/jobs.ts)
  const jobs = await startWorker(db, config, { log });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: finishing in-flight requests`);
    const timer = setTimeout(() => {
      log('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      // kiosks first: each connection finishes the message it is answering
      await sip2?.close(config.shutdownTimeoutMs);
      // no new requests, then let a running job finish (it may be mid-batch), then the database
      await app.close();
      await jobs.stop(config.shutdownTimeoutMs / 2);
      await db.close();
      process.exit(0);
    } catch {
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
