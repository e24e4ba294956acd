// Pure lending rules: loan periods, late fees, blocks and licence choice. No database, no clock of
// their own (the caller passes `now`), so they are tested exhaustively in loan-rules.test.ts.
import type { BlockReason } from './lending.errors.ts';
import type { LicenseModel } from './lending.tables.ts';

const DAY = 86_400_000;

export interface LendingSettings {
  lateFeeCentsPerDay: number;
  maxLateFeeCents: number;
  blockThresholdCents: number;
  maxRenewals: number;
  holdPickupDays: number;
  portalSelfCheckout: boolean;
  historyRetentionDays: number;
}

/** What a library gets until its admin sets its own (the lending_settings defaults). */
export const DEFAULT_SETTINGS: LendingSettings = {
  lateFeeCentsPerDay: 25, maxLateFeeCents: 500, blockThresholdCents: 1000, maxRenewals: 2, holdPickupDays: 7,
  portalSelfCheckout: false, historyRetentionDays: 30,
};

export interface LoanRule { planId: string | null; format: string | null; loanPeriodDays: number; maxRenewals: number | null }

/** The most specific rule for a plan and format: plan+format, then format, then plan, then none. */
export function pickRule(rules: LoanRule[], planId: string, format: string): LoanRule | null {
  const score = (r: LoanRule) => (r.planId === null || r.planId === planId) && (r.format === null || r.format === format)
    ? (r.format ? 2 : 0) + (r.planId ? 1 : 0) : -1;
  let best: LoanRule | null = null;
  for (const r of rules) if (score(r) >= 0 && (!best || score(r) > score(best))) best = r;
  return best;
}

/**
 * A due date falls at the end of a day in the Netherlands (23:59 Amsterdam time), so a loan taken
 * at 9:00 and one at 20:00 are both due "on the 21st day" and a member never loses hours.
 */
export function dueDate(from: Date, days: number): Date {
  const d = new Date(from.getTime() + days * DAY);
  // Amsterdam is UTC+1 in winter and UTC+2 in summer; 21:59 UTC is 22:59 or 23:59 there. Using 21:59
  // UTC keeps the date right in both and never crosses midnight in Amsterdam.
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 21, 59, 0));
}

/** Whole days late (a loan returned on its due day is not late). */
export function daysLate(due: Date, returned: Date): number {
  if (returned <= due) return 0;
  return Math.ceil((returned.getTime() - due.getTime()) / DAY);
}

/** Youth plans (for members under 18) never pay late fees. */
export function isYouthPlan(plan: { maxAge: number | null }): boolean {
  return plan.maxAge !== null && plan.maxAge < 18;
}

export function lateFee(settings: Pick<LendingSettings, 'lateFeeCentsPerDay' | 'maxLateFeeCents'>, days: number, youth: boolean): number {
  if (youth || days <= 0) return 0;
  return Math.min(days * settings.lateFeeCentsPerDay, settings.maxLateFeeCents);
}

/** Why a member may not borrow or reserve now (empty: they may). */
export function blockReasons(input: { owedCents: number; validUntil: Date | string | null; now: Date }, settings: Pick<LendingSettings, 'blockThresholdCents'>): BlockReason[] {
  const reasons: BlockReason[] = [];
  if (input.owedCents > settings.blockThresholdCents) reasons.push('fees');
  if (input.validUntil !== null) {
    const until = typeof input.validUntil === 'string' ? new Date(`${input.validUntil}T23:59:59Z`) : input.validUntil;
    if (until.getTime() < input.now.getTime() - DAY) reasons.push('expired');
  }
  return reasons;
}

export interface PoolState {
  id: string;
  model: LicenseModel;
  concurrency: number | null;
  loansTotal: number | null;
  validUntil: Date | null;
  inUse: number;
  loansUsed: number;
  offered: number;
  priority: number;
  loanPeriodDays: number;
}

/** A pool can lend one more copy now (counting licences set aside for offers as taken). */
export function poolHasRoom(p: PoolState, now: Date): boolean {
  if (p.validUntil && p.validUntil.getTime() <= now.getTime()) return false;
  if (p.concurrency !== null && p.inUse + p.offered >= p.concurrency) return false;
  if (p.loansTotal !== null && p.loansUsed + p.offered >= p.loansTotal) return false;
  return true;
}

/**
 * The order in which a title's pools are used: the library's own preference (priority), then
 * licences that run out anyway (metered_time soonest ending, then metered_loans with fewest left),
 * so that perpetual licences are kept for later; simultaneous (open) pools last among equals.
 */
export function poolOrder(a: PoolState, b: PoolState): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const rank = (p: PoolState) => ({ metered_time: 0, metered_loans: 1, one_copy_one_user: 2, simultaneous: 3 })[p.model];
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.validUntil && b.validUntil) return a.validUntil.getTime() - b.validUntil.getTime();
  if (a.loansTotal !== null && b.loansTotal !== null) return (a.loansTotal - a.loansUsed) - (b.loansTotal - b.loansUsed);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The loan period of a pool, never past the end of a metered_time licence. */
export function digitalDue(p: PoolState, now: Date): Date {
  const due = dueDate(now, p.loanPeriodDays);
  return p.validUntil && p.validUntil < due ? p.validUntil : due;
}

/**
 * Estimated wait for a digital hold in days: each licence that can come back serves one holder per
 * loan period. Metered pools that are used up do not come back.
 */
export function estimatedWaitDays(position: number, pools: PoolState[], now: Date): number | null {
  const returning = pools.filter((p) => !(p.validUntil && p.validUntil <= now) && !(p.loansTotal !== null && p.loansUsed >= p.loansTotal));
  const copies = returning.reduce((n, p) => n + (p.concurrency ?? 0), 0);
  if (copies === 0) return null;
  const period = Math.max(...returning.map((p) => p.loanPeriodDays));
  return Math.ceil(position / copies) * period;
}
