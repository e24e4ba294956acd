// The circulation desk's lists and the staff view of a member's lending (audited), plus the
// retention job that unlinks returned loans from members who keep no reading history.
import { sql } from 'kysely';
import type { Ctx, StaffRole } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import { Forbidden, LoginRequired } from '../accounts/index.ts';
import { patronStatus, type PatronStatus } from './patron.service.ts';
import type { NoticeLibrary } from './lending.notices.ts';

export const DESK_ROLES: StaffRole[] = ['desk', 'librarian', 'library_admin'];

/** Staff of this library with a circulation role (the desk console, the staff API). */
export async function requireDesk(ctx: Ctx, tx: Tx, libraryId: string): Promise<string> {
  if (ctx.actor.kind === 'system') return ctx.actor.name;
  if (ctx.actor.kind !== 'account') throw LoginRequired();
  const rows = await tx.selectFrom('staffRole').select('role').where('libraryId', '=', libraryId).where('accountId', '=', ctx.actor.accountId).execute();
  if (!rows.some((r) => DESK_ROLES.includes(r.role))) throw Forbidden();
  return ctx.actor.accountId;
}

export async function assertDesk(ctx: Ctx, libraryId: string): Promise<void> {
  await inTenant(ctx.db, libraryId, (tx) => requireDesk(ctx, tx, libraryId));
}

/** A member by card at the desk: every look is written to the audit trail. */
export async function deskLookup(ctx: Ctx, libraryId: string, cardNumber: string): Promise<PatronStatus> {
  await assertDesk(ctx, libraryId);
  const status = await patronStatus(ctx, { libraryId, cardNumber });
  await inTenant(ctx.db, libraryId, (tx) => tx.insertInto('auditEvent').values({
    libraryId, actorAccountId: ctx.actor.kind === 'account' ? ctx.actor.accountId : null, action: 'lending.member_viewed',
    subjectAccountId: status.accountId, reasonCode: 'loan_issue', details: JSON.stringify({ channel: 'desk' }),
  }).execute());
  return status;
}

export interface ShelfEntry { holdId: string; title: string; barcode: string; branchId: string; branch: string; readyUntil: Date; cardNumber: string | null; expired: boolean }

/** Copies waiting on the hold shelf (per branch), oldest deadline first; expired ones flagged. */
export async function holdShelf(ctx: Ctx, libraryId: string, branchId?: string, now = new Date()): Promise<ShelfEntry[]> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireDesk(ctx, tx, libraryId);
    const { rows } = await sql<Omit<ShelfEntry, 'expired'>>`
      SELECT h.id AS "holdId", t.title, i.barcode, h.pickup_branch_id AS "branchId", b.name AS branch, h.ready_until AS "readyUntil", m.card_number AS "cardNumber"
      FROM hold h JOIN title t ON t.id = h.title_id
      JOIN item i ON i.library_id = h.library_id AND i.id = h.item_id
      JOIN branch b ON b.library_id = h.library_id AND b.id = h.pickup_branch_id
      LEFT JOIN membership m ON m.library_id = h.library_id AND m.account_id = h.account_id AND m.status = 'active'
      WHERE h.library_id = ${libraryId} AND h.status = 'ready' AND h.kind = 'physical'
        ${branchId ? sql`AND h.pickup_branch_id = ${branchId}` : sql``}
      ORDER BY h.ready_until LIMIT 500`.execute(tx);
    return rows.map((r) => ({ ...r, expired: r.readyUntil <= now }));
  });
}

export interface TransitEntry { barcode: string; title: string; fromBranch: string; toBranchId: string; toBranch: string; forHold: boolean }

/** Copies in transit to a branch (or all), with whether a hold waits for them. */
export async function inTransit(ctx: Ctx, libraryId: string, toBranchId?: string): Promise<TransitEntry[]> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireDesk(ctx, tx, libraryId);
    const { rows } = await sql<TransitEntry>`
      SELECT i.barcode, t.title, hb.name AS "fromBranch", i.transit_to_branch_id AS "toBranchId", tb.name AS "toBranch",
             EXISTS (SELECT 1 FROM hold h WHERE h.library_id = i.library_id AND h.item_id = i.id AND h.status = 'in_transit') AS "forHold"
      FROM item i JOIN title t ON t.id = i.title_id
      JOIN branch hb ON hb.library_id = i.library_id AND hb.id = i.branch_id
      JOIN branch tb ON tb.library_id = i.library_id AND tb.id = i.transit_to_branch_id
      WHERE i.library_id = ${libraryId} AND i.status = 'in_transit' ${toBranchId ? sql`AND i.transit_to_branch_id = ${toBranchId}` : sql``}
      ORDER BY tb.name, t.sort_title LIMIT 500`.execute(tx);
    return rows;
  });
}

export interface PullEntry { barcode: string; title: string; branchId: string; branch: string; shelf: string; waiting: number }

/** Copies on the shelf of titles people wait for: fetch them and check them in to trap the hold. */
export async function pullList(ctx: Ctx, libraryId: string, branchId?: string): Promise<PullEntry[]> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    await requireDesk(ctx, tx, libraryId);
    const { rows } = await sql<PullEntry>`
      SELECT DISTINCT ON (i.title_id) i.barcode, t.title, i.branch_id AS "branchId", b.name AS branch, i.shelf,
             (SELECT count(*)::int FROM hold h WHERE h.library_id = i.library_id AND h.title_id = i.title_id AND h.kind = 'physical' AND h.status = 'waiting' AND NOT h.frozen) AS waiting
      FROM item i JOIN title t ON t.id = i.title_id JOIN branch b ON b.library_id = i.library_id AND b.id = i.branch_id
      WHERE i.library_id = ${libraryId} AND i.status = 'available' ${branchId ? sql`AND i.branch_id = ${branchId}` : sql``}
        AND EXISTS (SELECT 1 FROM hold h WHERE h.library_id = i.library_id AND h.title_id = i.title_id AND h.kind = 'physical' AND h.status = 'waiting' AND NOT h.frozen)
      ORDER BY i.title_id, i.barcode LIMIT 500`.execute(tx);
    return rows;
  });
}

/**
 * Job (privacy): a returned loan loses its link to the member after the library's retention
 * period, unless the member keeps a reading history (consent 'reading_history'). The loan row stays
 * for statistics (title, dates, branch), without a person.
 */
export async function anonymiseLoanHistory(ctx: Ctx, libraries: NoticeLibrary[], now = new Date()): Promise<number> {
  let n = 0;
  for (const lib of libraries) {
    n += await inTenant(ctx.db, lib.id, async (tx) => {
      const { rows } = await sql<{ n: number }>`
        WITH settings AS (SELECT coalesce((SELECT history_retention_days FROM lending_settings WHERE library_id = ${lib.id}), 30) AS days),
        done AS (
          UPDATE loan l SET account_id = NULL, anonymised_at = ${now}
          WHERE l.library_id = ${lib.id} AND l.status <> 'open' AND l.account_id IS NOT NULL
            AND l.ended_at < ${now}::timestamptz - make_interval(days => (SELECT days FROM settings))
            AND NOT EXISTS (SELECT 1 FROM consent c WHERE c.library_id = l.library_id AND c.account_id = l.account_id
                            AND c.purpose = 'reading_history' AND c.granted)
          RETURNING 1)
        SELECT count(*)::int AS n FROM done`.execute(tx);
      return rows[0]!.n;
    });
  }
  return n;
}
