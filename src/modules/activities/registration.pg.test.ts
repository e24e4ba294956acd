// The reliability proof of issue 5, on a PostgreSQL server with real parallel transactions:
// 2,000 simultaneous registrations for 100 seats, then 50 simultaneous cancellations.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../../platform/db/connection.ts';
import { testConfig } from '../../platform/config.ts';
import type { Ctx } from '../../platform/context.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';
import { cancelRegistration, register } from './activities.service.ts';

let db: Db;
before(async () => { db = await testDatabase({ poolSize: 40 }); });
after(async () => { await db.close(); });

function asAccount(accountId: string, homeLibraryId: string): Ctx {
  return {
    db: db.kysely, config: testConfig(), requestId: 'pg-test', lang: 'nl',
    actor: { kind: 'account', accountId, homeLibraryId, sessionHash: 'x', mfa: false, network: [] },
  };
}

test('2,000 parallel registrations for 100 seats: exactly 100 confirmed, 1,900 waitlisted at 1..1900; 50 cancellations promote 50 in queue order', async () => {
  const lib = await libraryId(db, 'utrecht');
  const { id: activityId, sessionIds: [sessionId] } = await buildActivity(db, lib, { capacity: 100, title: 'Schrijversavond' });
  const people = await db.kysely.insertInto('account')
    .values(Array.from({ length: 2000 }, (_, i) => ({ email: `rush${i}@example.org`, homeLibraryId: lib })))
    .returning('id').execute();

  const results = await Promise.all(people.map((p) => register(asAccount(p.id, lib), lib, activityId, {})));
  const confirmed = results.filter((r) => r.status === 'confirmed');
  const waitlisted = results.filter((r) => r.status === 'waitlisted');
  assert.equal(confirmed.length, 100);
  assert.equal(waitlisted.length, 1900);
  assert.deepEqual(waitlisted.map((r) => r.position).sort((a, b) => a! - b!), Array.from({ length: 1900 }, (_, i) => i + 1));

  const counts = await db.kysely.selectFrom('activitySession').select(['seatsTaken', 'waitlisted', 'registeredTotal']).where('id', '=', sessionId!).executeTakeFirstOrThrow();
  assert.deepEqual(counts, { seatsTaken: 100, waitlisted: 1900, registeredTotal: 2000 });

  // who was where in the queue before the cancellations
  const queueBefore = new Map(waitlisted.map((r) => [r.id, r.position!]));
  const owner = new Map(results.map((r, i) => [r.id, people[i]!.id]));
  const cancelling = confirmed.slice(0, 50);
  const outcomes = await Promise.all(cancelling.map((r) => cancelRegistration(asAccount(owner.get(r.id)!, lib), lib, r.id)));
  assert.equal(outcomes.reduce((n, o) => n + o.promoted, 0), 50);

  const rows = await db.kysely.selectFrom('registration').select(['id', 'status', 'waitlistPosition', 'promotedAt'])
    .where('sessionId', '=', sessionId!).execute();
  const promoted = rows.filter((r) => r.promotedAt !== null).sort((a, b) => a.promotedAt!.getTime() - b.promotedAt!.getTime() || queueBefore.get(a.id)! - queueBefore.get(b.id)!);
  assert.equal(promoted.length, 50);
  // exactly the first 50 of the queue moved up, in queue order
  assert.deepEqual(promoted.map((r) => queueBefore.get(r.id)).sort((a, b) => a! - b!), Array.from({ length: 50 }, (_, i) => i + 1));
  assert.deepEqual(promoted.map((r) => queueBefore.get(r.id)), Array.from({ length: 50 }, (_, i) => i + 1));
  assert.equal(rows.filter((r) => r.status === 'confirmed').length, 100);
  assert.equal(rows.filter((r) => r.status === 'cancelled').length, 50);
  // the rest of the queue moved up by 50 and is still contiguous, in the same order
  const stillWaiting = rows.filter((r) => r.status === 'waitlisted');
  assert.equal(stillWaiting.length, 1850);
  for (const r of stillWaiting) assert.equal(r.waitlistPosition, queueBefore.get(r.id)! - 50);

  const after = await db.kysely.selectFrom('activitySession').select(['seatsTaken', 'waitlisted', 'cancelled']).where('id', '=', sessionId!).executeTakeFirstOrThrow();
  assert.deepEqual(after, { seatsTaken: 100, waitlisted: 1850, cancelled: 50 });
  const notices = await db.kysely.selectFrom('notice').select('template').where('libraryId', '=', lib).where('template', '=', 'activity_promoted').execute();
  assert.equal(notices.length, 50);
});

test('the database itself refuses an overbooked session, whatever the application does', async () => {
  const lib = await libraryId(db, 'utrecht');
  const { id: activityId, sessionIds: [sessionId] } = await buildActivity(db, lib, { capacity: 1 });
  const [a, b] = await db.kysely.insertInto('account')
    .values([{ email: 'force1@example.org', homeLibraryId: lib }, { email: 'force2@example.org', homeLibraryId: lib }])
    .returning('id').execute();
  const insert = (accountId: string, code: string) => db.kysely.insertInto('registration').values({
    libraryId: lib, activityId, sessionId: sessionId!, accountId, homeLibraryId: lib, status: 'confirmed', waitlistPosition: null, code,
  }).execute();
  await insert(a!.id, 'forcedcode000000001');
  await assert.rejects(insert(b!.id, 'forcedcode000000002'), /activity_session_check|check constraint/);
});
