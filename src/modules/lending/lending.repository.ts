// SQL of lending shared by the use cases: who borrows (membership, plan, settings and what they owe
// in one round trip), the loan rules, and mapping the database's refusals to coded errors.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';
import { Forbidden } from '../accounts/index.ts';
import {
  AlreadyBorrowed, AlreadyHeld, BranchUnknown, DigitalLimitReached, HoldLimitReached, ItemAlreadyOnLoan, ItemHeldForOther, ItemNotLoanable,
  ItemUnknown, LoanLimitReached, MemberBlocked, MemberNotFound, NoLendingPlan, NotDigital, TitleNotFound, type BlockReason,
} from './lending.errors.ts';
import { DEFAULT_SETTINGS, type LendingSettings, type LoanRule } from './loan-rules.ts';

export interface Borrower {
  accountId: string;
  membershipId: string;
  cardNumber: string;
  planId: string;
  planKind: 'lending' | 'connected';
  maxPhysical: number;
  maxDigital: number;
  maxHolds: number;
  loanPeriodDays: number;
  maxAge: number | null;
  validUntil: string | null;
  owedCents: number;
  email: string;
  lang: 'nl' | 'en';
  settings: LendingSettings;
}

type Who = { cardNumber: string } | { accountId: string };

/** The active membership at this library of a card or an account, with what the rules need. */
export async function findBorrower(tx: Tx, libraryId: string, who: Who): Promise<Borrower | null> {
  const where = 'cardNumber' in who ? sql`m.card_number = ${who.cardNumber}` : sql`m.account_id = ${who.accountId}`;
  const { rows } = await sql<Record<string, unknown>>`
    SELECT m.account_id, m.id AS membership_id, m.card_number, m.valid_until::text AS valid_until,
           p.id AS plan_id, p.kind AS plan_kind, p.max_physical_loans, p.max_digital_loans, p.max_holds,
           p.loan_period_days, p.max_age, a.email, a.preferred_language,
           (SELECT coalesce(sum(c.amount_cents), 0)::int FROM charge c
             WHERE c.library_id = m.library_id AND c.account_id = m.account_id AND c.paid_at IS NULL) AS owed,
           s.late_fee_cents_per_day, s.max_late_fee_cents, s.block_threshold_cents, s.max_renewals,
           s.hold_pickup_days, s.portal_self_checkout, s.history_retention_days
    FROM membership m
    JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
    JOIN account a ON a.id = m.account_id
    LEFT JOIN lending_settings s ON s.library_id = m.library_id
    WHERE m.library_id = ${libraryId} AND m.status = 'active' AND ${where}`.execute(tx);
  const r = rows[0];
  if (!r) return null;
  return {
    accountId: r.accountId as string, membershipId: r.membershipId as string, cardNumber: r.cardNumber as string,
    planId: r.planId as string, planKind: r.planKind as Borrower['planKind'],
    maxPhysical: r.maxPhysicalLoans as number, maxDigital: r.maxDigitalLoans as number, maxHolds: r.maxHolds as number,
    loanPeriodDays: r.loanPeriodDays as number, maxAge: r.maxAge as number | null, validUntil: r.validUntil as string | null,
    owedCents: r.owed as number, email: r.email as string, lang: r.preferredLanguage as 'nl' | 'en',
    settings: r.lateFeeCentsPerDay === null ? DEFAULT_SETTINGS : {
      lateFeeCentsPerDay: r.lateFeeCentsPerDay as number, maxLateFeeCents: r.maxLateFeeCents as number,
      blockThresholdCents: r.blockThresholdCents as number, maxRenewals: r.maxRenewals as number,
      holdPickupDays: r.holdPickupDays as number, portalSelfCheckout: r.portalSelfCheckout as boolean,
      historyRetentionDays: r.historyRetentionDays as number,
    },
  };
}

export async function settingsOf(tx: Tx, libraryId: string): Promise<LendingSettings> {
  const s = await tx.selectFrom('lendingSettings').selectAll().where('libraryId', '=', libraryId).executeTakeFirst();
  if (!s) return DEFAULT_SETTINGS;
  const { libraryId: _l, ...rest } = s;
  return rest;
}

export async function loanRules(tx: Tx, libraryId: string): Promise<LoanRule[]> {
  return tx.selectFrom('loanRule').select(['planId', 'format', 'loanPeriodDays', 'maxRenewals']).where('libraryId', '=', libraryId).execute();
}

/** Turns the database's refusals (constraints, the limit triggers) into the coded errors. */
export function mapRefusal(error: unknown, limits?: { maxPhysical: number; maxDigital: number; maxHolds: number }): unknown {
  const constraint = (error as { constraint?: string } | null)?.constraint;
  switch (constraint) {
    case 'lending_member_loan_limit': return LoanLimitReached(limits?.maxPhysical ?? 0);
    case 'lending_member_digital_limit': return DigitalLimitReached(limits?.maxDigital ?? 0);
    case 'lending_member_hold_limit': return HoldLimitReached(limits?.maxHolds ?? 0);
    case 'loan_one_open_per_item': return ItemAlreadyOnLoan();
    case 'loan_one_open_digital': return AlreadyBorrowed();
    case 'hold_one_active': return AlreadyHeld();
    default: return error;
  }
}

/** The mail address and language of an account (for a notice). */
export async function contactOf(tx: Tx, accountId: string): Promise<{ email: string; lang: 'nl' | 'en' } | null> {
  const a = await tx.selectFrom('account').select(['email', 'preferredLanguage']).where('id', '=', accountId).where('status', '=', 'active').executeTakeFirst();
  return a ? { email: a.email, lang: a.preferredLanguage as 'nl' | 'en' } : null;
}

/** The refusal a check-in raises when its copy makes a hold ready: the mail must follow (circulation.service). */
const NOTICE_FOLLOWS = 'LENDING_NOTICE_FOLLOWS';
const noticeFollows = Object.freeze({ code: NOTICE_FOLLOWS });
export function isNoticeFollows(error: unknown): boolean { return error === noticeFollows; }

/**
 * Turns a refusal of the lending functions (db/migrations/0095: MESSAGE = code, HINT =
 * 'eenbieb_refusal', DETAIL = arguments as JSON) into the coded error; anything else goes through
 * mapRefusal (constraints and triggers) unchanged.
 */
export function refusalOf(error: unknown): unknown {
  const e = error as { hint?: string; message?: string; detail?: string } | null;
  if (e?.hint !== 'eenbieb_refusal') return mapRefusal(error);
  const d = (e.detail ? JSON.parse(e.detail) : {}) as { reasons?: BlockReason[]; owedCents?: number; status?: string; limit?: number };
  switch (e.message) {
    case 'FORBIDDEN': return Forbidden();
    case 'LENDING_BRANCH_UNKNOWN': return BranchUnknown();
    case 'LENDING_MEMBER_NOT_FOUND': return MemberNotFound();
    case 'LENDING_NO_LENDING_PLAN': return NoLendingPlan();
    case 'LENDING_MEMBER_BLOCKED': return MemberBlocked(d.reasons ?? [], d.owedCents ?? 0);
    case 'LENDING_ITEM_UNKNOWN': return ItemUnknown();
    case 'LENDING_ITEM_ALREADY_ON_LOAN': return ItemAlreadyOnLoan();
    case 'LENDING_ITEM_HELD_FOR_OTHER': return ItemHeldForOther();
    case 'LENDING_ITEM_NOT_LOANABLE': return ItemNotLoanable(d.status ?? '');
    case 'LENDING_LOAN_LIMIT_REACHED': return LoanLimitReached(d.limit ?? 0);
    case 'LENDING_DIGITAL_LIMIT_REACHED': return DigitalLimitReached(d.limit ?? 0);
    case 'LENDING_HOLD_LIMIT_REACHED': return HoldLimitReached(d.limit ?? 0);
    case 'LENDING_ALREADY_BORROWED': return AlreadyBorrowed();
    case 'LENDING_HOLD_EXISTS': return AlreadyHeld();
    case 'LENDING_TITLE_NOT_FOUND': return TitleNotFound();
    case 'LENDING_NOT_DIGITAL': return NotDigital();
    case NOTICE_FOLLOWS: return noticeFollows;
    default: return error;
  }
}
