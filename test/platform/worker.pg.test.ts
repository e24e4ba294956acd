// Background jobs with real parallel processes on PostgreSQL: two job runners (each on its own
// connection pool, as two server processes would be) and four simultaneous runs of the reminder
// job send every member exactly one reminder, listing each of their loans once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../support/app.ts';
import { ended } from '../support/jobs.ts';
import { buildMember, buildTitleWithCopies, type TestMember } from '../support/lending.ts';
import { serverUrl } from '../support/template.ts';
import { openDatabase, type Db } from '../../src/platform/db/connection.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { runJobOnce } from '../../src/jobs.ts';
import { startWorker } from '../../src/worker.ts';
import { checkOut, lendingLibraries, type NoticeLibrary } from '../../src/modules/lending/index.ts';

let t: TestApp;
let other: Db;
let lib: NoticeLibrary;
const DAY = 86_400_000;
before(async () => {
  t = await testApp();
  // a second process's pool on the same database
  const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(t.db.kysely);
  other = await openDatabase({ databaseUrl: serverUrl(rows[0]!.name), poolSize: 10 });
  lib = (await lendingLibraries(systemCtx(t.db.kysely, t.config, 'test'))).find((l) => l.url.endsWith('/utrecht/'))!;
});
after(async () => {
  await other.close();
  await t.close();
});

/** Members each with `loans` loans checked out `daysAgo` days ago (21-day loans). */
async function borrowers(count: number, loans: number, daysAgo: number): Promise<TestMember[]> {
  const ctx = systemCtx(t.db.kysely, t.config, 'test');
  const members: TestMember[] = [];
  for (let i = 0; i < count; i++) {
    const m = await buildMember(t);
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', loans);
    for (const item of items) {
      await checkOut(ctx, { library: lib, patron: { cardNumber: m.cardNumber }, barcode: item.barcode, channel: 'desk', now: new Date(Date.now() - daysAgo * DAY) });
    }
    members.push(m);
  }
  return members;
}

/** Per member: how many mails of a template, and how many loan lines they list in total. */
async function mailsPerMember(members: TestMember[], template: string) {
  const rows = await t.db.kysely.selectFrom('notice').select(['accountId', 'bodyText']).where('template', '=', template)
    .where('accountId', 'in', members.map((m) => m.id)).execute();
  return members.map((m) => {
    const mine = rows.filter((r) => r.accountId === m.id);
    return { mails: mine.length, lines: mine.reduce((n, r) => n + r.bodyText.split('\n').filter((l) => l.startsWith('- ')).length, 0) };
  });
}

test('four simultaneous runs of the reminder job on two pools: every member gets one mail listing each due loan once', async () => {
  // 250 members: more than two batches of 100, so the runs overlap across batches
  const members = await borrowers(250, 2, 19);
  const runs = await Promise.all([t.db, other, t.db, other].map((db) => runJobOnce('lending-due-reminders', db.kysely, t.config)));
  assert.equal(runs.reduce((a, b) => a + b, 0), 250, `mails per run: ${runs.join(', ')}`);
  const per = await mailsPerMember(members, 'lending.due_soon');
  assert.deepEqual(per.filter((p) => p.mails !== 1 || p.lines !== 2), []);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM loan WHERE account_id = ANY(${members.map((m) => m.id)}) AND reminded_at IS NULL`.execute(t.db.kysely);
  assert.equal(rows[0]!.n, 0);
});

test('two pg-boss runners on two pools: a triggered overdue run completes on one of them, and triggering it on both sends each notice once', async () => {
  const members = await borrowers(30, 2, 25);
  const a = await startWorker(t.db, t.config, { log: () => {}, schedule: false, pollingIntervalSeconds: 0.5 });
  const b = await startWorker(other, t.config, { log: () => {}, schedule: false, pollingIntervalSeconds: 0.5 });
  try {
    const ids = await Promise.all([a.trigger('lending-overdue-notices'), b.trigger('lending-overdue-notices')]);
    // stately queue: the second trigger either joins the waiting run (null) or queues after it
    const queued = ids.filter((id): id is string => id !== null);
    assert.ok(queued.length >= 1);
    const results = await Promise.all(queued.map((id) => ended(a, 'lending-overdue-notices', id)));
    assert.deepEqual(results.map((r) => r.state), queued.map(() => 'completed'));
    assert.equal(results.reduce((n, r) => n + (r.output as { done: number }).done, 0), 30);
    const per = await mailsPerMember(members, 'lending.overdue');
    assert.deepEqual(per.filter((p) => p.mails !== 1 || p.lines !== 2), []);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
