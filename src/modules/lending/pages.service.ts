// Read-only queries the lending pages need beyond the use cases: what a title page can offer
// (licences free, people waiting, estimated wait), the library's branches for a pickup choice, and
// for the desk the copy and card behind a check-in result. Nothing here changes a row.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { requireDesk } from './desk.service.ts';
import { estimatedWaitDays, poolHasRoom, type PoolState } from './loan-rules.ts';

export interface BranchOption { id: string; slug: string; name: string }

export async function libraryBranches(ctx: Ctx, libraryId: string): Promise<BranchOption[]> {
  return inTenant(ctx.db, libraryId, (tx) => tx.selectFrom('branch').select(['id', 'slug', 'name']).where('libraryId', '=', libraryId).orderBy('name').execute());
}

export interface DigitalOffer {
  titleId: string;
  /** A licence is free now and nobody waits: borrowing gives a loan at once. */
  free: boolean;
  /** People in the network-wide queue (paused holds not counted). */
  waiting: number;
  /** Estimated wait for someone joining the queue now (null: no returning licences). */
  estimatedWaitDays: number | null;
  /** Estimated wait at a place in the queue. */
  waitFor(position: number): number | null;
}

/** The digital titles among `titleIds` that this library can lend (a licence pool it may use). */
export async function digitalOffers(ctx: Ctx, libraryId: string, titleIds: string[], now = new Date()): Promise<Map<string, DigitalOffer>> {
  const out = new Map<string, DigitalOffer>();
  if (!titleIds.length) return out;
  return inTenant(ctx.db, libraryId, async (tx) => {
    const { rows } = await sql<PoolState & { titleId: string }>`
      SELECT id, title_id AS "titleId", model, concurrency, loans_total AS "loansTotal", valid_until AS "validUntil",
             in_use AS "inUse", loans_used AS "loansUsed", offered, priority, loan_period_days AS "loanPeriodDays"
      FROM license_pool WHERE title_id IN (${sql.join(titleIds)}) AND (owner_library_id IS NULL OR owner_library_id = ${libraryId})`.execute(tx);
    for (const titleId of new Set(rows.map((r) => r.titleId))) {
      const pools = rows.filter((r) => r.titleId === titleId);
      const q = await sql<{ n: number }>`SELECT eenbieb_digital_queue_length(${titleId}) AS n`.execute(tx);
      const waiting = Number(q.rows[0]?.n ?? 0);
      out.set(titleId, {
        titleId, waiting,
        free: waiting === 0 && pools.some((p) => poolHasRoom(p, now)),
        estimatedWaitDays: estimatedWaitDays(waiting + 1, pools, now),
        waitFor: (position) => estimatedWaitDays(position, pools, now),
      });
    }
    return out;
  });
}

/** Desk: the title of a copy (for the check-in result shown after the redirect). */
export async function copyTitle(ctx: Ctx, libraryId: string, barcode: string): Promise<{ title: string; barcode: string } | null> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireDesk(ctx, tx, libraryId);
    return (await tx.selectFrom('item as i').innerJoin('title as t', 't.id', 'i.titleId').select(['t.title', 'i.barcode'])
      .where('i.libraryId', '=', libraryId).where('i.barcode', '=', barcode).executeTakeFirst()) ?? null;
  });
}

/** Desk: whose hold a copy was set aside for (card number, as on the hold shelf list). */
export async function holdCard(ctx: Ctx, libraryId: string, holdId: string): Promise<string | null> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireDesk(ctx, tx, libraryId);
    const r = await tx.selectFrom('hold as h').innerJoin('membership as m', (j) => j.onRef('m.libraryId', '=', 'h.libraryId').onRef('m.accountId', '=', 'h.accountId'))
      .select('m.cardNumber').where('h.libraryId', '=', libraryId).where('h.id', '=', holdId).where('m.status', '=', 'active').executeTakeFirst();
    return r?.cardNumber ?? null;
  });
}
