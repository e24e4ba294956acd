// Physical circulation: check out, check in (with routing to a hold or home), renew, lost and
// damaged. Desk, kiosk (SIP2), portal self-service, the API and the jobs all call these functions.
// Check-out and check-in are each one call of a database function (migration 0095), the others
// each run in one tenant transaction; the database refuses what must never happen (two open loans on a
// copy, a member above a limit), so a refusal under concurrency is as clear as a checked one.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import {
  ItemAlreadyOnLoan, ItemUnknown, LoanNotFound, MemberBlocked,
  MemberNotFound, NoLendingPlan, RenewalLimitReached, RenewalNotDigital, RenewalRefusedHolds,
} from './lending.errors.ts';
import { notify, type NoticeLibrary } from './lending.notices.ts';
import { findBorrower, isNoticeFollows, loanRules, refusalOf, type Borrower } from './lending.repository.ts';
import type { Channel } from './lending.tables.ts';
import { blockReasons, dueDate, pickRule } from './loan-rules.ts';

export type Patron = { cardNumber: string } | { accountId: string };

export interface CheckOutInput {
  library: NoticeLibrary;
  patron: Patron;
  barcode: string;
  /** Where it happens (desk, kiosk); self-service in the portal gives none. */
  branchId?: string | null;
  /** The branch by its slug instead (the API's desk requests). */
  branchSlug?: string | null;
  /** Desk staff acting: refused (Forbidden) unless this account has a circulation role here. */
  deskActor?: string | null;
  channel: Channel;
  now?: Date;
}

export interface CheckOutResult {
  loanId: string;
  titleId: string;
  title: string;
  barcode: string;
  dueAt: Date;
  accountId: string;
  /** A hold of this member that the loan fulfilled. */
  fulfilledHoldId: string | null;
}

/** The borrower must be a lending member in good standing. */
export function assertMayBorrow(b: Borrower | null, now: Date): Borrower {
  if (!b) throw MemberNotFound();
  if (b.planKind !== 'lending') throw NoLendingPlan();
  const reasons = blockReasons({ owedCents: b.owedCents, validUntil: b.validUntil, now }, b.settings);
  if (reasons.length) throw MemberBlocked(reasons, b.owedCents);
  return b;
}

interface ItemRow { id: string; titleId: string; branchId: string; status: string; transitToBranchId: string | null; title: string; format: string; barcode: string }

async function lockItem(tx: Tx, libraryId: string, barcode: string): Promise<ItemRow> {
  const { rows } = await sql<ItemRow>`
    SELECT i.id, i.title_id AS "titleId", i.branch_id AS "branchId", i.status, i.transit_to_branch_id AS "transitToBranchId",
           t.title, t.format, i.barcode
    FROM item i JOIN title t ON t.id = i.title_id
    WHERE i.library_id = ${libraryId} AND i.barcode = ${barcode}
    FOR UPDATE OF i`.execute(tx);
  if (!rows[0]) throw ItemUnknown();
  return rows[0];
}

/**
 * Check-out in ONE statement: eenbieb_check_out (db/migrations/0095) sets the tenant, checks the
 * desk role and the branch, the borrower (membership, plan, blocks), locks the copy, picks the
 * loan rule and writes the loan, the copy and a fulfilled hold; the limit trigger and the unique
 * index of 0070 still refuse what must never happen. Autocommit: the statement is the transaction.
 */
export async function checkOut(ctx: Ctx, input: CheckOutInput): Promise<CheckOutResult> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  try {
    const { rows } = await sql<CheckOutResult>`
      SELECT loan_id, title_id, title, barcode, due_at, account_id, fulfilled_hold_id
      FROM eenbieb_check_out(${libraryId}, ${input.deskActor ?? null}, ${'cardNumber' in input.patron ? input.patron.cardNumber : null},
        ${'accountId' in input.patron ? input.patron.accountId : null}, ${input.barcode}, ${input.branchId ?? null}, ${input.branchSlug ?? null},
        ${input.channel}, ${now})`.execute(ctx.db);
    return rows[0]!;
  } catch (error) {
    throw refusalOf(error);
  }
}

export type Routing = 'shelf' | 'transit' | 'hold_shelf';

export interface CheckInResult {
  itemId: string;
  titleId: string;
  title: string;
  barcode: string;
  /** The loan this check-in ended (none when the copy was not on loan). */
  loanId: string | null;
  accountId: string | null;
  overdueDays: number;
  fineCents: number;
  routing: Routing;
  /** The branch the copy must go to (transit) or where it waits (hold shelf). */
  destinationBranchId: string;
  holdId: string | null;
}

export interface CheckInInput {
  library: NoticeLibrary;
  barcode: string;
  branchId?: string;
  /** The branch by its slug instead (the API's desk requests). */
  branchSlug?: string;
  /** Desk staff acting: refused (Forbidden) unless this account has a circulation role here. */
  deskActor?: string | null;
  channel: Channel;
  now?: Date;
}

interface CheckInRow {
  itemId: string; titleId: string; title: string; barcode: string; loanId: string | null; accountId: string | null;
  overdueDays: number; fineCents: number; routing: Routing; destinationBranchId: string; destinationSlug: string; holdId: string | null;
  noticeAccountId: string | null; noticeBranch: string | null; noticeUntil: Date | null;
}

/**
 * Check-in in ONE statement (eenbieb_check_in, db/migrations/0095): ends the open loan with its late
 * fee and routes the copy. Only when the copy makes a hold ready, a mail must be queued in the same
 * transaction (rendered here, in the member's language and the library's brand): the function then
 * refuses with LENDING_NOTICE_FOLLOWS, having written nothing, and the check-in runs again inside
 * a transaction that also queues the mail.
 */
export async function checkIn(ctx: Ctx, input: CheckInInput): Promise<CheckInResult & { destinationSlug: string }> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  const call = (noticeOk: boolean) => sql<CheckInRow>`
    SELECT * FROM eenbieb_check_in(${libraryId}, ${input.deskActor ?? null}, ${input.barcode}, ${input.branchId ?? null}, ${input.branchSlug ?? null}, ${now}, ${noticeOk})`;
  let row: CheckInRow;
  try {
    row = (await call(false).execute(ctx.db)).rows[0]!;
  } catch (error) {
    const refusal = refusalOf(error);
    if (!isNoticeFollows(refusal)) throw refusal;
    try {
      row = await inTenant(ctx.db, libraryId, async (tx) => {
        const r = (await call(true).execute(tx)).rows[0]!;
        await noticeReady(tx, input.library, r, r.title);
        return r;
      });
    } catch (again) {
      throw refusalOf(again);
    }
  }
  return {
    itemId: row.itemId, titleId: row.titleId, title: row.title, barcode: row.barcode, loanId: row.loanId, accountId: row.accountId,
    overdueDays: row.overdueDays, fineCents: row.fineCents, routing: row.routing, destinationBranchId: row.destinationBranchId,
    destinationSlug: row.destinationSlug, holdId: row.holdId,
  };
}

type RouteRow = { routing: Routing; destinationBranchId: string; holdId: string | null; noticeAccountId: string | null; noticeBranch: string | null; noticeUntil: Date | null };

async function noticeReady(tx: Tx, lib: NoticeLibrary, r: Pick<RouteRow, 'noticeAccountId' | 'noticeBranch' | 'noticeUntil'>, title: string): Promise<void> {
  if (r.noticeAccountId) await notify(tx, lib, r.noticeAccountId, 'hold_ready', { title, branch: r.noticeBranch!, until: r.noticeUntil! });
}

/**
 * Where a copy goes now that it is at `atBranchId` and free: to the hold it is already set aside
 * for, else to the first waiting hold of its title (first come, paused holds passed over), else
 * home (eenbieb_route_copy, the same function a check-in runs). The first hold in the queue is
 * locked, so two check-ins never trap the same hold. A hold made ready gets its mail here.
 */
export async function routeCopy(tx: Tx, lib: NoticeLibrary, item: Pick<ItemRow, 'id' | 'titleId' | 'branchId' | 'title'>, atBranchId: string, now: Date): Promise<{ routing: Routing; destinationBranchId: string; holdId: string | null }> {
  const { rows } = await sql<RouteRow>`SELECT * FROM eenbieb_route_copy(${lib.id}, ${item.id}, ${atBranchId}, ${now}, true)`.execute(tx);
  const r = rows[0]!;
  await noticeReady(tx, lib, r, item.title);
  return { routing: r.routing, destinationBranchId: r.destinationBranchId, holdId: r.holdId };
}

export interface RenewResult { loanId: string; dueAt: Date; renewals: number; title: string; barcode: string | null }

/**
 * Renews an open physical loan: refused when someone else waits for the title (a waiting hold that
 * is not paused), at the renewal limit, or when the member is blocked. The new due date counts from
 * today, never earlier than the current one.
 */
export async function renew(ctx: Ctx, input: { library: NoticeLibrary; loanId: string; accountId?: string; now?: Date }): Promise<RenewResult> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  return inTenant(ctx.db, libraryId, async (tx) => renewIn(tx, libraryId, input.loanId, input.accountId, now));
}

export async function renewIn(tx: Tx, libraryId: string, loanId: string, accountId: string | undefined, now: Date): Promise<RenewResult> {
  let q = tx.selectFrom('loan as l').innerJoin('title as t', 't.id', 'l.titleId').leftJoin('item as i', (j) => j.onRef('i.libraryId', '=', 'l.libraryId').onRef('i.id', '=', 'l.itemId'))
    .select(['l.id', 'l.accountId', 'l.kind', 'l.titleId', 'l.dueAt', 'l.renewals', 't.title', 't.format', 'i.barcode'])
    .where('l.libraryId', '=', libraryId).where('l.id', '=', loanId).where('l.status', '=', 'open');
  if (accountId) q = q.where('l.accountId', '=', accountId);
  const loan = await q.forUpdate('l').executeTakeFirst();
  if (!loan) throw LoanNotFound();
  if (loan.kind === 'digital') throw RenewalNotDigital();
  const b = assertMayBorrow(await findBorrower(tx, libraryId, { accountId: loan.accountId! }), now);
  const rule = pickRule(await loanRules(tx, libraryId), b.planId, loan.format);
  const max = rule?.maxRenewals ?? b.settings.maxRenewals;
  if (loan.renewals >= max) throw RenewalLimitReached(max);
  const waiting = await tx.selectFrom('hold').select('id').where('libraryId', '=', libraryId).where('titleId', '=', loan.titleId)
    .where('kind', '=', 'physical').where('status', '=', 'waiting').where('frozen', '=', false).limit(1).executeTakeFirst();
  if (waiting) throw RenewalRefusedHolds();
  const fresh = dueDate(now, rule?.loanPeriodDays ?? b.loanPeriodDays);
  const dueAt = fresh > loan.dueAt ? fresh : loan.dueAt;
  await tx.updateTable('loan').set({ dueAt, renewals: loan.renewals + 1, remindedAt: null, overdueNoticedAt: null })
    .where('libraryId', '=', libraryId).where('id', '=', loan.id).execute();
  return { loanId: loan.id, dueAt, renewals: loan.renewals + 1, title: loan.title, barcode: loan.barcode };
}

/** Renews every open physical loan of a member; each is refused or renewed on its own. */
export async function renewAll(ctx: Ctx, input: { library: NoticeLibrary; accountId: string; now?: Date }): Promise<{ renewed: RenewResult[]; refused: { loanId: string; title: string; barcode: string | null; code: string }[] }> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  const loans = await inTenant(ctx.db, libraryId, (tx) => tx.selectFrom('loan as l').innerJoin('title as t', 't.id', 'l.titleId')
    .leftJoin('item as i', (j) => j.onRef('i.libraryId', '=', 'l.libraryId').onRef('i.id', '=', 'l.itemId'))
    .select(['l.id', 't.title', 'i.barcode']).where('l.libraryId', '=', libraryId).where('l.accountId', '=', input.accountId)
    .where('l.status', '=', 'open').where('l.kind', '=', 'physical').orderBy('l.dueAt').execute());
  const renewed: RenewResult[] = [];
  const refused: { loanId: string; title: string; barcode: string | null; code: string }[] = [];
  for (const l of loans) {
    try {
      renewed.push(await renew(ctx, { library: input.library, loanId: l.id, accountId: input.accountId, now }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code?.startsWith('LENDING_')) throw error;
      refused.push({ loanId: l.id, title: l.title, barcode: l.barcode, code });
    }
  }
  return { renewed, refused };
}

/** Desk: a copy on loan is reported lost. The loan ends, the copy is missing and the member is charged. */
export async function markLost(ctx: Ctx, input: { library: NoticeLibrary; barcode: string; feeCents: number; now?: Date }): Promise<{ loanId: string; chargedCents: number }> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  return inTenant(ctx.db, libraryId, async (tx) => {
    const item = await lockItem(tx, libraryId, input.barcode);
    const loan = await tx.selectFrom('loan').select(['id', 'accountId']).where('libraryId', '=', libraryId).where('itemId', '=', item.id)
      .where('status', '=', 'open').where('kind', '=', 'physical').forUpdate().executeTakeFirst(); // (the partial index, as in checkIn)
    if (!loan) throw LoanNotFound();
    await tx.updateTable('loan').set({ status: 'lost', endedAt: now }).where('libraryId', '=', libraryId).where('id', '=', loan.id).execute();
    await tx.updateTable('item').set({ status: 'missing' }).where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
    if (input.feeCents > 0) {
      await tx.insertInto('charge').values({ libraryId, accountId: loan.accountId, kind: 'lost_item', amountCents: input.feeCents, description: `Kwijt: ${item.title}` }).execute();
    }
    return { loanId: loan.id, chargedCents: input.feeCents };
  });
}

/** Desk: a returned copy is damaged. It goes to processing (out of circulation); optionally a charge. */
export async function markDamaged(ctx: Ctx, input: { library: NoticeLibrary; barcode: string; feeCents: number; accountId?: string | null }): Promise<void> {
  const libraryId = input.library.id;
  await inTenant(ctx.db, libraryId, async (tx) => {
    const item = await lockItem(tx, libraryId, input.barcode);
    if (item.status === 'on_loan') throw ItemAlreadyOnLoan();
    // a copy set aside for a hold is released: the hold goes back to waiting at its place
    await tx.updateTable('hold').set({ status: 'waiting', itemId: null, readyAt: null, readyUntil: null })
      .where('libraryId', '=', libraryId).where('itemId', '=', item.id).where('status', 'in', ['in_transit', 'ready']).execute();
    await tx.updateTable('item').set({ status: 'in_processing', transitToBranchId: null }).where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
    if (input.feeCents > 0 && input.accountId) {
      await tx.insertInto('charge').values({ libraryId, accountId: input.accountId, kind: 'damage', amountCents: input.feeCents, description: `Beschadigd: ${item.title}` }).execute();
    }
  });
}
