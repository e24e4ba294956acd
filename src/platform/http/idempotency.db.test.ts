// Idempotency-Key on a real database, through the route that uses it first: registering for an
// activity. Replay, reuse with another request, scoping per actor, malformed keys, expiry and
// an abandoned claim; the parallel case is in idempotency.pg.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, signIn } from '../../../test/support/auth.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';
import {
  IDEMPOTENCY_TTL_MS, IN_FLIGHT_LEASE_MS, actorScope, claimKey, expireIdempotencyKeys, parseIdempotencyKey, releaseKey, requestHash,
} from './idempotency.ts';

let t: TestApp;
let utrecht: string;
before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db, 'utrecht');
});
after(async () => { await t.close(); });

const url = (id: string) => `/api/v1/libraries/utrecht/activities/${id}/registrations`;

async function member() {
  const a = await buildAccount(t);
  return { ...a, cookies: await signIn(t, a.id) };
}

async function registrationsOf(activityId: string) {
  return t.db.kysely.selectFrom('registration').select(['id', 'accountId', 'status']).where('activityId', '=', activityId).execute();
}

describe('Idempotency-Key on POST …/registrations', () => {
  test('a retry with the same key and request replays the first answer and registers once', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 1 });
    const p = await member();
    const send = () => t.app.inject({ method: 'POST', url: url(id), cookies: p.cookies, payload: {}, headers: { 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' } });
    const first = await send();
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const second = await send();
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.match(String(second.headers['content-type']), /^application\/json/);
    assert.deepEqual(second.json(), first.json());
    assert.equal(first.json().status, 'confirmed');
    assert.equal((await registrationsOf(id)).length, 1);

    // without the key the same request is a new one, refused because the person is registered
    const third = await t.app.inject({ method: 'POST', url: url(id), cookies: p.cookies, payload: {} });
    assert.equal(third.statusCode, 409);
    assert.equal(third.json().code, 'ACTIVITIES_ALREADY_REGISTERED');
  });

  test('a refusal the service gave is replayed too, not run again', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 0 });
    const p = await member();
    const headers = { 'idempotency-key': 'geen-plaats-1' };
    const first = await t.app.inject({ method: 'POST', url: url(id), cookies: p.cookies, payload: {}, headers });
    assert.equal(first.statusCode, 409);
    // the seat appears meanwhile; the retry still gets the answer the key stands for
    await t.db.kysely.updateTable('activitySession').set({ capacity: 5 }).where('activityId', '=', id).execute();
    const again = await t.app.inject({ method: 'POST', url: url(id), cookies: p.cookies, payload: {}, headers });
    assert.equal(again.statusCode, 409);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.match(String(again.headers['content-type']), /^application\/problem\+json/);
    assert.equal(again.json().code, first.json().code);
    assert.equal((await registrationsOf(id)).length, 0);
  });

  test('the same key with a different request answers 422 and writes nothing', async () => {
    const a = await buildActivity(t.db, utrecht, { capacity: 5 });
    const b = await buildActivity(t.db, utrecht, { capacity: 5 });
    const p = await member();
    const headers = { 'idempotency-key': 'sleutel-hergebruik' };
    assert.equal((await t.app.inject({ method: 'POST', url: url(a.id), cookies: p.cookies, payload: {}, headers })).statusCode, 201);
    const other = await t.app.inject({ method: 'POST', url: url(b.id), cookies: p.cookies, payload: {}, headers });
    assert.equal(other.statusCode, 422);
    assert.match(String(other.headers['content-type']), /^application\/problem\+json/);
    assert.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await registrationsOf(b.id)).length, 0);
    // another body on the same path is another request as well
    const guestBody = await t.app.inject({ method: 'POST', url: url(a.id), payload: { email: 'gast.een@example.org', consent: true }, headers });
    assert.equal(guestBody.statusCode, 201, 'a guest is another actor: the key is free for them');
    const guestOther = await t.app.inject({ method: 'POST', url: url(a.id), payload: { email: 'gast.twee@example.org', consent: true }, headers });
    assert.equal(guestOther.statusCode, 422);
  });

  test('keys are scoped per actor: two people with the same key both register, and neither sees the other\'s answer', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 5 });
    const [p, q] = [await member(), await member()];
    const headers = { 'idempotency-key': 'dezelfde-sleutel' };
    const a = await t.app.inject({ method: 'POST', url: url(id), cookies: p.cookies, payload: {}, headers });
    const b = await t.app.inject({ method: 'POST', url: url(id), cookies: q.cookies, payload: {}, headers });
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal(b.headers['idempotent-replayed'], undefined);
    assert.notEqual(a.json().id, b.json().id);
    const rows = await registrationsOf(id);
    assert.deepEqual(rows.map((r) => r.accountId).sort(), [p.id, q.id].sort());
  });

  test('a malformed key answers 400 problem+json and writes nothing', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 5 });
    const p = await member();
    for (const key of ['', 'x'.repeat(256), 'met spatie', 'sleutel\u00e9', '"half\\x"']) {
      const res = await t.app.inject({ method: 'POST', url: url(id), cookies: p.cookies, payload: {}, headers: { 'idempotency-key': key } });
      assert.equal(res.statusCode, 400, JSON.stringify(key));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'IDEMPOTENCY_KEY_INVALID');
    }
    assert.equal((await registrationsOf(id)).length, 0);
  });

  test('a request still in flight with the same key answers 409; an abandoned claim is taken over after its lease', async () => {
    const { id } = await buildActivity(t.db, utrecht, { capacity: 5 });
    const p = await member();
    const path = url(id);
    const scope = actorScope({ kind: 'account', accountId: p.id, homeLibraryId: utrecht, sessionHash: 'x', mfa: false, network: [] }, '127.0.0.1');
    // a first request that claimed the key and has not answered (or whose process died)
    const claimedAt = new Date();
    assert.deepEqual(await claimKey(t.db.kysely, scope, 'in-de-lucht', requestHash('POST', path, {}), claimedAt), { kind: 'claimed' });
    const res = await t.app.inject({ method: 'POST', url: path, cookies: p.cookies, payload: {}, headers: { 'idempotency-key': 'in-de-lucht' } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'IDEMPOTENCY_KEY_IN_FLIGHT');
    assert.equal((await registrationsOf(id)).length, 0);

    // the lease ran out: the retry runs the write
    await t.db.kysely.updateTable('idempotencyKey').set({ lockedAt: new Date(claimedAt.getTime() - IN_FLIGHT_LEASE_MS - 1000) })
      .where('actor', '=', scope).where('key', '=', 'in-de-lucht').execute();
    const retry = await t.app.inject({ method: 'POST', url: path, cookies: p.cookies, payload: {}, headers: { 'idempotency-key': 'in-de-lucht' } });
    assert.equal(retry.statusCode, 201);
    assert.equal((await registrationsOf(id)).length, 1);
  });

  test('keys expire after 24 hours: the job forgets them, and an expired key is a new request', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - IDEMPOTENCY_TTL_MS - 60_000);
    assert.deepEqual(await claimKey(t.db.kysely, 'account:oud', 'k1', requestHash('POST', '/x', { a: 1 }), old), { kind: 'claimed' });
    assert.deepEqual(await claimKey(t.db.kysely, 'account:oud', 'k2', requestHash('POST', '/x', { a: 1 }), old), { kind: 'claimed' });
    assert.deepEqual(await claimKey(t.db.kysely, 'account:oud', 'k3', requestHash('POST', '/x', { a: 1 }), now), { kind: 'claimed' });
    // an expired key may be used for another request without 422
    assert.deepEqual(await claimKey(t.db.kysely, 'account:oud', 'k1', requestHash('POST', '/y', {}), now), { kind: 'claimed' });
    assert.equal(await expireIdempotencyKeys(t.db.kysely, now), 1, 'only k2 is older than 24 hours');
    const left = await t.db.kysely.selectFrom('idempotencyKey').select('key').where('actor', '=', 'account:oud').orderBy('key').execute();
    assert.deepEqual(left.map((r) => r.key), ['k1', 'k3']);
  });

  test('a released key (the write failed on our side) can be used again at once', async () => {
    const hash = requestHash('POST', '/x', {});
    assert.equal((await claimKey(t.db.kysely, 'account:los', 'k', hash)).kind, 'claimed');
    await assert.rejects(claimKey(t.db.kysely, 'account:los', 'k', hash), /still being processed/);
    await releaseKey(t.db.kysely, 'account:los', 'k');
    assert.equal((await claimKey(t.db.kysely, 'account:los', 'k', hash)).kind, 'claimed');
  });
});

describe('the key and the request hash', () => {
  test('bare and Structured Field forms give the same key; repeated headers are refused', () => {
    assert.equal(parseIdempotencyKey(undefined), null);
    assert.equal(parseIdempotencyKey('abc-123'), 'abc-123');
    assert.equal(parseIdempotencyKey('"abc-123"'), 'abc-123');
    assert.equal(parseIdempotencyKey('"a\\"b"'), 'a"b');
    assert.throws(() => parseIdempotencyKey(['a', 'b']), /invalid/);
  });

  test('the hash ignores the order of body keys but not their values, the path or the method', () => {
    const h = requestHash('POST', '/p', { a: 1, b: [1, { c: 2, d: 3 }] });
    assert.equal(requestHash('post', '/p', { b: [1, { d: 3, c: 2 }], a: 1 }), h);
    assert.notEqual(requestHash('POST', '/p', { a: 2, b: [1, { c: 2, d: 3 }] }), h);
    assert.notEqual(requestHash('POST', '/q', { a: 1, b: [1, { c: 2, d: 3 }] }), h);
    assert.notEqual(requestHash('PUT', '/p', { a: 1, b: [1, { c: 2, d: 3 }] }), h);
  });
});
