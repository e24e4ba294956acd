// Title-level holds on physical copies: first come, first served per library and title, with a
// chosen pickup branch. Members may pause (freeze) a hold without losing their place, or cancel.
// Queue order comes from a counter row locked while incremented (hold_queue); positions are ranks
// over the active holds, so they are always 1..n without renumbering.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import { assertMayBorrow, routeCopy } from './circulation.service.ts';
import {
  BranchUnknown, HoldNotFound, HoldNotFreezable, NotSuppliable, TitleNotFound,
} from './lending.errors.ts';
import { notify, type NoticeLibrary } from './lending.notices.ts';
import { findBorrower, mapRefusal, type Borrower } from './lending.repository.ts';
import { releaseOffer } from './digital.service.ts';

export interface PlacedHold { holdId: string; position: number; kind: 'physical' | 'digital' }

/** Next place in a title's physical queue at a library (the upsert locks the counter row). */
async function nextSeq(tx: Tx, libraryId: string, titleId: string): Promise<number> {
  const { rows } = await sql<{ lastSeq: string }>`
    INSERT INTO hold_queue AS q (library_id, title_id, last_seq) VALUES (${libraryId}, ${titleId}, 1)
    ON CONFLICT (library_id, title_id) DO UPDATE SET last_seq = q.last_seq + 1
    RETURNING q.last_seq`.execute(tx);
  return Number(rows[0]!.lastSeq);
}

export async function physicalPosition(tx: Tx, libraryId: string, titleId: string, seq: number | string): Promise<number> {
  const r = await tx.selectFrom('hold').select((eb) => eb.fn.countAll<string>().as('n')).where('libraryId', '=', libraryId)
    .where('titleId', '=', titleId).where('kind', '=', 'physical').where('status', 'in', ['waiting', 'in_transit', 'ready'])
    .where('queueSeq', '<', String(seq)).executeTakeFirstOrThrow();
  return Number(r.n) + 1;
}

export async function placeHold(ctx: Ctx, input: { library: NoticeLibrary; patron: { accountId: string } | { cardNumber: string }; titleId: string; pickupBranchId: string; now?: Date }): Promise<PlacedHold> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  let b: Borrower | null = null;
  try {
    return await inTenant(ctx.db, libraryId, async (tx) => {
      b = assertMayBorrow(await findBorrower(tx, libraryId, input.patron), now);
      const branch = await tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('id', '=', input.pickupBranchId).executeTakeFirst();
      if (!branch) throw BranchUnknown();
      const title = await tx.selectFrom('title').select(['id', 'ownerLibraryId']).where('id', '=', input.titleId).executeTakeFirst();
      if (!title || (title.ownerLibraryId && title.ownerLibraryId !== libraryId)) throw TitleNotFound();
      // only titles of which the library has a copy that can circulate
      const copy = await tx.selectFrom('item').select('id').where('libraryId', '=', libraryId).where('titleId', '=', input.titleId)
        .where('status', 'not in', ['withdrawn', 'missing']).limit(1).executeTakeFirst();
      if (!copy) throw NotSuppliable();
      const seq = await nextSeq(tx, libraryId, input.titleId);
      const hold = await tx.insertInto('hold').values({
        libraryId, accountId: b.accountId, kind: 'physical', titleId: input.titleId, pickupBranchId: input.pickupBranchId, queueSeq: seq, createdAt: now,
      }).returning('id').executeTakeFirstOrThrow();
      return { holdId: hold.id, position: await physicalPosition(tx, libraryId, input.titleId, seq), kind: 'physical' as const };
    });
  } catch (error) {
    const x = b as Borrower | null;
    throw mapRefusal(error, x ? { maxPhysical: x.maxPhysical, maxDigital: x.maxDigital, maxHolds: x.maxHolds } : undefined);
  }
}

async function lockOwnHold(tx: Tx, libraryId: string, holdId: string, accountId: string | null) {
  let q = tx.selectFrom('hold').selectAll().where('libraryId', '=', libraryId).where('id', '=', holdId)
    .where('status', 'in', ['waiting', 'in_transit', 'ready']);
  if (accountId) q = q.where('accountId', '=', accountId);
  const hold = await q.forUpdate().executeTakeFirst();
  if (!hold) throw HoldNotFound();
  return hold;
}

/**
 * Cancels a hold (by its member, or by staff when accountId is null). A copy already set aside
 * goes on to the next in line, or home; a digital offer goes to the next holder.
 */
export async function cancelHold(ctx: Ctx, input: { library: NoticeLibrary; holdId: string; accountId: string | null; now?: Date; branchIdOfCopy?: string }): Promise<void> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  await inTenant(ctx.db, libraryId, async (tx) => {
    const hold = await lockOwnHold(tx, libraryId, input.holdId, input.accountId);
    await endHold(ctx, tx, input.library, hold, 'cancelled', now);
  });
}

/** Ends an active hold (cancelled or expired) and passes on what it held. */
export async function endHold(ctx: Ctx, tx: Tx, lib: NoticeLibrary, hold: { id: string; kind: string; status: string; itemId: string | null; poolId: string | null; titleId: string }, status: 'cancelled' | 'expired', now: Date): Promise<void> {
  await tx.updateTable('hold').set({ status, endedAt: now, frozen: false, readyUntil: null, itemId: null, poolId: null })
    .where('libraryId', '=', lib.id).where('id', '=', hold.id).execute();
  if (hold.kind === 'physical' && hold.itemId) {
    const item = await tx.selectFrom('item as i').innerJoin('title as t', 't.id', 'i.titleId')
      .select(['i.id', 'i.titleId', 'i.branchId', 'i.status', 'i.transitToBranchId', 't.title'])
      .where('i.libraryId', '=', lib.id).where('i.id', '=', hold.itemId).forUpdate('i').executeTakeFirstOrThrow();
    // a copy on the hold shelf is at the pickup branch; one in transit is treated as arriving there
    // (staff re-route it when they scan it at the branch it actually reaches)
    const at = item.transitToBranchId ?? (await tx.selectFrom('hold').select('pickupBranchId').where('libraryId', '=', lib.id).where('id', '=', hold.id).executeTakeFirstOrThrow()).pickupBranchId!;
    await routeCopy(tx, lib, item, at, now);
  }
  if (hold.kind === 'digital' && hold.status === 'ready' && hold.poolId) {
    await releaseOffer(ctx, tx, lib, hold.titleId, now);
  }
}

/** Pauses or resumes a waiting hold; it keeps its place in the queue either way. */
export async function setFrozen(ctx: Ctx, input: { library: NoticeLibrary; holdId: string; accountId: string | null; frozen: boolean }): Promise<void> {
  const libraryId = input.library.id;
  await inTenant(ctx.db, libraryId, async (tx) => {
    const hold = await lockOwnHold(tx, libraryId, input.holdId, input.accountId);
    if (hold.status !== 'waiting') throw HoldNotFreezable();
    await tx.updateTable('hold').set({ frozen: input.frozen }).where('libraryId', '=', libraryId).where('id', '=', hold.id).execute();
  });
}

/**
 * Job: holds ready for pickup past their date expire; the copy goes to the next in line (or home),
 * a digital offer to the next holder. Each hold in its own short transaction.
 */
export async function expireReadyHolds(ctx: Ctx, libraries: NoticeLibrary[], now = new Date()): Promise<number> {
  let n = 0;
  for (const lib of libraries) {
    const due = await inTenant(ctx.db, lib.id, (tx) => tx.selectFrom('hold').select('id').where('libraryId', '=', lib.id)
      .where('kind', '=', 'physical').where('status', '=', 'ready').where('readyUntil', '<=', now).limit(1000).execute());
    for (const { id } of due) {
      await inTenant(ctx.db, lib.id, async (tx) => {
        const hold = await tx.selectFrom('hold as h').innerJoin('title as t', 't.id', 'h.titleId').selectAll('h').select('t.title')
          .where('h.libraryId', '=', lib.id).where('h.id', '=', id).where('h.status', '=', 'ready').where('h.readyUntil', '<=', now)
          .forUpdate('h').executeTakeFirst();
        if (!hold) return; // taken or cancelled meanwhile
        await endHold(ctx, tx, lib, hold, 'expired', now);
        await notify(tx, lib, hold.accountId, 'hold_expired', { title: hold.title });
        n++;
      });
    }
  }
  return n;
}

export interface HoldView {
  id: string;
  kind: 'physical' | 'digital';
  titleId: string;
  title: string;
  status: string;
  frozen: boolean;
  position: number;
  pickupBranchId: string | null;
  pickupBranch: string | null;
  readyUntil: Date | null;
  createdAt: Date;
  autoCheckout: boolean;
}

/** A member's active holds (physical and digital) with their place in the queue. */
export async function listHoldsIn(tx: Tx, libraryId: string, accountId: string): Promise<HoldView[]> {
  const { rows } = await sql<HoldView & { queueSeq: string }>`
    SELECT h.id, h.kind, h.title_id AS "titleId", t.title, h.status, h.frozen, h.pickup_branch_id AS "pickupBranchId", b.name AS "pickupBranch",
           h.ready_until AS "readyUntil", h.created_at AS "createdAt", h.auto_checkout AS "autoCheckout", h.queue_seq AS "queueSeq",
           CASE WHEN h.kind = 'physical' THEN
             (SELECT count(*) FROM hold o WHERE o.library_id = h.library_id AND o.title_id = h.title_id AND o.kind = 'physical'
                AND o.status IN ('waiting', 'in_transit', 'ready') AND o.queue_seq < h.queue_seq)::int + 1
           ELSE eenbieb_digital_queue_ahead(h.title_id, h.queue_seq) + 1 END AS position
    FROM hold h JOIN title t ON t.id = h.title_id
    LEFT JOIN branch b ON b.library_id = h.library_id AND b.id = h.pickup_branch_id
    WHERE h.library_id = ${libraryId} AND h.account_id = ${accountId} AND h.status IN ('waiting', 'in_transit', 'ready')
    ORDER BY h.created_at`.execute(tx);
  return rows.map(({ queueSeq: _q, ...h }) => h);
}

export async function listHolds(ctx: Ctx, libraryId: string, accountId: string): Promise<HoldView[]> {
  return inTenant(ctx.db, libraryId, (tx) => listHoldsIn(tx, libraryId, accountId));
}
