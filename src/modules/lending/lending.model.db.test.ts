// Property-based model test (fast-check): random sequences of borrow, return, renew, hold, cancel,
// freeze, expire, digital borrow and return against the real services and database. After every
// step the invariants must hold, whatever the sequence did. Refusals with a LENDING_* code are
// expected outcomes; any other error fails the property.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { branchIdOf, buildPool, buildTitleWithCopies, insertMember } from '../../../test/support/lending.ts';
import { systemCtx, type Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import {
  borrowDigital, cancelHold, checkIn, checkOut, expireDigital, expireReadyHolds, listHolds, placeHold, renew, returnDigital,
  setFrozen, type NoticeLibrary,
} from './index.ts';

let t: TestApp;
let lib: NoticeLibrary;
let ctx: Ctx;
let branches: string[];
before(async () => {
  t = await testApp();
  const id = (await t.db.kysely.selectFrom('library').select('id').where('slug', '=', 'utrecht').executeTakeFirstOrThrow()).id;
  lib = { id, name: 'Bibliotheek Utrecht', url: 'http://localhost/utrecht/' };
  ctx = systemCtx(t.db.kysely, t.config, 'model');
  branches = (await inTenant(t.db.kysely, id, (tx) => tx.selectFrom('branch').select('id').where('libraryId', '=', id).orderBy('slug').limit(2).execute())).map((b) => b.id);
});
after(async () => { await t.close(); });

const Op = fc.oneof(
  fc.record({ op: fc.constant('borrow' as const), m: fc.nat(2), i: fc.nat(3) }),
  fc.record({ op: fc.constant('return' as const), i: fc.nat(3), b: fc.nat(1) }),
  fc.record({ op: fc.constant('renew' as const), m: fc.nat(2), i: fc.nat(3) }),
  fc.record({ op: fc.constant('hold' as const), m: fc.nat(2), title: fc.nat(1), b: fc.nat(1) }),
  fc.record({ op: fc.constant('cancel' as const), m: fc.nat(2), title: fc.nat(1) }),
  fc.record({ op: fc.constant('freeze' as const), m: fc.nat(2), title: fc.nat(1), frozen: fc.boolean() }),
  fc.record({ op: fc.constant('expire' as const), days: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ op: fc.constant('dborrow' as const), m: fc.nat(2), auto: fc.boolean() }),
  fc.record({ op: fc.constant('dreturn' as const), m: fc.nat(2) }),
);
type Step = typeof Op extends fc.Arbitrary<infer T> ? T : never;

interface World {
  members: { id: string; cardNumber: string }[];
  titles: string[];
  items: { id: string; barcode: string; title: number }[];
  digitalTitle: string;
  poolId: string;
  now: Date;
}

async function makeWorld(): Promise<World> {
  const members = await Promise.all([0, 1, 2].map(() => insertMember(t.db.kysely, { plan: 'basis' })));
  const a = await buildTitleWithCopies(t.db.kysely, 'utrecht', 3, { branches: [(await branchIdOf(t.db.kysely, lib.id)).slug] });
  const b = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1);
  const pool = await buildPool(t.db.kysely, { model: 'metered_loans', concurrency: 2, loansTotal: 4 });
  return {
    members, titles: [a.titleId, b.titleId], digitalTitle: pool.titleId, poolId: pool.poolId, now: new Date(),
    items: [...a.items.map((i) => ({ ...i, title: 0 })), ...b.items.map((i) => ({ ...i, title: 1 }))],
  };
}

async function holdOf(w: World, m: number, title: string) {
  return (await listHolds(ctx, lib.id, w.members[m]!.id)).find((h) => h.titleId === title);
}

async function apply(w: World, s: Step): Promise<void> {
  switch (s.op) {
    case 'borrow': await checkOut(ctx, { library: lib, patron: { cardNumber: w.members[s.m]!.cardNumber }, barcode: w.items[s.i]!.barcode, branchId: branches[0], channel: 'desk', now: w.now }); return;
    case 'return': await checkIn(ctx, { library: lib, barcode: w.items[s.i]!.barcode, branchId: branches[s.b % branches.length]!, channel: 'desk', now: w.now }); return;
    case 'renew': {
      const loan = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select('id').where('libraryId', '=', lib.id).where('itemId', '=', w.items[s.i]!.id).where('status', '=', 'open').executeTakeFirst());
      if (loan) await renew(ctx, { library: lib, loanId: loan.id, accountId: w.members[s.m]!.id, now: w.now });
      return;
    }
    case 'hold': await placeHold(ctx, { library: lib, patron: { accountId: w.members[s.m]!.id }, titleId: w.titles[s.title]!, pickupBranchId: branches[s.b % branches.length]!, now: w.now }); return;
    case 'cancel': {
      const h = await holdOf(w, s.m, w.titles[s.title]!) ?? await holdOf(w, s.m, w.digitalTitle);
      if (h) await cancelHold(ctx, { library: lib, holdId: h.id, accountId: w.members[s.m]!.id, now: w.now });
      return;
    }
    case 'freeze': {
      const h = await holdOf(w, s.m, w.titles[s.title]!);
      if (h) await setFrozen(ctx, { library: lib, holdId: h.id, accountId: w.members[s.m]!.id, frozen: s.frozen });
      return;
    }
    case 'expire':
      w.now = new Date(w.now.getTime() + s.days * 86_400_000);
      await expireReadyHolds(ctx, [lib], w.now);
      await expireDigital(ctx, [lib], w.now);
      return;
    case 'dborrow': await borrowDigital(ctx, { library: lib, accountId: w.members[s.m]!.id, titleId: w.digitalTitle, autoCheckout: s.auto, now: w.now }); return;
    case 'dreturn': {
      const loan = await inTenant(t.db.kysely, lib.id, (tx) => tx.selectFrom('loan').select('id').where('libraryId', '=', lib.id).where('accountId', '=', w.members[s.m]!.id)
        .where('titleId', '=', w.digitalTitle).where('status', '=', 'open').executeTakeFirst());
      if (loan) await returnDigital(ctx, { library: lib, loanId: loan.id, accountId: w.members[s.m]!.id, now: w.now });
    }
  }
}

/** Every invariant of issue #6 item 4, read from the rows. */
async function checkInvariants(w: World, after: string): Promise<void> {
  const ids = w.items.map((i) => i.id);
  const memberIds = w.members.map((m) => m.id);
  await inTenant(t.db.kysely, lib.id, async (tx) => {
    const items = await sql<{ id: string; status: string; open: number; held: number; heldStatus: string | null }>`
      SELECT i.id, i.status,
        (SELECT count(*)::int FROM loan l WHERE l.library_id = i.library_id AND l.item_id = i.id AND l.status = 'open') AS open,
        (SELECT count(*)::int FROM hold h WHERE h.library_id = i.library_id AND h.item_id = i.id AND h.status IN ('in_transit', 'ready')) AS held,
        (SELECT h.status FROM hold h WHERE h.library_id = i.library_id AND h.item_id = i.id AND h.status IN ('in_transit', 'ready') LIMIT 1) AS "heldStatus"
      FROM item i WHERE i.library_id = ${lib.id} AND i.id = ANY(${ids}::uuid[])`.execute(tx);
    for (const i of items.rows) {
      assert.ok(i.open <= 1, `${after}: two open loans on a copy`);
      assert.equal(i.status === 'on_loan', i.open === 1, `${after}: copy status ${i.status} with ${i.open} open loans`);
      assert.ok(i.held <= 1, `${after}: a copy set aside for two holds`);
      if (i.heldStatus === 'ready') assert.equal(i.status, 'on_hold_shelf', `${after}: ready hold but copy ${i.status}`);
      if (i.heldStatus === 'in_transit') assert.equal(i.status, 'in_transit', `${after}: hold in transit but copy ${i.status}`);
    }
    const members = await sql<{ accountId: string; physicalLoans: number; digitalLoans: number; holds: number; p: number; d: number; h: number }>`
      SELECT m.account_id, coalesce(c.physical_loans, 0) AS physical_loans, coalesce(c.digital_loans, 0) AS digital_loans, coalesce(c.holds, 0) AS holds,
        (SELECT count(*)::int FROM loan l WHERE l.library_id = m.library_id AND l.account_id = m.account_id AND l.status = 'open' AND l.kind = 'physical') AS p,
        (SELECT count(*)::int FROM loan l WHERE l.library_id = m.library_id AND l.account_id = m.account_id AND l.status = 'open' AND l.kind = 'digital') AS d,
        (SELECT count(*)::int FROM hold h WHERE h.library_id = m.library_id AND h.account_id = m.account_id AND h.status IN ('waiting', 'in_transit', 'ready')) AS h
      FROM membership m LEFT JOIN lending_member c ON c.library_id = m.library_id AND c.account_id = m.account_id
      WHERE m.library_id = ${lib.id} AND m.account_id = ANY(${memberIds}::uuid[])`.execute(tx);
    for (const m of members.rows) {
      assert.deepEqual([m.physicalLoans, m.digitalLoans, m.holds], [m.p, m.d, m.h], `${after}: counters out of step with the rows`);
      assert.ok(m.p <= 5 && m.d <= 5 && m.h <= 3, `${after}: a limit of the basic plan exceeded`);
    }
    const pool = await sql<{ inUse: number; offered: number; loansUsed: number; open: number; ready: number }>`
      SELECT in_use, offered, loans_used,
        (SELECT count(*)::int FROM loan l WHERE l.pool_id = p.id AND l.status = 'open') AS open,
        (SELECT count(*)::int FROM hold h WHERE h.pool_id = p.id AND h.status = 'ready') AS ready
      FROM license_pool p WHERE p.id = ${w.poolId}`.execute(tx);
    const p = pool.rows[0]!;
    assert.deepEqual([p.inUse, p.offered], [p.open, p.ready], `${after}: pool counters out of step`);
    assert.ok(p.inUse + p.offered <= 2 && p.loansUsed <= 4, `${after}: pool over its licence`);
  });
  // what members see: per title, the queue positions are 1..n
  const holds = (await Promise.all(w.members.map((m) => listHolds(ctx, lib.id, m.id)))).flat();
  for (const title of [...w.titles, w.digitalTitle]) {
    const positions = holds.filter((h) => h.titleId === title).map((h) => h.position).sort((a, b) => a - b);
    assert.deepEqual(positions, positions.map((_, i) => i + 1), `${after}: queue positions not contiguous`);
  }
}

test('random sequences of lending operations keep every invariant after every step', async () => {
  await fc.assert(fc.asyncProperty(fc.array(Op, { minLength: 10, maxLength: 40 }), async (steps) => {
    const w = await makeWorld();
    for (const [n, s] of steps.entries()) {
      try {
        await apply(w, s);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code?.startsWith('LENDING_')) throw error;
      }
      await checkInvariants(w, `step ${n} ${JSON.stringify(s)}`);
    }
  }), { numRuns: Number(process.env.MODEL_RUNS ?? 20), seed: process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined });
});
