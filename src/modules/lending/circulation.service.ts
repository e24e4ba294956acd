// Physical circulation: check out, check in (with routing to a hold or home), renew, lost and
// damaged. Desk, kiosk (SIP2), portal self-service, the API and the jobs all call these functions.
// Each runs in one tenant transaction; the database refuses what must never happen (two open loans
// on a copy, a member above a limit), so a refusal under concurrency is as clear as a checked one.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import {
  BranchUnknown, ItemAlreadyOnLoan, ItemHeldForOther, ItemNotLoanable, ItemUnknown, LoanNotFound, MemberBlocked,
  MemberNotFound, NoLendingPlan, RenewalLimitReached, RenewalNotDigital, RenewalRefusedHolds,
} from './lending.errors.ts';
import { notify, type NoticeLibrary } from './lending.notices.ts';
import { findBorrower, loanRules, mapRefusal, settingsOf, type Borrower } from './lending.repository.ts';
import type { Channel } from './lending.tables.ts';
import { blockReasons, daysLate, dueDate, isYouthPlan, lateFee, pickRule } from './loan-rules.ts';

export type Patron = { cardNumber: string } | { accountId: string };

export interface CheckOutInput {
  library: NoticeLibrary;
  patron: Patron;
  barcode: string;
  /** Where it happens (desk, kiosk); self-service in the portal gives none. */
  branchId?: string | null;
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

async function assertBranch(tx: Tx, libraryId: string, branchId: string | null | undefined): Promise<void> {
  if (!branchId) return;
  const b = await tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('id', '=', branchId).executeTakeFirst();
  if (!b) throw BranchUnknown();
}

export async function checkOut(ctx: Ctx, input: CheckOutInput): Promise<CheckOutResult> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  let borrower: Borrower | null = null;
  try {
    return await inTenant(ctx.db, libraryId, async (tx) => {
      borrower = assertMayBorrow(await findBorrower(tx, libraryId, input.patron), now);
      const b = borrower;
      await assertBranch(tx, libraryId, input.branchId);
      const item = await lockItem(tx, libraryId, input.barcode);
      let fulfilledHoldId: string | null = null;
      if (item.status === 'on_loan') throw ItemAlreadyOnLoan();
      if (item.status === 'on_hold_shelf' || item.status === 'in_transit') {
        // a copy set aside for a hold goes only to that member
        const hold = await tx.selectFrom('hold').select(['id', 'accountId']).where('libraryId', '=', libraryId)
          .where('itemId', '=', item.id).where('status', 'in', ['in_transit', 'ready']).forUpdate().executeTakeFirst();
        if (hold && hold.accountId !== b.accountId) throw ItemHeldForOther();
        if (hold) fulfilledHoldId = hold.id;
      } else if (item.status !== 'available') {
        throw ItemNotLoanable(item.status);
      }
      const rule = pickRule(await loanRules(tx, libraryId), b.planId, item.format);
      const due = dueDate(now, rule?.loanPeriodDays ?? b.loanPeriodDays);
      // the loan first: the trigger checks the member's limit and the unique index the copy
      const loan = await tx.insertInto('loan').values({
        libraryId, accountId: b.accountId, kind: 'physical', titleId: item.titleId, itemId: item.id,
        branchId: input.branchId ?? item.branchId, channel: input.channel, checkedOutAt: now, dueAt: due,
      }).returning('id').executeTakeFirstOrThrow();
      await tx.updateTable('item').set({ status: 'on_loan', transitToBranchId: null })
        .where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
      // taking the title fulfils this member's own hold on it (the copy set aside, or a waiting one)
      const own = fulfilledHoldId
        ? { id: fulfilledHoldId }
        : await tx.selectFrom('hold').select('id').where('libraryId', '=', libraryId).where('accountId', '=', b.accountId)
          .where('titleId', '=', item.titleId).where('kind', '=', 'physical').where('status', '=', 'waiting').forUpdate().executeTakeFirst();
      if (own) {
        await tx.updateTable('hold').set({ status: 'fulfilled', endedAt: now, readyUntil: null, frozen: false })
          .where('libraryId', '=', libraryId).where('id', '=', own.id).execute();
        fulfilledHoldId = own.id;
      }
      return { loanId: loan.id, titleId: item.titleId, title: item.title, barcode: item.barcode, dueAt: due, accountId: b.accountId, fulfilledHoldId };
    });
  } catch (error) {
    const b = borrower as Borrower | null;
    throw mapRefusal(error, b ? { maxPhysical: b.maxPhysical, maxDigital: b.maxDigital, maxHolds: b.maxHolds } : undefined);
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
  branchId: string;
  channel: Channel;
  now?: Date;
}

export async function checkIn(ctx: Ctx, input: CheckInInput): Promise<CheckInResult> {
  const now = input.now ?? new Date();
  const libraryId = input.library.id;
  return inTenant(ctx.db, libraryId, async (tx) => {
    await assertBranch(tx, libraryId, input.branchId);
    const item = await lockItem(tx, libraryId, input.barcode);
    if (item.status === 'withdrawn') throw ItemNotLoanable(item.status);
    // (kind = 'physical' is implied by the copy, but saying it lets PostgreSQL use the partial index
    // loan_one_open_per_item; without it a check-in scanned the whole loan table)
    const loan = await tx.selectFrom('loan').select(['id', 'accountId', 'dueAt']).where('libraryId', '=', libraryId)
      .where('itemId', '=', item.id).where('status', '=', 'open').where('kind', '=', 'physical').forUpdate().executeTakeFirst();
    let overdue = 0;
    let fine = 0;
    if (loan) {
      const settings = await settingsOf(tx, libraryId);
      overdue = daysLate(loan.dueAt, now);
      if (overdue > 0) {
        const plan = await sql<{ maxAge: number | null }>`
          SELECT p.max_age AS "maxAge" FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
          WHERE m.library_id = ${libraryId} AND m.account_id = ${loan.accountId} ORDER BY (m.status = 'active') DESC LIMIT 1`.execute(tx);
        fine = lateFee(settings, overdue, isYouthPlan(plan.rows[0] ?? { maxAge: null }));
      }
      await tx.updateTable('loan').set({ status: 'returned', endedAt: now, returnBranchId: input.branchId, fineCents: fine })
        .where('libraryId', '=', libraryId).where('id', '=', loan.id).execute();
      if (fine > 0) {
        await tx.insertInto('charge').values({
          libraryId, accountId: loan.accountId, kind: 'late_fee', amountCents: fine,
          description: `Te laat: ${item.title} (${overdue} ${overdue === 1 ? 'dag' : 'dagen'})`,
        }).execute();
      }
    }
    const route = await routeCopy(tx, input.library, item, input.branchId, now);
    return {
      itemId: item.id, titleId: item.titleId, title: item.title, barcode: item.barcode, loanId: loan?.id ?? null,
      accountId: loan?.accountId ?? null, overdueDays: overdue, fineCents: fine, ...route,
    };
  });
}

/**
 * Where a copy goes now that it is at `atBranchId` and free: to the hold it is already set aside
 * for, else to the first waiting hold of its title (first come, paused holds passed over), else
 * home. The first hold in the queue is locked, so two check-ins never trap the same hold.
 */
export async function routeCopy(tx: Tx, lib: NoticeLibrary, item: Pick<ItemRow, 'id' | 'titleId' | 'branchId' | 'title'>, atBranchId: string, now: Date): Promise<{ routing: Routing; destinationBranchId: string; holdId: string | null }> {
  const libraryId = lib.id;
  let hold = await tx.selectFrom('hold').select(['id', 'accountId', 'pickupBranchId', 'status']).where('libraryId', '=', libraryId)
    .where('itemId', '=', item.id).where('status', 'in', ['in_transit', 'ready']).forUpdate().executeTakeFirst();
  if (!hold) {
    hold = await tx.selectFrom('hold').select(['id', 'accountId', 'pickupBranchId', 'status']).where('libraryId', '=', libraryId)
      .where('titleId', '=', item.titleId).where('kind', '=', 'physical').where('status', '=', 'waiting').where('frozen', '=', false)
      .orderBy('queueSeq').limit(1).forUpdate().executeTakeFirst();
  }
  if (hold) {
    const pickup = hold.pickupBranchId!;
    if (pickup === atBranchId) {
      if (hold.status !== 'ready') {
        const settings = await settingsOf(tx, libraryId);
        const until = dueDate(now, settings.holdPickupDays);
        await tx.updateTable('hold').set({ status: 'ready', itemId: item.id, readyAt: now, readyUntil: until })
          .where('libraryId', '=', libraryId).where('id', '=', hold.id).execute();
        const branch = await tx.selectFrom('branch').select('name').where('libraryId', '=', libraryId).where('id', '=', pickup).executeTakeFirstOrThrow();
        await notify(tx, lib, hold.accountId, 'hold_ready', { title: item.title, branch: branch.name, until });
      }
      await tx.updateTable('item').set({ status: 'on_hold_shelf', transitToBranchId: null }).where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
      return { routing: 'hold_shelf', destinationBranchId: pickup, holdId: hold.id };
    }
    // a waiting hold gets the copy on its way; a copy taken off the hold shelf and scanned at
    // another branch is on its way again, so its hold is no longer ready
    if (hold.status !== 'in_transit') {
      await tx.updateTable('hold').set({ status: 'in_transit', itemId: item.id, readyAt: null, readyUntil: null }).where('libraryId', '=', libraryId).where('id', '=', hold.id).execute();
    }
    await tx.updateTable('item').set({ status: 'in_transit', transitToBranchId: pickup }).where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
    return { routing: 'transit', destinationBranchId: pickup, holdId: hold.id };
  }
  if (item.branchId === atBranchId) {
    await tx.updateTable('item').set({ status: 'available', transitToBranchId: null }).where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
    return { routing: 'shelf', destinationBranchId: atBranchId, holdId: null };
  }
  await tx.updateTable('item').set({ status: 'in_transit', transitToBranchId: item.branchId }).where('libraryId', '=', libraryId).where('id', '=', item.id).execute();
  return { routing: 'transit', destinationBranchId: item.branchId, holdId: null };
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
