// The job runner on pg-boss, on the engine of the run (PGlite runs pg-boss through the same pool
// adapter as PostgreSQL): a triggered job runs the real service and completes; `serve`'s schedules
// are all there, in Amsterdam time, out of reach of the request role.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../support/app.ts';
import { buildMember, buildTitleWithCopies } from '../support/lending.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { ended } from '../support/jobs.ts';
import { JOBS } from '../../src/jobs.ts';
import { startWorker } from '../../src/worker.ts';
import { checkOut, lendingLibraries } from '../../src/modules/lending/index.ts';

let t: TestApp;
before(async () => { t = await testApp(); });
after(async () => { await t.close(); });

test('a triggered job runs on pg-boss through the real service and completes; a second run finds nothing left', async () => {
  const ctx = systemCtx(t.db.kysely, t.config, 'test');
  const lib = (await lendingLibraries(ctx)).find((l) => l.url.endsWith('/utrecht/'))!;
  const m = await buildMember(t);
  const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'Het verboden rijk' });
  await checkOut(ctx, { library: lib, patron: { cardNumber: m.cardNumber }, barcode: copy!.barcode, channel: 'desk', now: new Date(Date.now() - 19 * 86_400_000) });

  const logs: string[] = [];
  const runner = await startWorker(t.db, t.config, { log: (l) => logs.push(l), schedule: false, pollingIntervalSeconds: 0.5 });
  try {
    const id = await runner.trigger('lending-due-reminders');
    assert.ok(id, 'queued');
    const run = await ended(runner, 'lending-due-reminders', id);
    assert.equal(run.state, 'completed', JSON.stringify(run.output));
    assert.deepEqual(run.output, { done: 1 });
    assert.deepEqual(logs.filter((l) => l.startsWith('job ')), ['job lending-due-reminders: 1']);
    const mails = await t.db.kysely.selectFrom('notice').select('subject').where('accountId', '=', m.id).where('template', '=', 'lending.due_soon').execute();
    assert.equal(mails.length, 1);

    const again = await runner.trigger('lending-due-reminders');
    assert.deepEqual((await ended(runner, 'lending-due-reminders', again!)), { state: 'completed', output: { done: 0 } });
    await assert.rejects(runner.trigger('no-such-job'), /unknown job/);
  } finally {
    await runner.stop();
  }
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'lending-due-reminders' AND state = 'completed'`.execute(t.db.kysely);
  assert.equal(rows[0]!.n, 2);
});

test('with schedules on, every job of the platform has its cron schedule in Amsterdam time', async () => {
  const runner = await startWorker(t.db, t.config, { log: () => {}, pollingIntervalSeconds: 0.5 });
  try {
    const { rows } = await sql<{ name: string; cron: string; timezone: string }>`SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name`.execute(t.db.kysely);
    assert.deepEqual(rows, Object.entries(JOBS).map(([name, j]) => ({ name, cron: j.cron, timezone: 'Europe/Amsterdam' })).sort((a, b) => a.name.localeCompare(b.name)));
    // the queues refuse a pile-up: one run waiting at most (stately)
    const queues = await sql<{ policy: string }>`SELECT DISTINCT policy FROM pgboss.queue WHERE name = ANY(${Object.keys(JOBS)})`.execute(t.db.kysely);
    assert.deepEqual(queues.rows, [{ policy: 'stately' }]);
  } finally {
    await runner.stop();
  }
  // pg-boss's tables belong to the owner: the role requests run as cannot read or queue jobs
  const { rows } = await sql<{ usage: boolean }>`SELECT has_schema_privilege('eenbieb_app', 'pgboss', 'USAGE') AS usage`.execute(t.db.kysely);
  assert.deepEqual(rows, [{ usage: false }]);
});
