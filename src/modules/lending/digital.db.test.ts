// Digital lending over the API: open editions, licensed titles with signed access that ends on
// return, the queue with offers and automatic checkout, metered and time-limited licences, the
// order of pools, expiry, and borrowing only at one's own library.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildMember, buildPool, poolCounters, type TestMember } from '../../../test/support/lending.ts';
import { systemCtx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { sql } from 'kysely';
import { borrowDigital, expireDigital, type DigitalBorrowResult, type NoticeLibrary } from './index.ts';

let t: TestApp;
let lib: NoticeLibrary;
before(async () => {
  t = await testApp();
  const id = (await t.db.kysely.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow()).id;
  lib = { id, name: 'Bibliotheek Utrecht', url: 'http://localhost/utrecht/' };
});
after(async () => { await t.close(); });

const api = (path: string) => `/api/v1/libraries/utrecht${path}`;
const borrow = (m: TestMember, titleId: string, autoCheckout?: boolean) =>
  t.app.inject({ method: 'POST', url: api('/digital-loans'), cookies: m.cookies, payload: autoCheckout === undefined ? { titleId } : { titleId, autoCheckout } });
const giveBack = (m: TestMember, loanId: string) => t.app.inject({ method: 'POST', url: api(`/digital-loans/${loanId}/return`), cookies: m.cookies });
const mine = async (m: TestMember) => (await t.app.inject({ url: api('/me/lending'), cookies: m.cookies })).json();
const tokenOf = (url: string) => decodeURIComponent(url.split('/inhoud/')[1]!);

describe('digital lending', () => {
  test('an open edition is lent at once with the link to the open edition, any number at a time', async () => {
    const { titleId } = await buildPool(t.db.kysely, { model: 'simultaneous', provider: 'open' });
    for (const m of [await buildMember(t), await buildMember(t), await buildMember(t)]) {
      const r = await borrow(m, titleId);
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual([r.json().outcome, r.json().access.kind, r.json().access.url], ['loan', 'open', 'https://www.dbnl.org/test.epub']);
    }
  });

  test('one copy one user: the second borrower queues; a return offers the licence to them for 48 hours and revokes the first reader\'s access', async () => {
    const { titleId, poolId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const [a, b, c] = [await buildMember(t), await buildMember(t), await buildMember(t)];
    const first = await borrow(a, titleId);
    assert.equal(first.statusCode, 201, first.body);
    const access = first.json().access;
    assert.equal(access.kind, 'signed');
    const token = tokenOf(access.url);
    const check = await t.app.inject({ url: `/api/v1/access/${encodeURIComponent(token)}` });
    assert.equal(check.statusCode, 200, check.body);
    assert.equal(new Date(check.json().expiresAt).getTime(), new Date(first.json().dueAt).getTime() - (new Date(first.json().dueAt).getTime() % 1000));
    // a tampered token is refused
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    assert.equal((await t.app.inject({ url: `/api/v1/access/${encodeURIComponent(tampered)}` })).statusCode, 410);

    const second = await borrow(b, titleId);
    assert.equal(second.statusCode, 202, second.body);
    assert.deepEqual([second.json().outcome, second.json().position, second.json().estimatedWaitDays], ['hold', 1, 21]);
    const third = await borrow(c, titleId);
    assert.equal(third.json().position, 2);
    const again = await borrow(a, titleId);
    assert.deepEqual([again.statusCode, again.json().code], [409, 'LENDING_ALREADY_BORROWED']);

    assert.equal((await giveBack(a, first.json().loanId)).statusCode, 204);
    assert.equal((await t.app.inject({ url: `/api/v1/access/${encodeURIComponent(token)}` })).statusCode, 410);
    assert.deepEqual(await poolCounters(t.db.kysely, poolId), { inUse: 0, loansUsed: 1, offered: 1 });
    const bView = await mine(b);
    assert.equal(bView.holds[0].status, 'ready');
    const notice = await t.db.kysely.selectFrom('notice').select('template').where('accountId', '=', b.id).executeTakeFirst();
    assert.equal(notice?.template, 'lending.digital_offer');
    // the offered licence is not for the third in line
    assert.equal((await borrow(c, titleId)).statusCode, 202);
    const taken = await borrow(b, titleId);
    assert.equal(taken.statusCode, 201, taken.body);
    assert.deepEqual(await poolCounters(t.db.kysely, poolId), { inUse: 1, loansUsed: 2, offered: 0 });
    assert.equal((await mine(c)).holds[0].position, 1);
  });

  test('automatic checkout: when a licence frees up it is lent at once to a holder who chose so', async () => {
    const { titleId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const [a, b] = [await buildMember(t), await buildMember(t)];
    const first = (await borrow(a, titleId)).json();
    assert.equal((await borrow(b, titleId, true)).statusCode, 202);
    await giveBack(a, first.loanId);
    const view = await mine(b);
    assert.deepEqual([view.loans.length, view.loans[0]?.kind, view.holds.length], [1, 'digital', 0]);
    const notice = await t.db.kysely.selectFrom('notice').select('template').where('accountId', '=', b.id).executeTakeFirst();
    assert.equal(notice?.template, 'lending.digital_auto_loan');
  });

  test('a metered licence is used up after its loans; an ended time licence lends nothing; pools are used in order', async () => {
    const { titleId, poolId } = await buildPool(t.db.kysely, { model: 'metered_loans', concurrency: 2, loansTotal: 2 });
    const [a, b, c] = [await buildMember(t), await buildMember(t), await buildMember(t)];
    const la = (await borrow(a, titleId)).json(); const lb = (await borrow(b, titleId)).json();
    await giveBack(a, la.loanId); await giveBack(b, lb.loanId);
    const r = await borrow(c, titleId);
    assert.deepEqual([r.statusCode, r.json().outcome, r.json().estimatedWaitDays], [202, 'hold', null]);
    assert.deepEqual(await poolCounters(t.db.kysely, poolId), { inUse: 0, loansUsed: 2, offered: 0 });

    const ended = await buildPool(t.db.kysely, { model: 'metered_time', concurrency: 5, validUntil: new Date(Date.now() - 1000) });
    assert.equal((await borrow(c, ended.titleId)).statusCode, 202);

    // a title with a perpetual and a time-limited licence: the one that runs out anyway goes first,
    // and the loan never outlasts it
    const perpetual = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const until = new Date(Date.now() + 5 * 86_400_000);
    const timed = await buildPool(t.db.kysely, { model: 'metered_time', concurrency: 1, validUntil: until, titleId: perpetual.titleId });
    const l = await borrow(c, perpetual.titleId);
    assert.equal(l.statusCode, 201);
    assert.equal(new Date(l.json().dueAt).getTime(), until.getTime() - (until.getTime() % 1));
    assert.equal((await poolCounters(t.db.kysely, timed.poolId)).inUse, 1);
    assert.equal((await poolCounters(t.db.kysely, perpetual.poolId)).inUse, 0);
  });

  test('expiry: a loan past its due date ends and its licence goes to the next; an offer not taken in 48 hours lapses to the next', async () => {
    const { titleId, poolId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 1 });
    const [a, b, c] = [await buildMember(t), await buildMember(t), await buildMember(t)];
    await borrow(a, titleId); await borrow(b, titleId); await borrow(c, titleId);
    const ctx = systemCtx(t.db.kysely, t.config, 'test');
    assert.ok(await expireDigital(ctx, [lib], new Date(Date.now() + 22 * 86_400_000)) >= 1);
    assert.equal((await mine(a)).loans.length, 0);
    assert.equal((await mine(b)).holds[0].status, 'ready');
    assert.ok(await expireDigital(ctx, [lib], new Date(Date.now() + 25 * 86_400_000)) >= 1);
    assert.equal((await mine(b)).holds.length, 0);
    assert.equal((await mine(c)).holds[0].status, 'ready');
    assert.deepEqual(await poolCounters(t.db.kysely, poolId), { inUse: 0, loansUsed: 1, offered: 1 });
  });

  test('members borrow at their own library; the digital limit of the plan holds', async () => {
    const { titleId } = await buildPool(t.db.kysely, { model: 'simultaneous', provider: 'open' });
    const elsewhere = await buildMember(t, { librarySlug: 'amsterdam' });
    const r = await borrow(elsewhere, titleId);
    assert.deepEqual([r.statusCode, r.json().code], [422, 'LENDING_NOT_HOME_LIBRARY']);
    const anon = await t.app.inject({ method: 'POST', url: api('/digital-loans'), payload: { titleId } });
    assert.equal(anon.statusCode, 401);
    const basic = await buildMember(t, { plan: 'basis' });
    for (let i = 0; i < 5; i++) {
      const p = await buildPool(t.db.kysely, { model: 'simultaneous', provider: 'open' });
      assert.equal((await borrow(basic, p.titleId)).statusCode, 201);
    }
    const sixth = await borrow(basic, titleId);
    assert.deepEqual([sixth.statusCode, sixth.json().code], [409, 'LENDING_DIGITAL_LIMIT_REACHED']);
    const notDigital = await t.app.inject({ method: 'POST', url: api('/digital-loans'), cookies: basic.cookies, payload: { titleId: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(notDigital.statusCode, 404);
    const counted = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('lendingMember').select('digitalLoans').where('libraryId', '=', lib.id).where('accountId', '=', basic.id).executeTakeFirstOrThrow());
    assert.equal(counted.digitalLoans, 5);
  });

  test('borrowers who arrive together go in one call; the call leaves refusals and repeats to the one-borrower path', async () => {
    const { titleId, poolId } = await buildPool(t.db.kysely, { model: 'one_copy_one_user', concurrency: 2 });
    const [a, b, c, d, e] = [await buildMember(t), await buildMember(t), await buildMember(t), await buildMember(t), await buildMember(t)];
    const expired = await buildMember(t, { validUntil: '2020-01-31' });
    // the batch call itself, in arrival order: a gets the first licence, the expired member is left
    // to the one-borrower call, b the second licence, then c, d and d again (twice in one batch)
    const now = new Date();
    const { rows } = await sql<{ n: number; outcome: string; position: number | null; loanId: string | null; holdId: string | null }>`
      SELECT n, outcome, position, loan_id, hold_id FROM eenbieb_borrow_digital_batch(${lib.id}, ${titleId},
        ${[a.id, expired.id, b.id, c.id, d.id, d.id]}::uuid[], ${[null, null, null, true, null, null]}::boolean[],
        ${['api', 'api', 'api', 'api', 'api', 'api']}::text[], ${Array(6).fill(now.toISOString())}::timestamptz[])`.execute(t.db.kysely);
    const byN = Object.fromEntries(rows.map((r) => [Number(r.n), [r.outcome, r.position === null ? null : Number(r.position)]]));
    assert.deepEqual(byN, { 1: ['loan', null], 2: ['single', null], 3: ['loan', null], 4: ['hold', 1], 5: ['hold', 2], 6: ['single', null] });
    assert.deepEqual(await poolCounters(t.db.kysely, poolId), { inUse: 2, loansUsed: 2, offered: 0 });

    // the same through the service, all at once: refusals come back as the coded errors, a repeat
    // finds its own place, newcomers queue behind c and d
    const ctx = systemCtx(t.db.kysely, t.config, 'test');
    const go = (m: TestMember, autoCheckout?: boolean) => borrowDigital(ctx, { library: lib, accountId: m.id, titleId, autoCheckout, channel: 'api' });
    const burst = await Promise.allSettled([go(e), go(expired), go(a), go(c), go(e, true), go(d)]);
    const outcome = (r: PromiseSettledResult<DigitalBorrowResult>) => r.status === 'fulfilled'
      ? (r.value.outcome === 'hold' ? `hold ${r.value.position}` : r.value.outcome)
      : (r.reason as { code?: string }).code;
    assert.deepEqual(burst.map(outcome), ['hold 3', 'LENDING_MEMBER_BLOCKED', 'LENDING_ALREADY_BORROWED', 'hold 1', 'hold 3', 'hold 2']);
    // nothing counted twice: the queue counts its three active holds, positions 1..3 in the database
    const q = await sql<{ active: number; n: number; autoE: boolean }>`
      SELECT (SELECT active FROM digital_queue WHERE title_id = ${titleId}) AS active,
             (SELECT count(*)::int FROM hold WHERE title_id = ${titleId} AND status = 'waiting') AS n,
             (SELECT auto_checkout FROM hold WHERE title_id = ${titleId} AND account_id = ${e.id}) AS "autoE"`.execute(t.db.kysely);
    assert.deepEqual(q.rows[0], { active: 3, n: 3, autoE: true });
    assert.deepEqual((await mine(e)).holds.map((h: { position: number }) => h.position), [3]);
  });
});

