// Idempotency-Key under real concurrency (PostgreSQL, a pool of connections): many copies of one
// request with one key, sent at once, register exactly once; every other copy is told the first
// is still running (409) or gets its answer replayed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, signIn } from '../../../test/support/auth.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';

let t: TestApp;
before(async () => { t = await testApp({ databasePoolSize: 30 }); });
after(async () => { await t.close(); });

test('50 parallel copies of one registration with one Idempotency-Key: exactly one registration, one answer', async () => {
  const utrecht = await libraryId(t.db, 'utrecht');
  const { id } = await buildActivity(t.db, utrecht, { capacity: 1 });
  const people = await Promise.all(Array.from({ length: 4 }, async () => {
    const a = await buildAccount(t);
    return { ...a, cookies: await signIn(t, a.id) };
  }));
  const url = `/api/v1/libraries/utrecht/activities/${id}/registrations`;
  // four people, each firing 50 copies of their request with their own (identical) key at once
  const send = (p: (typeof people)[number]) => t.app.inject({ method: 'POST', url, cookies: p.cookies, payload: {}, headers: { 'idempotency-key': 'een-sleutel-voor-allen' } });
  const answers = await Promise.all(people.flatMap((p) => Array.from({ length: 50 }, () => send(p).then((res) => ({ p, res })))));

  for (const p of people) {
    const mine = answers.filter((a) => a.p === p).map((a) => a.res);
    const originals = mine.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
    const replays = mine.filter((r) => r.headers['idempotent-replayed'] === 'true');
    const inFlight = mine.filter((r) => r.statusCode === 409 && r.json().code === 'IDEMPOTENCY_KEY_IN_FLIGHT');
    assert.equal(originals.length, 1, 'the write ran once');
    assert.equal(originals.length + replays.length + inFlight.length, 50, `unexpected answers: ${mine.map((r) => r.statusCode).join(' ')}`);
    for (const r of replays) assert.deepEqual(r.json(), originals[0]!.json());
  }
  const rows = await t.db.kysely.selectFrom('registration').select(['accountId', 'status', 'waitlistPosition']).where('activityId', '=', id).execute();
  assert.equal(rows.length, 4, 'one registration per person');
  assert.deepEqual(rows.map((r) => r.accountId).sort(), people.map((p) => p.id).sort());
  assert.equal(rows.filter((r) => r.status === 'confirmed').length, 1);
  assert.deepEqual(rows.filter((r) => r.status === 'waitlisted').map((r) => r.waitlistPosition).sort(), [1, 2, 3]);

  // afterwards every copy is a replay of the one answer
  for (const p of people) {
    const again = await send(p);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.statusCode, 201);
  }
});
