// Lending over the API (app.inject) and the services on a real database: desk check-out and
// check-in with routing, limits and blocks, renewals, holds with pause and pickup, late fees, and
// the coded refusals that leave nothing changed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { grantStaff } from '../../../test/support/auth.ts';
import { branchIdOf, buildMember, buildTitleWithCopies, type TestMember } from '../../../test/support/lending.ts';
import { systemCtx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { checkIn, checkOut, expireReadyHolds, anonymiseLoanHistory, type NoticeLibrary } from './index.ts';
import { dueDate } from './loan-rules.ts';

let t: TestApp;
let desk: TestMember;
let lib: NoticeLibrary;
let centrum: { id: string; slug: string };
let other: { id: string; slug: string };
before(async () => {
  t = await testApp();
  desk = await buildMember(t);
  await grantStaff(t, desk.id, 'utrecht', 'desk');
  const id = (await t.db.kysely.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow()).id;
  lib = { id, name: 'Bibliotheek Utrecht', url: 'http://localhost/utrecht/' };
  const branches = await inTenant(t.db.kysely, id, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', id).orderBy('slug').execute());
  centrum = branches[0]!; other = branches[1]!;
});
after(async () => { await t.close(); });

const api = (path: string) => `/api/v1/libraries/utrecht${path}`;
const ctx = () => systemCtx(t.db.kysely, t.config, 'test');

async function itemState(barcode: string) {
  return inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('item').select(['status', 'transitToBranchId']).where('libraryId', '=', lib.id).where('barcode', '=', barcode).executeTakeFirstOrThrow());
}
async function checkedOutAt(loanId: string): Promise<Date> {
  return (await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select('checkedOutAt').where('libraryId', '=', lib.id).where('id', '=', loanId).executeTakeFirstOrThrow())).checkedOutAt;
}
async function openLoans(accountId: string) {
  return inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').selectAll().where('libraryId', '=', lib.id).where('accountId', '=', accountId).where('status', '=', 'open').execute());
}
const deskOut = (m: TestMember, barcode: string, branch = centrum.slug) => t.app.inject({ method: 'POST', url: api('/loans'), cookies: desk.cookies, payload: { barcode, cardNumber: m.cardNumber, branch } });
const deskIn = (barcode: string, branch = centrum.slug) => t.app.inject({ method: 'POST', url: api('/returns'), cookies: desk.cookies, payload: { barcode, branch } });

describe('desk circulation', () => {
  test('check out by card, then check in at the home branch puts the copy back on the shelf', async () => {
    const m = await buildMember(t);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { branches: [centrum.slug] });
    const out = await deskOut(m, copy!.barcode);
    assert.equal(out.statusCode, 201, out.body);
    const loan = out.json();
    // due at the end of the 21st day (the adult plan's period)
    assert.equal(loan.dueAt, dueDate(await checkedOutAt(loan.loanId), 21).toISOString());
    assert.equal((await itemState(copy!.barcode)).status, 'on_loan');

    const back = await deskIn(copy!.barcode);
    assert.equal(back.statusCode, 200, back.body);
    assert.deepEqual({ ...(back.json() as object), title: undefined }, { barcode: copy!.barcode, title: undefined, loanEnded: true, overdueDays: 0, fineCents: 0, routing: 'shelf', destinationBranch: centrum.slug });
    assert.deepEqual(await itemState(copy!.barcode), { status: 'available', transitToBranchId: null });
    assert.equal((await openLoans(m.id)).length, 0);
  });

  test('a copy checked in at another branch goes in transit to its home branch; checked in there it is available', async () => {
    const m = await buildMember(t);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { branches: [centrum.slug] });
    assert.equal((await deskOut(m, copy!.barcode)).statusCode, 201);
    const back = (await deskIn(copy!.barcode, other.slug)).json();
    assert.deepEqual([back.routing, back.destinationBranch], ['transit', centrum.slug]);
    assert.deepEqual(await itemState(copy!.barcode), { status: 'in_transit', transitToBranchId: centrum.id });
    const arrived = (await deskIn(copy!.barcode, centrum.slug)).json();
    assert.deepEqual([arrived.routing, arrived.loanEnded], ['shelf', false]);
  });

  test('a check-out retried with the same Idempotency-Key answers the first loan again and lends once', async () => {
    const m = await buildMember(t);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
    const send = (key: string) => t.app.inject({ method: 'POST', url: api('/loans'), cookies: desk.cookies, headers: { 'idempotency-key': key }, payload: { barcode: copy!.barcode, cardNumber: m.cardNumber, branch: centrum.slug } });
    const first = await send('"5a0f3c8e-1d7b-4f43-9a55-0e9a3f1c2b77"');
    assert.equal(first.statusCode, 201, first.body);
    const again = await send('"5a0f3c8e-1d7b-4f43-9a55-0e9a3f1c2b77"');
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().loanId, first.json().loanId);
    // a new key is a new request: the copy is on loan now
    const other = await send('"0b6f7f51-2d0e-4d25-9c7e-6d3b8a1e4f10"');
    assert.deepEqual([other.statusCode, other.json().code], [409, 'LENDING_ITEM_ALREADY_ON_LOAN']);
    assert.equal((await openLoans(m.id)).length, 1);
  });

  test('refusals carry stable codes and change nothing', async () => {
    const m = await buildMember(t);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
    const unknown = await deskOut(m, '12345678901');
    assert.deepEqual([unknown.statusCode, unknown.json().code], [404, 'LENDING_ITEM_UNKNOWN']);
    assert.match(unknown.headers['content-type'] as string, /problem\+json/);
    assert.equal((await deskOut(m, copy!.barcode)).statusCode, 201);
    const again = await deskOut(await buildMember(t), copy!.barcode);
    assert.deepEqual([again.statusCode, again.json().code], [409, 'LENDING_ITEM_ALREADY_ON_LOAN']);
    const card = await t.app.inject({ method: 'POST', url: api('/loans'), cookies: desk.cookies, payload: { barcode: copy!.barcode, cardNumber: '99999999999999' } });
    assert.deepEqual([card.statusCode, card.json().code], [404, 'LENDING_MEMBER_NOT_FOUND']);
    const bad = await t.app.inject({ method: 'POST', url: api('/loans'), cookies: desk.cookies, payload: { barcode: 'abc', cardNumber: m.cardNumber } });
    assert.equal(bad.statusCode, 400);
    const branch = await t.app.inject({ method: 'POST', url: api('/returns'), cookies: desk.cookies, payload: { barcode: copy!.barcode, branch: 'nergens' } });
    assert.deepEqual([branch.statusCode, branch.json().code], [422, 'LENDING_BRANCH_UNKNOWN']);
    assert.equal((await openLoans(m.id)).length, 1);
  });

  test('a free account cannot borrow; unpaid fees above the threshold and an expired membership block with the reason', async () => {
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 3);
    const free = await buildMember(t, { plan: 'verbonden' });
    const r1 = await deskOut(free, items[0]!.barcode);
    assert.deepEqual([r1.statusCode, r1.json().code], [422, 'LENDING_NO_LENDING_PLAN']);

    const owing = await buildMember(t);
    await inTenant(t.db.kysely, lib.id, (tx) => tx.insertInto('charge').values({ libraryId: lib.id, accountId: owing.id, kind: 'late_fee', amountCents: 1250, description: 'test' }).execute());
    const r2 = await deskOut(owing, items[1]!.barcode);
    assert.deepEqual([r2.statusCode, r2.json().code], [409, 'LENDING_MEMBER_BLOCKED']);
    assert.match(r2.json().detail ?? r2.json().title, /12,50/);
    // paying at the desk lifts the block
    const pay = await t.app.inject({ method: 'POST', url: api('/desk/payments'), cookies: desk.cookies, payload: { cardNumber: owing.cardNumber, amountCents: 1250 } });
    assert.deepEqual([pay.statusCode, pay.json().paidCents], [200, 1250]);
    assert.equal((await deskOut(owing, items[1]!.barcode)).statusCode, 201);

    const expired = await buildMember(t, { validUntil: '2020-01-31' });
    const r3 = await deskOut(expired, items[2]!.barcode);
    assert.deepEqual([r3.statusCode, r3.json().code], [409, 'LENDING_MEMBER_BLOCKED']);
    assert.equal((await itemState(items[2]!.barcode)).status, 'available');
  });

  test('the plan limit holds: the sixth loan on the basic plan (5) is refused', async () => {
    const m = await buildMember(t, { plan: 'basis' });
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 6);
    for (const item of items.slice(0, 5)) assert.equal((await deskOut(m, item.barcode)).statusCode, 201);
    const sixth = await deskOut(m, items[5]!.barcode);
    assert.deepEqual([sixth.statusCode, sixth.json().code], [409, 'LENDING_LOAN_LIMIT_REACHED']);
    assert.equal((await openLoans(m.id)).length, 5);
    assert.equal((await itemState(items[5]!.barcode)).status, 'available');
  });

  test('only desk staff use the desk: members get 403, anonymous 401', async () => {
    const m = await buildMember(t);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
    const asMember = await t.app.inject({ method: 'POST', url: api('/returns'), cookies: m.cookies, payload: { barcode: copy!.barcode, branch: centrum.slug } });
    assert.equal(asMember.statusCode, 403);
    const other = await t.app.inject({ method: 'POST', url: api('/loans'), cookies: m.cookies, payload: { barcode: copy!.barcode, cardNumber: desk.cardNumber } });
    assert.equal(other.statusCode, 403);
    const anon = await t.app.inject({ method: 'POST', url: api('/returns'), payload: { barcode: copy!.barcode, branch: centrum.slug } });
    assert.equal(anon.statusCode, 401);
    const look = await t.app.inject({ url: api(`/desk/members/${m.cardNumber}`), cookies: m.cookies });
    assert.equal(look.statusCode, 403);
  });

  test('a desk look at a member is audited', async () => {
    const m = await buildMember(t);
    const res = await t.app.inject({ url: api(`/desk/members/${m.cardNumber}`), cookies: desk.cookies });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().cardNumber, m.cardNumber);
    const audit = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('auditEvent').select(['action', 'actorAccountId']).where('libraryId', '=', lib.id).where('subjectAccountId', '=', m.id).execute());
    assert.deepEqual(audit, [{ action: 'lending.member_viewed', actorAccountId: desk.id }]);
  });
});

describe('self-service and renewals', () => {
  test('a member checks out in the portal where the library allows it, sees the loan and renews it', async () => {
    const m = await buildMember(t);
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
    const out = await t.app.inject({ method: 'POST', url: api('/loans'), cookies: m.cookies, payload: { barcode: copy!.barcode } });
    assert.equal(out.statusCode, 201, out.body);
    const mine = (await t.app.inject({ url: api('/me/lending'), cookies: m.cookies })).json();
    assert.equal(mine.loans.length, 1);
    const renewal = await t.app.inject({ method: 'POST', url: api(`/loans/${mine.loans[0].id}/renewal`), cookies: m.cookies });
    assert.equal(renewal.statusCode, 200, renewal.body);
    assert.equal(renewal.json().renewals, 1);
    // someone else's loan: not found for a member
    const stranger = await buildMember(t);
    const theirs = await t.app.inject({ method: 'POST', url: api(`/loans/${mine.loans[0].id}/renewal`), cookies: stranger.cookies });
    assert.equal(theirs.statusCode, 403);
  });

  test('self-checkout is refused where the library does not offer it', async () => {
    const m = await buildMember(t, { librarySlug: 'amsterdam' });
    const { items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'amsterdam', 1);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/amsterdam/loans', cookies: m.cookies, payload: { barcode: copy!.barcode } });
    assert.deepEqual([res.statusCode, res.json().code], [403, 'LENDING_SELF_CHECKOUT_OFF']);
  });

  test('renewal is refused when someone waits for the title, and after the maximum number of renewals', async () => {
    const m = await buildMember(t);
    const waiting = await buildMember(t);
    const { titleId, items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 2);
    const a = (await deskOut(m, items[0]!.barcode)).json();
    const b = (await deskOut(m, items[1]!.barcode)).json();
    const renewUrl = (id: string) => api(`/loans/${id}/renewal`);
    assert.equal((await t.app.inject({ method: 'POST', url: renewUrl(a.loanId), cookies: m.cookies })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'POST', url: renewUrl(a.loanId), cookies: m.cookies })).statusCode, 200);
    const third = await t.app.inject({ method: 'POST', url: renewUrl(a.loanId), cookies: m.cookies });
    assert.deepEqual([third.statusCode, third.json().code], [409, 'LENDING_RENEWAL_LIMIT_REACHED']);
    const hold = await t.app.inject({ method: 'POST', url: api('/holds'), cookies: waiting.cookies, payload: { titleId, pickupBranch: centrum.slug } });
    assert.equal(hold.statusCode, 201, hold.body);
    const refused = await t.app.inject({ method: 'POST', url: renewUrl(b.loanId), cookies: m.cookies });
    assert.deepEqual([refused.statusCode, refused.json().code], [409, 'LENDING_RENEWAL_REFUSED_HOLDS']);
    // a paused hold does not stand in the way
    await t.app.inject({ method: 'PATCH', url: api(`/holds/${hold.json().holdId}`), cookies: waiting.cookies, payload: { frozen: true } });
    assert.equal((await t.app.inject({ method: 'POST', url: renewUrl(b.loanId), cookies: m.cookies })).statusCode, 200);
  });
});

describe('holds', () => {
  test('first come first served: a returned copy is set aside for the first holder, passing over a paused one, with a notice; expiry passes it on', async () => {
    const borrower = await buildMember(t);
    const [h1, h2, h3] = [await buildMember(t), await buildMember(t), await buildMember(t)];
    const { titleId, items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { branches: [centrum.slug] });
    assert.equal((await deskOut(borrower, copy!.barcode)).statusCode, 201);
    const place = async (m: TestMember, branch = centrum.slug) => (await t.app.inject({ method: 'POST', url: api('/holds'), cookies: m.cookies, payload: { titleId, pickupBranch: branch } })).json();
    const p1 = await place(h1!); const p2 = await place(h2!, other.slug); const p3 = await place(h3!);
    assert.deepEqual([p1.position, p2.position, p3.position], [1, 2, 3]);
    const dup = await t.app.inject({ method: 'POST', url: api('/holds'), cookies: h1!.cookies, payload: { titleId, pickupBranch: centrum.slug } });
    assert.deepEqual([dup.statusCode, dup.json().code], [409, 'LENDING_HOLD_EXISTS']);

    // h1 pauses: keeps place 1, but is passed over
    assert.equal((await t.app.inject({ method: 'PATCH', url: api(`/holds/${p1.holdId}`), cookies: h1!.cookies, payload: { frozen: true } })).statusCode, 204);
    const back = (await deskIn(copy!.barcode, centrum.slug)).json();
    // h2 picks up at the other branch: the copy travels there
    assert.deepEqual([back.routing, back.destinationBranch], ['transit', other.slug]);
    const mine1 = (await t.app.inject({ url: api('/me/lending'), cookies: h1!.cookies })).json();
    assert.deepEqual([mine1.holds[0].position, mine1.holds[0].frozen, mine1.holds[0].status], [1, true, 'waiting']);
    const arrived = (await deskIn(copy!.barcode, other.slug)).json();
    assert.equal(arrived.routing, 'hold_shelf');
    const mine2 = (await t.app.inject({ url: api('/me/lending'), cookies: h2!.cookies })).json();
    assert.equal(mine2.holds[0].status, 'ready');
    const notice = await t.db.kysely.selectFrom('notice').select(['template', 'subject']).where('accountId', '=', h2!.id).executeTakeFirst();
    assert.equal(notice?.template, 'lending.hold_ready');
    // someone else cannot take it
    const taken = await deskOut(h3!, copy!.barcode, other.slug);
    assert.deepEqual([taken.statusCode, taken.json().code], [409, 'LENDING_ITEM_HELD_FOR_OTHER']);

    // h2 does not come: after the pickup date the hold expires and the copy goes to h3 (h1 still paused)
    const later = new Date(Date.now() + 10 * 86_400_000);
    assert.equal(await expireReadyHolds(ctx(), [lib], later), 1);
    const h3view = (await t.app.inject({ url: api('/me/lending'), cookies: h3!.cookies })).json();
    assert.equal(h3view.holds[0].status, 'in_transit');
    const h2view = (await t.app.inject({ url: api('/me/lending'), cookies: h2!.cookies })).json();
    assert.equal(h2view.holds.length, 0);
    // arrives at h3's pickup branch, h3 collects it: the hold is fulfilled
    assert.equal((await deskIn(copy!.barcode, centrum.slug)).json().routing, 'hold_shelf');
    const out = await deskOut(h3!, copy!.barcode);
    assert.equal(out.statusCode, 201, out.body);
    assert.equal(out.json().fulfilledHoldId, p3.holdId);
    const final = (await t.app.inject({ url: api('/me/lending'), cookies: h1!.cookies })).json();
    assert.deepEqual([final.holds[0].position, final.holds[0].frozen], [1, true]);
  });

  test('cancelling a hold whose copy is on the hold shelf passes the copy to the next in line', async () => {
    const [h1, h2] = [await buildMember(t), await buildMember(t)];
    const { titleId, items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { branches: [centrum.slug] });
    const p1 = (await t.app.inject({ method: 'POST', url: api('/holds'), cookies: h1!.cookies, payload: { titleId, pickupBranch: centrum.slug } })).json();
    await t.app.inject({ method: 'POST', url: api('/holds'), cookies: h2!.cookies, payload: { titleId, pickupBranch: centrum.slug } });
    // a shelf copy scanned at the desk is trapped for the first hold (pull list)
    assert.equal((await deskIn(copy!.barcode, centrum.slug)).json().routing, 'hold_shelf');
    assert.equal((await t.app.inject({ method: 'DELETE', url: api(`/holds/${p1.holdId}`), cookies: h1!.cookies })).statusCode, 204);
    const v = (await t.app.inject({ url: api('/me/lending'), cookies: h2!.cookies })).json();
    assert.deepEqual([v.holds[0].status, v.holds[0].position], ['ready', 1]);
    const shelf = (await t.app.inject({ url: api('/desk/hold-shelf'), cookies: desk.cookies })).json();
    assert.ok(shelf.entries.some((e: { barcode: string; cardNumber: string }) => e.barcode === copy!.barcode && e.cardNumber === h2!.cardNumber));
  });

  test('holds on a title the library has no copy of, or at a branch of another library, are refused', async () => {
    const m = await buildMember(t);
    const { titleId } = await buildTitleWithCopies(t.db.kysely, 'amsterdam', 1);
    const r = await t.app.inject({ method: 'POST', url: api('/holds'), cookies: m.cookies, payload: { titleId, pickupBranch: centrum.slug } });
    assert.deepEqual([r.statusCode, r.json().code], [422, 'LENDING_HOLD_NOT_SUPPLIABLE']);
    const { titleId: t2 } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
    const r2 = await t.app.inject({ method: 'POST', url: api('/holds'), cookies: m.cookies, payload: { titleId: t2, pickupBranch: 'centrale-bibliotheek-amsterdam' } });
    assert.deepEqual([r2.statusCode, r2.json().code], [422, 'LENDING_BRANCH_UNKNOWN']);
  });
});

describe('late fees and history', () => {
  test('an adult returning late pays per day up to the maximum; a youth member pays nothing', async () => {
    const adult = await buildMember(t);
    const youth = await buildMember(t, { plan: 'jeugd' });
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 2, { branches: [centrum.slug] });
    const past = new Date(Date.now() - 24 * 86_400_000);
    await checkOut(ctx(), { library: lib, patron: { cardNumber: adult.cardNumber }, barcode: items[0]!.barcode, branchId: centrum.id, channel: 'desk', now: past });
    await checkOut(ctx(), { library: lib, patron: { cardNumber: youth.cardNumber }, barcode: items[1]!.barcode, branchId: centrum.id, channel: 'desk', now: past });
    const a = await checkIn(ctx(), { library: lib, barcode: items[0]!.barcode, branchId: centrum.id, channel: 'desk' });
    assert.ok(a.overdueDays >= 3 && a.overdueDays <= 4, String(a.overdueDays));
    assert.equal(a.fineCents, a.overdueDays * 25);
    const y = await checkIn(ctx(), { library: lib, barcode: items[1]!.barcode, branchId: centrum.id, channel: 'desk' });
    assert.deepEqual([y.overdueDays > 0, y.fineCents], [true, 0]);
    const charges = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('charge').select(['kind', 'amountCents']).where('libraryId', '=', lib.id).where('accountId', 'in', [adult.id, youth.id]).execute());
    assert.deepEqual(charges, [{ kind: 'late_fee', amountCents: a.fineCents }]);
  });

  test('returned loans lose the member after the retention period, unless the member keeps a reading history', async () => {
    const keeper = await buildMember(t);
    const forgetter = await buildMember(t);
    await inTenant(t.db.kysely, lib.id, (tx) => tx.insertInto('consent').values({ libraryId: lib.id, accountId: keeper.id, purpose: 'reading_history', granted: true }).execute());
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 2, { branches: [centrum.slug] });
    for (const [m, item] of [[keeper, items[0]!], [forgetter, items[1]!]] as const) {
      await checkOut(ctx(), { library: lib, patron: { cardNumber: m.cardNumber }, barcode: item.barcode, channel: 'desk' });
      await checkIn(ctx(), { library: lib, barcode: item.barcode, branchId: centrum.id, channel: 'desk' });
    }
    assert.equal(await anonymiseLoanHistory(ctx(), [lib], new Date()), 0); // within the retention period
    const n = await anonymiseLoanHistory(ctx(), [lib], new Date(Date.now() + 31 * 86_400_000));
    assert.ok(n >= 1);
    const rows = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select(['accountId', 'itemId']).where('libraryId', '=', lib.id)
      .where('itemId', 'in', items.map((i) => i.id)).orderBy('checkedOutAt').execute());
    assert.deepEqual(rows.map((r) => r.accountId), [keeper.id, null]);
    const counters = await sql<{ n: number }>`SELECT count(*)::int AS n FROM loan WHERE account_id IS NULL AND status = 'open'`.execute(t.db.kysely);
    assert.equal(counters.rows[0]!.n, 0);
  });
});

describe('loan rules', () => {
  test('a library admin (second factor) sets a shorter period for DVDs; desk staff read but cannot change; bad rules are refused', async () => {
    const admin = await buildMember(t);
    await grantStaff(t, admin.id, 'utrecht', 'library_admin');
    const { signIn } = await import('../../../test/support/auth.ts');
    const withMfa = await signIn(t, admin.id, { mfa: true });
    const current = await t.app.inject({ url: api('/lending-rules'), cookies: desk.cookies });
    assert.equal(current.statusCode, 200, current.body);
    const body = { settings: current.json().settings, rules: [{ plan: null, format: 'dvd', loanPeriodDays: 7, maxRenewals: 1 }] };
    assert.equal((await t.app.inject({ method: 'PUT', url: api('/lending-rules'), cookies: desk.cookies, payload: body })).statusCode, 403);
    const noMfa = await t.app.inject({ method: 'PUT', url: api('/lending-rules'), cookies: admin.cookies, payload: body });
    assert.equal(noMfa.statusCode, 403);
    const bad = await t.app.inject({ method: 'PUT', url: api('/lending-rules'), cookies: withMfa, payload: { ...body, rules: [{ plan: 'bestaat-niet', format: 'dvd', loanPeriodDays: 7, maxRenewals: 1 }] } });
    assert.deepEqual([bad.statusCode, bad.json().code], [400, 'VALIDATION_FAILED']);
    const ok = await t.app.inject({ method: 'PUT', url: api('/lending-rules'), cookies: withMfa, payload: body });
    assert.equal(ok.statusCode, 200, ok.body);
    try {
      const m = await buildMember(t);
      const { items: [dvd] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { format: 'dvd' });
      const loan = (await deskOut(m, dvd!.barcode)).json();
      assert.equal(loan.dueAt, dueDate(await checkedOutAt(loan.loanId), 7).toISOString());
      const r1 = await t.app.inject({ method: 'POST', url: api(`/loans/${loan.loanId}/renewal`), cookies: m.cookies });
      assert.equal(r1.statusCode, 200);
      const r2 = await t.app.inject({ method: 'POST', url: api(`/loans/${loan.loanId}/renewal`), cookies: m.cookies });
      assert.deepEqual([r2.statusCode, r2.json().code], [409, 'LENDING_RENEWAL_LIMIT_REACHED']);
    } finally {
      await t.app.inject({ method: 'PUT', url: api('/lending-rules'), cookies: withMfa, payload: { settings: body.settings, rules: [] } });
    }
  });
});

describe('hold shelf mistakes', () => {
  test('a copy from the hold shelf scanned in at another branch is on its way again: its hold is in transit, not ready', async () => {
    const h = await buildMember(t);
    const { titleId, items: [copy] } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { branches: [centrum.slug] });
    await t.app.inject({ method: 'POST', url: api('/holds'), cookies: h.cookies, payload: { titleId, pickupBranch: centrum.slug } });
    assert.equal((await deskIn(copy!.barcode, centrum.slug)).json().routing, 'hold_shelf');
    const moved = (await deskIn(copy!.barcode, other.slug)).json();
    assert.deepEqual([moved.routing, moved.destinationBranch], ['transit', centrum.slug]);
    assert.equal((await itemState(copy!.barcode)).status, 'in_transit');
    const view = (await t.app.inject({ url: api('/me/lending'), cookies: h.cookies })).json();
    assert.deepEqual([view.holds[0].status, view.holds[0].readyUntil], ['in_transit', null]);
    assert.equal((await deskIn(copy!.barcode, centrum.slug)).json().routing, 'hold_shelf');
  });
});
