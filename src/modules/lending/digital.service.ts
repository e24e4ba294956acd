// Digital lending: licence pools (national or one library's) under four licence models, loans with
// an access grant for the content provider, early return, expiry, and a network-wide queue per
// title when no licence is free. A freed licence is offered to the next holder for 48 hours, or
// lent to them at once when they chose automatic checkout.
//
// Digital loans share the loan and hold tables (and the member's limit counters) with physical
// loans, so "my loans" is one list and one limit check; that is why they live in this module.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { inTenant, switchTenant, type Tx } from '../../platform/db/tenant.ts';
import { Lanes } from '../../platform/lanes.ts';
import { accessLink, type AccessLink } from './content-access.ts';
import { LoanNotFound } from './lending.errors.ts';
import { noticeLibraryOf, notify, type NoticeLibrary } from './lending.notices.ts';
import { refusalOf } from './lending.repository.ts';
import { estimatedWaitDays, type PoolState } from './loan-rules.ts';

export const OFFER_HOURS = 48;

export type DigitalBorrowResult =
  | { outcome: 'loan'; loanId: string; titleId: string; title: string; dueAt: Date; access: AccessLink }
  | { outcome: 'hold'; holdId: string; titleId: string; title: string; position: number; estimatedWaitDays: number | null };

interface PoolRow extends PoolState { titleId: string; provider: string }

/**
 * The pool of a title that lends next, every pool of the title locked (eenbieb_pool_pick: the
 * order of loan-rules.ts poolOrder and poolHasRoom, in the database so that the borrow function
 * and the passing on of a freed licence choose alike).
 */
async function pickPool(tx: Tx, titleId: string, now: Date): Promise<PoolRow | null> {
  const { rows } = await sql<PoolRow>`
    SELECT id, title_id AS "titleId", provider, model, concurrency, loans_total AS "loansTotal", valid_until AS "validUntil",
           in_use AS "inUse", loans_used AS "loansUsed", offered, priority, loan_period_days AS "loanPeriodDays"
    FROM eenbieb_pool_pick(${titleId}, ${now}, true) WHERE id IS NOT NULL`.execute(tx);
  return rows[0] ?? null;
}

/** A digital loan on a locked pool with its access grant (eenbieb_lend_digital), and its reading link. */
async function lendOn(ctx: Ctx, tx: Tx, lib: NoticeLibrary, accountId: string, pool: PoolRow, openAccessUrl: string | null, channel: 'portal' | 'api' | 'system', now: Date) {
  const { rows } = await sql<{ loanId: string; dueAt: Date; grantId: string }>`
    SELECT loan_id, due_at, grant_id FROM eenbieb_lend_digital(${lib.id}, ${accountId}, NULL,
      (SELECT p FROM license_pool p WHERE p.id = ${pool.id}), ${channel}, ${now})`.execute(tx);
  const loan = rows[0]!;
  const access = await accessLink(ctx, tx, { libraryId: lib.id, grantId: loan.grantId, expiresAt: loan.dueAt, provider: pool.provider, openAccessUrl });
  return { loanId: loan.loanId, dueAt: loan.dueAt, access };
}

interface BorrowRow {
  outcome: 'loan' | 'hold'; loanId: string | null; holdId: string | null; title: string; dueAt: Date | null; grantId: string | null;
  provider: string | null; openAccessUrl: string | null; position: number | null;
  pools: (Omit<PoolState, 'validUntil'> & { validUntil: string | null })[] | string | null;
}

/**
 * Borrow a digital title: a loan when a licence is free, otherwise a place in the queue (a hold
 * with position and estimated wait). People already waiting go first: a newcomer queues when
 * anyone (not paused) is waiting, even if a licence is momentarily free.
 *
 * Borrowers of one title are served together: while a call for the title runs, those who arrive
 * wait in its lane (platform/lanes.ts) and go in the next call, eenbieb_borrow_digital_batch
 * (db/migrations/0098): one transaction, one place-handing for all their holds, one WAL flush.
 * A lone borrower goes at once, as a batch of one. The batch takes the plain case only; a
 * borrower it leaves ('single': refused, already borrowing or waiting, an offer to take, a limit)
 * and everyone of a batch that failed go through the one-borrower call, `borrowAlone`.
 */
export async function borrowDigital(ctx: Ctx, input: BorrowInput): Promise<DigitalBorrowResult> {
  return lanesOf(ctx.db).submit(`${input.library.id}/${input.titleId}`, { ctx, input, now: input.now ?? new Date() });
}

type BorrowInput = { library: NoticeLibrary; accountId: string; titleId: string; autoCheckout?: boolean; channel?: 'portal' | 'api'; now?: Date };
interface Borrower { ctx: Ctx; input: BorrowInput; now: Date }

/** At most this many borrowers per call: the call's transaction (and the title's queue) is held for all of them. */
const MAX_BATCH = 500;

const lanesByDb = new WeakMap<Ctx['db'], Lanes<Borrower, DigitalBorrowResult>>();
function lanesOf(db: Ctx['db']): Lanes<Borrower, DigitalBorrowResult> {
  let lanes = lanesByDb.get(db);
  if (!lanes) lanesByDb.set(db, lanes = new Lanes(borrowTogether, MAX_BATCH));
  return lanes;
}

/** A row of eenbieb_borrow_digital_batch: `n` is the borrower's place in the batch (from 1). */
type BatchRow = Omit<BorrowRow, 'outcome'> & { n: number; outcome: BorrowRow['outcome'] | 'single' };

async function borrowTogether(batch: Borrower[]): Promise<(DigitalBorrowResult | Promise<DigitalBorrowResult>)[]> {
  const { ctx: first, input } = batch[0]!;
  let rows: BatchRow[];
  try {
    ({ rows } = await sql<BatchRow>`
      SELECT * FROM eenbieb_borrow_digital_batch(${input.library.id}, ${input.titleId}, ${batch.map((b) => b.input.accountId)}::uuid[],
        ${batch.map((b) => b.input.autoCheckout ?? null)}::boolean[], ${batch.map((b) => b.input.channel ?? 'portal')}::text[],
        ${batch.map((b) => b.now.toISOString())}::timestamptz[])`.execute(first.db));
  } catch {
    // a constraint refused someone between the batch's checks and its writes (or the call failed):
    // nothing of the batch was written, and each borrower goes alone and gets their own answer
    return batch.map(borrowAlone);
  }
  // committed without waiting for the WAL flush (0097); answered only once it is on disk
  await sql`SELECT eenbieb_wal_flushed()`.execute(first.db);
  const byN = new Map(rows.map((r) => [Number(r.n), r]));
  return batch.map((b, i) => {
    const r = byN.get(i + 1);
    return !r || r.outcome === 'single' ? borrowAlone(b) : answer(b, r as BorrowRow);
  });
}

/** One borrower in one call (eenbieb_borrow_digital, 0096/0097): refuses with the coded error. */
async function borrowAlone(b: Borrower): Promise<DigitalBorrowResult> {
  const { ctx, input, now } = b;
  let r: BorrowRow;
  try {
    const { rows } = await sql<BorrowRow>`
      SELECT * FROM eenbieb_borrow_digital(${input.library.id}, ${input.accountId}, ${input.titleId}, ${input.autoCheckout ?? null}, ${input.channel ?? 'portal'}, ${now})`.execute(ctx.db);
    r = rows[0]!;
  } catch (error) {
    throw refusalOf(error);
  }
  await sql`SELECT eenbieb_wal_flushed()`.execute(ctx.db);
  return answer(b, r);
}

async function answer(b: Borrower, r: BorrowRow): Promise<DigitalBorrowResult> {
  const { ctx, input, now } = b;
  if (r.outcome === 'loan') {
    const access = await accessLink(ctx, ctx.db, { libraryId: input.library.id, grantId: r.grantId!, expiresAt: new Date(r.dueAt!), provider: r.provider!, openAccessUrl: r.openAccessUrl });
    return { outcome: 'loan', loanId: r.loanId!, titleId: input.titleId, title: r.title, dueAt: new Date(r.dueAt!), access };
  }
  const raw = typeof r.pools === 'string' ? JSON.parse(r.pools) as Exclude<BorrowRow['pools'], string> : r.pools;
  const pools: PoolState[] = (raw ?? []).map((p) => ({ ...p, validUntil: p.validUntil ? new Date(p.validUntil) : null }));
  const position = Number(r.position);
  return { outcome: 'hold', holdId: r.holdId!, titleId: input.titleId, title: r.title, position, estimatedWaitDays: estimatedWaitDays(position, pools, now) };
}

/** Ends a digital loan early (or at expiry) and passes the licence on. */
async function endDigitalLoan(ctx: Ctx, tx: Tx, lib: NoticeLibrary, loan: { id: string; titleId: string }, status: 'returned' | 'expired', now: Date): Promise<void> {
  await tx.updateTable('loan').set({ status, endedAt: now }).where('libraryId', '=', lib.id).where('id', '=', loan.id).execute();
  await tx.updateTable('accessGrant').set({ revokedAt: now }).where('libraryId', '=', lib.id).where('loanId', '=', loan.id).where('revokedAt', 'is', null).execute();
  await releaseOffer(ctx, tx, lib, loan.titleId, now);
}

export async function returnDigital(ctx: Ctx, input: { library: NoticeLibrary; loanId: string; accountId: string; now?: Date }): Promise<void> {
  const now = input.now ?? new Date();
  await inTenant(ctx.db, input.library.id, async (tx) => {
    const loan = await tx.selectFrom('loan').select(['id', 'titleId']).where('libraryId', '=', input.library.id).where('id', '=', input.loanId)
      .where('accountId', '=', input.accountId).where('kind', '=', 'digital').where('status', '=', 'open').forUpdate().executeTakeFirst();
    if (!loan) throw LoanNotFound();
    await endDigitalLoan(ctx, tx, input.library, loan, 'returned', now);
  });
}

/**
 * A licence of this title may be free: offer it to the next holder in the network-wide queue (or
 * lend it to them at once when they chose automatic checkout). Runs inside the transaction that
 * freed the licence; it moves to the holder's library for the offer and back afterwards.
 */
export async function releaseOffer(ctx: Ctx, tx: Tx, lib: NoticeLibrary, titleId: string, now: Date): Promise<boolean> {
  const pool = await pickPool(tx, titleId, now);
  if (!pool) return false;
  const next = await sql<{ libraryId: string | null; holdId: string | null }>`SELECT library_id, hold_id FROM eenbieb_digital_queue_next(${titleId})`.execute(tx);
  const head = next.rows[0];
  if (!head?.libraryId || !head.holdId) return false;
  const holderLib: NoticeLibrary = head.libraryId === lib.id ? lib : await noticeLibraryOf(ctx, head.libraryId);
  if (holderLib.id !== lib.id) await switchTenant(tx, holderLib.id);
  try {
    const hold = await tx.selectFrom('hold as h').innerJoin('title as t', 't.id', 'h.titleId')
      .select(['h.id', 'h.accountId', 'h.autoCheckout', 't.title', 't.openAccessUrl'])
      .where('h.libraryId', '=', holderLib.id).where('h.id', '=', head.holdId).where('h.status', '=', 'waiting').forUpdate('h').executeTakeFirst();
    if (!hold) return false;
    if (hold.autoCheckout && await autoLend(ctx, tx, holderLib, hold, pool, now)) return true;
    const until = new Date(now.getTime() + OFFER_HOURS * 3_600_000);
    await tx.updateTable('hold').set({ status: 'ready', poolId: pool.id, readyAt: now, readyUntil: until })
      .where('libraryId', '=', holderLib.id).where('id', '=', hold.id).execute();
    await notify(tx, holderLib, hold.accountId, 'digital_offer', { title: hold.title, until });
    return true;
  } finally {
    if (holderLib.id !== lib.id) await switchTenant(tx, lib.id);
  }
}

/**
 * Lends the freed licence straight to a holder who chose automatic checkout, when they may borrow
 * now. In a savepoint: if their limit is reached meanwhile (the trigger refuses), the return that
 * freed the licence still commits and the holder gets an offer instead.
 */
async function autoLend(ctx: Ctx, tx: Tx, lib: NoticeLibrary, hold: { id: string; accountId: string; title: string; openAccessUrl: string | null }, pool: PoolRow, now: Date): Promise<boolean> {
  // may they borrow now: the standing the borrow calls judge by (eenbieb_borrower_standing, 0098)
  const standing = await sql<{ refusal: string | null }>`SELECT refusal FROM eenbieb_borrower_standing(${lib.id}, NULL, ${hold.accountId}, ${now})`.execute(tx);
  if (standing.rows[0]?.refusal !== null) return false;
  await sql`SAVEPOINT auto_lend`.execute(tx);
  try {
    await tx.updateTable('hold').set({ status: 'fulfilled', endedAt: now }).where('libraryId', '=', lib.id).where('id', '=', hold.id).execute();
    const loan = await lendOn(ctx, tx, lib, hold.accountId, pool, hold.openAccessUrl, 'system', now);
    await sql`RELEASE SAVEPOINT auto_lend`.execute(tx);
    await notify(tx, lib, hold.accountId, 'digital_auto_loan', { title: hold.title, due: loan.dueAt });
    return true;
  } catch (error) {
    if ((error as { constraint?: string }).constraint !== 'lending_member_digital_limit') throw error;
    await sql`ROLLBACK TO SAVEPOINT auto_lend`.execute(tx);
    return false;
  }
}

/**
 * Job: digital loans past their due date end (access revoked, licence passed on); offers not
 * taken within 48 hours lapse to the next holder; and any title with a free licence and people
 * waiting gets its offer (closing the gap when a hold was placed just as a licence came free).
 */
export async function expireDigital(ctx: Ctx, libraries: NoticeLibrary[], now = new Date()): Promise<number> {
  let n = 0;
  for (const lib of libraries) {
    const loans = await inTenant(ctx.db, lib.id, (tx) => tx.selectFrom('loan').select(['id', 'titleId']).where('libraryId', '=', lib.id)
      .where('kind', '=', 'digital').where('status', '=', 'open').where('dueAt', '<=', now).limit(1000).execute());
    for (const l of loans) {
      await inTenant(ctx.db, lib.id, async (tx) => {
        const loan = await tx.selectFrom('loan').select(['id', 'titleId']).where('libraryId', '=', lib.id).where('id', '=', l.id)
          .where('status', '=', 'open').where('dueAt', '<=', now).forUpdate().executeTakeFirst();
        if (loan) { await endDigitalLoan(ctx, tx, lib, loan, 'expired', now); n++; }
      });
    }
    const offers = await inTenant(ctx.db, lib.id, (tx) => tx.selectFrom('hold').select(['id', 'titleId']).where('libraryId', '=', lib.id)
      .where('kind', '=', 'digital').where('status', '=', 'ready').where('readyUntil', '<=', now).limit(1000).execute());
    for (const o of offers) {
      await inTenant(ctx.db, lib.id, async (tx) => {
        const hold = await tx.selectFrom('hold').select('id').where('libraryId', '=', lib.id).where('id', '=', o.id)
          .where('status', '=', 'ready').where('readyUntil', '<=', now).forUpdate().executeTakeFirst();
        if (!hold) return;
        await tx.updateTable('hold').set({ status: 'expired', endedAt: now, readyUntil: null, poolId: null }).where('libraryId', '=', lib.id).where('id', '=', hold.id).execute();
        await releaseOffer(ctx, tx, lib, o.titleId, now);
        n++;
      });
    }
  }
  // free licences with people waiting (network-wide): offer them
  if (libraries[0]) {
    const waiting = await inTenant(ctx.db, libraries[0].id, (tx) => sql<{ titleId: string }>`
      SELECT p.title_id FROM license_pool p WHERE EXISTS (SELECT 1 FROM digital_queue q WHERE q.title_id = p.title_id)
      GROUP BY p.title_id HAVING bool_or((p.concurrency IS NULL OR p.in_use + p.offered < p.concurrency)
        AND (p.loans_total IS NULL OR p.loans_used + p.offered < p.loans_total) AND (p.valid_until IS NULL OR p.valid_until > ${now}))
        AND eenbieb_digital_queue_length(p.title_id) > 0
      LIMIT 500`.execute(tx));
    for (const { titleId: waitingTitle } of waiting.rows) {
      await inTenant(ctx.db, libraries[0].id, async (tx) => { while (await releaseOffer(ctx, tx, libraries[0]!, waitingTitle, now)) n++; });
    }
  }
  return n;
}
