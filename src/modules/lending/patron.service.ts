// A member's lending at one library: loans (physical and digital together), holds, charges,
// blocks, reading history (only when they opted in), and paying charges. Mijn bibliotheek, the
// desk console and the kiosk (SIP2 patron status/information) all read it from here.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import { verifySecret } from '../accounts/credentials.ts';
import { listHoldsIn, type HoldView } from './holds.service.ts';
import { MemberNotFound, type BlockReason } from './lending.errors.ts';
import { findBorrower, type Borrower } from './lending.repository.ts';
import { blockReasons } from './loan-rules.ts';

export interface LoanView {
  id: string;
  kind: 'physical' | 'digital';
  titleId: string;
  title: string;
  format: string;
  barcode: string | null;
  checkedOutAt: Date;
  dueAt: Date;
  renewals: number;
  overdue: boolean;
  openAccessUrl: string | null;
  provider: string | null;
}

export interface ChargeView { id: string; kind: string; amountCents: number; description: string; createdAt: Date }

export interface PatronStatus {
  accountId: string;
  cardNumber: string;
  displayName: string;
  lang: 'nl' | 'en';
  lending: boolean;
  blocks: BlockReason[];
  /** Whether a PIN was given and matched (null: none given). */
  pinOk: boolean | null;
  owedCents: number;
  limits: { physical: number; digital: number; holds: number };
  validUntil: string | null;
  loans: LoanView[];
  holds: HoldView[];
  charges: ChargeView[];
}

export async function loansIn(tx: Tx, libraryId: string, accountId: string, now: Date): Promise<LoanView[]> {
  const { rows } = await sql<Omit<LoanView, 'overdue'>>`
    SELECT l.id, l.kind, l.title_id AS "titleId", t.title, t.format, i.barcode, l.checked_out_at AS "checkedOutAt", l.due_at AS "dueAt",
           l.renewals, t.open_access_url AS "openAccessUrl", p.provider
    FROM loan l JOIN title t ON t.id = l.title_id
    LEFT JOIN item i ON i.library_id = l.library_id AND i.id = l.item_id
    LEFT JOIN license_pool p ON p.id = l.pool_id
    WHERE l.library_id = ${libraryId} AND l.account_id = ${accountId} AND l.status = 'open'
    ORDER BY l.due_at, t.sort_title`.execute(tx);
  return rows.map((r) => ({ ...r, overdue: r.dueAt < now }));
}

export async function chargesIn(tx: Tx, libraryId: string, accountId: string): Promise<ChargeView[]> {
  return tx.selectFrom('charge').select(['id', 'kind', 'amountCents', 'description', 'createdAt']).where('libraryId', '=', libraryId)
    .where('accountId', '=', accountId).where('paidAt', 'is', null).orderBy('createdAt').execute();
}

async function statusIn(tx: Tx, libraryId: string, b: Borrower, now: Date, pinOk: boolean | null): Promise<PatronStatus> {
  const profile = await tx.selectFrom('memberProfile').select(['givenName', 'familyName']).where('libraryId', '=', libraryId).where('accountId', '=', b.accountId).executeTakeFirst();
  return {
    accountId: b.accountId, cardNumber: b.cardNumber, lang: b.lang,
    displayName: profile ? `${profile.givenName} ${profile.familyName}` : b.email.replace(/@.*/, ''),
    lending: b.planKind === 'lending',
    blocks: blockReasons({ owedCents: b.owedCents, validUntil: b.validUntil, now }, b.settings),
    pinOk, owedCents: b.owedCents, validUntil: b.validUntil,
    limits: { physical: b.maxPhysical, digital: b.maxDigital, holds: b.maxHolds },
    loans: await loansIn(tx, libraryId, b.accountId, now),
    holds: await listHoldsIn(tx, libraryId, b.accountId),
    charges: await chargesIn(tx, libraryId, b.accountId),
  };
}

/** Desk and kiosk: a member by card number (and optionally the PIN the kiosk asked for). */
export async function patronStatus(ctx: Ctx, input: { libraryId: string; cardNumber: string; pin?: string; now?: Date }): Promise<PatronStatus> {
  const now = input.now ?? new Date();
  return inTenant(ctx.db, input.libraryId, async (tx) => {
    const b = await findBorrower(tx, input.libraryId, { cardNumber: input.cardNumber });
    if (!b) throw MemberNotFound();
    let pinOk: boolean | null = null;
    if (input.pin !== undefined) {
      const m = await tx.selectFrom('membership').select('pinHash').where('libraryId', '=', input.libraryId).where('id', '=', b.membershipId).executeTakeFirstOrThrow();
      pinOk = await verifySecret(m.pinHash, input.pin);
    }
    return statusIn(tx, input.libraryId, b, now, pinOk);
  });
}

/** Mijn bibliotheek: the signed-in member at their home library. */
export async function myLending(ctx: Ctx, libraryId: string, accountId: string, now = new Date()): Promise<PatronStatus> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    const b = await findBorrower(tx, libraryId, { accountId });
    if (!b) throw MemberNotFound();
    return statusIn(tx, libraryId, b, now, null);
  });
}

/** Returned loans still linked to the member: their reading history (kept only with consent). */
export async function readingHistory(ctx: Ctx, libraryId: string, accountId: string, limit = 200) {
  return inTenant(ctx.db, libraryId, async (tx) => {
    const consent = await tx.selectFrom('consent').select('granted').where('libraryId', '=', libraryId).where('accountId', '=', accountId)
      .where('purpose', '=', 'reading_history').executeTakeFirst();
    const rows = await tx.selectFrom('loan as l').innerJoin('title as t', 't.id', 'l.titleId')
      .select(['l.id', 'l.kind', 'l.titleId', 't.title', 't.format', 'l.checkedOutAt', 'l.endedAt', 'l.status'])
      .where('l.libraryId', '=', libraryId).where('l.accountId', '=', accountId).where('l.status', '<>', 'open')
      .orderBy('l.endedAt', 'desc').limit(limit).execute();
    return { keeping: consent?.granted === true, loans: rows };
  });
}

/**
 * Payment of charges (desk or kiosk fee paid): pays whole charges, oldest first, up to the amount.
 * Returns what was paid; a remainder that covers no whole charge is not taken.
 */
export async function payCharges(ctx: Ctx, input: { libraryId: string; accountId: string; amountCents: number; now?: Date }): Promise<{ paidCents: number; charges: string[] }> {
  const now = input.now ?? new Date();
  return inTenant(ctx.db, input.libraryId, async (tx) => {
    const open = await tx.selectFrom('charge').select(['id', 'amountCents']).where('libraryId', '=', input.libraryId)
      .where('accountId', '=', input.accountId).where('paidAt', 'is', null).orderBy('createdAt').orderBy('id').forUpdate().execute();
    let left = input.amountCents;
    const paid: string[] = [];
    for (const c of open) {
      if (c.amountCents > left) break;
      left -= c.amountCents;
      paid.push(c.id);
    }
    if (paid.length) await tx.updateTable('charge').set({ paidAt: now }).where('libraryId', '=', input.libraryId).where('id', 'in', paid).execute();
    return { paidCents: input.amountCents - left, charges: paid };
  });
}

/** The account behind a card at a library (desk and kiosk). */
export async function accountByCard(ctx: Ctx, libraryId: string, cardNumber: string): Promise<string> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    const b = await findBorrower(tx, libraryId, { cardNumber });
    if (!b) throw MemberNotFound();
    return b.accountId;
  });
}
