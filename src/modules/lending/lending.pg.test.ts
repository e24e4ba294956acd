// The invariants of lending under real parallel transactions on a PostgreSQL server (issue #6
// item 4): never two open loans on a copy; a member never above a limit, even with 20 parallel
// check-outs; a pool never lends more than its model allows and a metered pool never goes below
// zero; hold queue positions stay contiguous; a returned copy traps each hold once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/connection.ts';
import { testConfig } from '../../platform/config.ts';
import { systemCtx, type Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { branchIdOf, buildPool, buildTitleWithCopies, insertMember, poolCounters } from '../../../test/support/lending.ts';
import { borrowDigital, cancelHold, checkIn, checkOut, listHolds, placeHold, returnDigital, type NoticeLibrary } from './index.ts';

let db: Db;
let lib: NoticeLibrary;
let ctx: Ctx;
before(async () => {
  db = await testDatabase({ poolSize: 30 });
  const id = (await db.kysely.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow()).id;
  lib = { id, name: 'Bibliotheek Utrecht', url: 'http://localhost/utrecht/' };
  ctx = systemCtx(db.kysely, testConfig(), 'pg-test');
});
after(async () => { await db.close(); });

const codeOf = (r: PromiseSettledResult<unknown>) => r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? String(r.reason));
function tally(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[codeOf(r)] = (out[codeOf(r)] ?? 0) + 1;
  return out;
}

async function counters(accountId: string) {
  return inTenant(db.kysely, lib.id, async (tx) => {
    const c = await tx.selectFrom('lendingMember').select(['physicalLoans', 'digitalLoans', 'holds']).where('libraryId', '=', lib.id).where('accountId', '=', accountId).executeTakeFirst();
    const loans = await tx.selectFrom('loan').select(['kind']).where('libraryId', '=', lib.id).where('accountId', '=', accountId).where('status', '=', 'open').execute();
    return { counter: c, physical: loans.filter((l) => l.kind === 'physical').length, digital: loans.filter((l) => l.kind === 'digital').length };
  });
}

describe('physical loans', () => {
  test('20 parallel check-outs by a member on a plan of 5 loans: exactly 5 succeed, 15 are refused with the limit code', async () => {
    const m = await insertMember(db.kysely, { plan: 'basis' });
    const { items } = await buildTitleWithCopies(db.kysely, 'utrecht', 20);
    const results = await Promise.allSettled(items.map((i) => checkOut(ctx, { library: lib, patron: { cardNumber: m.cardNumber }, barcode: i.barcode, channel: 'kiosk' })));
    assert.deepEqual(tally(results), { ok: 5, LENDING_LOAN_LIMIT_REACHED: 15 });
    const c = await counters(m.id);
    assert.deepEqual([c.counter?.physicalLoans, c.physical], [5, 5]);
    const onLoan = await inTenant(db.kysely, lib.id, (tx) => tx.selectFrom('item').select((eb) => eb.fn.countAll<string>().as('n')).where('libraryId', '=', lib.id)
      .where('id', 'in', items.map((i) => i.id)).where('status', '=', 'on_loan').executeTakeFirstOrThrow());
    assert.equal(Number(onLoan.n), 5);
  });

  test('20 members check out the same copy at once: exactly one loan', async () => {
    const members = await Promise.all(Array.from({ length: 20 }, () => insertMember(db.kysely)));
    const { items: [copy] } = await buildTitleWithCopies(db.kysely, 'utrecht', 1);
    const results = await Promise.allSettled(members.map((m) => checkOut(ctx, { library: lib, patron: { cardNumber: m.cardNumber }, barcode: copy!.barcode, channel: 'desk' })));
    assert.deepEqual(tally(results), { ok: 1, LENDING_ITEM_ALREADY_ON_LOAN: 19 });
    const open = await inTenant(db.kysely, lib.id, (tx) => tx.selectFrom('loan').select('accountId').where('libraryId', '=', lib.id).where('itemId', '=', copy!.id).where('status', '=', 'open').execute());
    assert.equal(open.length, 1);
  });

  test('holds: 30 parallel placements get positions 1..30; 10 parallel cancellations leave 1..20 in the same order; parallel check-ins trap each hold once', async () => {
    const { titleId, items } = await buildTitleWithCopies(db.kysely, 'utrecht', 8);
    const branch = await branchIdOf(db.kysely, lib.id);
    const members = await Promise.all(Array.from({ length: 30 }, () => insertMember(db.kysely)));
    const placed = await Promise.all(members.map((m) => placeHold(ctx, { library: lib, patron: { accountId: m.id }, titleId, pickupBranchId: branch.id })));
    // positions reported at placement are unique (each saw the holds committed before it)
    const order = async () => {
      const rows = await Promise.all(members.map(async (m) => ({ m: m.id, h: (await listHolds(ctx, lib.id, m.id)).find((h) => h.titleId === titleId) })));
      return rows.filter((r) => r.h).sort((a, b) => a.h!.position - b.h!.position);
    };
    const before = await order();
    assert.deepEqual(before.map((r) => r.h!.position), Array.from({ length: 30 }, (_, i) => i + 1));
    const cancelled = new Set(members.filter((_, i) => i % 3 === 0).map((m) => m.id));
    await Promise.all(placed.map((p, i) => cancelled.has(members[i]!.id) ? cancelHold(ctx, { library: lib, holdId: p.holdId, accountId: members[i]!.id }) : null));
    const afterCancel = await order();
    assert.deepEqual(afterCancel.map((r) => r.h!.position), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(afterCancel.map((r) => r.m), before.filter((r) => !cancelled.has(r.m)).map((r) => r.m));

    // 8 copies come back at once at the pickup branch: the first 8 in line get one each
    await Promise.all(items.map((i) => checkIn(ctx, { library: lib, barcode: i.barcode, branchId: branch.id, channel: 'desk' })));
    const ready = await inTenant(db.kysely, lib.id, (tx) => tx.selectFrom('hold').select(['accountId', 'itemId']).where('libraryId', '=', lib.id)
      .where('titleId', '=', titleId).where('status', '=', 'ready').execute());
    assert.equal(ready.length, 8);
    assert.equal(new Set(ready.map((r) => r.itemId)).size, 8);
    assert.deepEqual(new Set(ready.map((r) => r.accountId)), new Set(afterCancel.slice(0, 8).map((r) => r.m)));
  });
});

describe('digital loans', () => {
  test('50 parallel borrowers of a title with 3 licences: 3 loans, 47 in the queue at 1..47', async () => {
    const { titleId, poolId } = await buildPool(db.kysely, { model: 'one_copy_one_user', concurrency: 3 });
    const members = await Promise.all(Array.from({ length: 50 }, () => insertMember(db.kysely)));
    const results = await Promise.all(members.map((m) => borrowDigital(ctx, { library: lib, accountId: m.id, titleId })));
    const loans = results.filter((r) => r.outcome === 'loan');
    const holds = results.filter((r) => r.outcome === 'hold');
    assert.equal(loans.length, 3);
    assert.equal(holds.length, 47);
    const positions = await Promise.all(members.map(async (m) => (await listHolds(ctx, lib.id, m.id)).find((h) => h.titleId === titleId)?.position));
    assert.deepEqual(positions.filter((p) => p !== undefined).sort((a, b) => a! - b!), Array.from({ length: 47 }, (_, i) => i + 1));
    assert.deepEqual(await poolCounters(db.kysely, poolId), { inUse: 3, loansUsed: 3, offered: 0 });

    // the 3 borrowers return at once: 3 offers go to the first 3 in line, never more
    const owners = members.filter((_, i) => results[i]!.outcome === 'loan');
    await Promise.all(loans.map((l, i) => returnDigital(ctx, { library: lib, loanId: (l as { loanId: string }).loanId, accountId: owners[i]!.id })));
    assert.deepEqual(await poolCounters(db.kysely, poolId), { inUse: 0, loansUsed: 3, offered: 3 });
    const offered = await inTenant(db.kysely, lib.id, (tx) => tx.selectFrom('hold').select('accountId').where('libraryId', '=', lib.id).where('titleId', '=', titleId).where('status', '=', 'ready').execute());
    const firstThree = (await Promise.all(members.map(async (m) => ({ m: m.id, p: (await listHolds(ctx, lib.id, m.id)).find((h) => h.titleId === titleId) }))))
      .filter((x) => x.p).sort((a, b) => a.p!.position - b.p!.position).slice(0, 3).map((x) => x.m);
    assert.deepEqual(new Set(offered.map((o) => o.accountId)), new Set(firstThree));
  });

  test('a metered pool (5 loans in total) under 20 parallel borrowers and returns never lends more than 5', async () => {
    const { titleId, poolId } = await buildPool(db.kysely, { model: 'metered_loans', concurrency: 5, loansTotal: 5 });
    const members = await Promise.all(Array.from({ length: 20 }, () => insertMember(db.kysely)));
    const first = await Promise.all(members.map((m) => borrowDigital(ctx, { library: lib, accountId: m.id, titleId })));
    assert.equal(first.filter((r) => r.outcome === 'loan').length, 5);
    const borrowers = members.filter((_, i) => first[i]!.outcome === 'loan');
    await Promise.all(borrowers.map((m, i) => returnDigital(ctx, { library: lib, loanId: (first[members.indexOf(m)] as { loanId: string }).loanId, accountId: borrowers[i]!.id })));
    // the licence is used up: no offers, no loans, holders stay in the queue
    const c = await poolCounters(db.kysely, poolId);
    assert.deepEqual(c, { inUse: 0, loansUsed: 5, offered: 0 });
    const again = await Promise.all(members.slice(0, 10).map((m) => borrowDigital(ctx, { library: lib, accountId: m.id, titleId })));
    assert.equal(again.filter((r) => r.outcome === 'loan').length, 0);
    const row = await sql<{ ok: boolean }>`SELECT loans_used <= loans_total AND in_use >= 0 AS ok FROM license_pool WHERE id = ${poolId}`.execute(db.kysely);
    assert.equal(row.rows[0]!.ok, true);
  });

  test('20 parallel digital loans by a member on a plan of 5 digital loans: exactly 5', async () => {
    const m = await insertMember(db.kysely, { plan: 'basis' });
    const pools = await Promise.all(Array.from({ length: 20 }, () => buildPool(db.kysely, { model: 'simultaneous', provider: 'open' })));
    const results = await Promise.allSettled(pools.map((p) => borrowDigital(ctx, { library: lib, accountId: m.id, titleId: p.titleId })));
    assert.deepEqual(tally(results), { ok: 5, LENDING_DIGITAL_LIMIT_REACHED: 15 });
    const c = await counters(m.id);
    assert.deepEqual([c.counter?.digitalLoans, c.digital], [5, 5]);
  });
});
