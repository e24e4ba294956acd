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
import { assertMayBorrow } from './circulation.service.ts';
import { grantAccess, type AccessLink } from './content-access.ts';
import { AlreadyBorrowed, LoanNotFound, NotDigital, TitleNotFound } from './lending.errors.ts';
import { noticeLibraryOf, notify, type NoticeLibrary } from './lending.notices.ts';
import { findBorrower, mapRefusal, type Borrower } from './lending.repository.ts';
import { blockReasons, digitalDue, estimatedWaitDays, poolHasRoom, poolOrder, type PoolState } from './loan-rules.ts';

export const OFFER_HOURS = 48;

export type DigitalBorrowResult =
  | { outcome: 'loan'; loanId: string; titleId: string; title: string; dueAt: Date; access: AccessLink }
  | { outcome: 'hold'; holdId: string; titleId: string; title: string; position: number; estimatedWaitDays: number | null };

interface PoolRow extends PoolState { titleId: string; provider: string }

async function poolsOf(tx: Tx, titleId: string, lock: boolean): Promise<PoolRow[]> {
  // locked in id order, so two borrowers of the same title never deadlock
  const { rows } = await sql<PoolRow>`
    SELECT id, title_id AS "titleId", provider, model, concurrency, loans_total AS "loansTotal", valid_until AS "validUntil",
           in_use AS "inUse", loans_used AS "loansUsed", offered, priority, loan_period_days AS "loanPeriodDays"
    FROM license_pool WHERE title_id = ${titleId} ORDER BY id ${lock ? sql`FOR UPDATE` : sql``}`.execute(tx);
  return rows;
}

function firstWithRoom(pools: PoolRow[], now: Date): PoolRow | null {
  return [...pools].sort(poolOrder).find((p) => poolHasRoom(p, now)) ?? null;
}

async function titleOf(tx: Tx, libraryId: string, titleId: string): Promise<{ id: string; title: string; openAccessUrl: string | null }> {
  const t = await tx.selectFrom('title').select(['id', 'title', 'openAccessUrl', 'ownerLibraryId']).where('id', '=', titleId).executeTakeFirst();
  if (!t || (t.ownerLibraryId && t.ownerLibraryId !== libraryId)) throw TitleNotFound();
  return t;
}

/** Next place in a title's network-wide digital queue (the upsert locks the counter row). */
async function nextDigitalSeq(tx: Tx, titleId: string): Promise<number> {
  const { rows } = await sql<{ lastSeq: string }>`
    INSERT INTO digital_queue AS q (title_id, last_seq) VALUES (${titleId}, 1)
    ON CONFLICT (title_id) DO UPDATE SET last_seq = q.last_seq + 1 RETURNING q.last_seq`.execute(tx);
  return Number(rows[0]!.lastSeq);
}

async function lendOn(ctx: Ctx, tx: Tx, lib: NoticeLibrary, b: { accountId: string }, pool: PoolRow, title: { id: string; title: string; openAccessUrl: string | null }, channel: 'portal' | 'api' | 'system', now: Date) {
  const dueAt = digitalDue(pool, now);
  const loan = await tx.insertInto('loan').values({
    libraryId: lib.id, accountId: b.accountId, kind: 'digital', titleId: title.id, poolId: pool.id, channel, checkedOutAt: now, dueAt,
  }).returning('id').executeTakeFirstOrThrow();
  const access = await grantAccess(ctx, tx, { libraryId: lib.id, loanId: loan.id, expiresAt: dueAt, provider: pool.provider, openAccessUrl: title.openAccessUrl });
  return { loanId: loan.id, dueAt, access };
}

/**
 * Borrow a digital title: a loan when a licence is free, otherwise a place in the queue (a hold
 * with position and estimated wait). People already waiting go first: a newcomer queues when
 * anyone (not paused) is waiting, even if a licence is momentarily free.
 */
export async function borrowDigital(ctx: Ctx, input: { library: NoticeLibrary; accountId: string; titleId: string; autoCheckout?: boolean; channel?: 'portal' | 'api'; now?: Date }): Promise<DigitalBorrowResult> {
  const now = input.now ?? new Date();
  const lib = input.library;
  let b: Borrower | null = null;
  try {
    return await inTenant(ctx.db, lib.id, async (tx) => {
      b = assertMayBorrow(await findBorrower(tx, lib.id, { accountId: input.accountId }), now);
      const title = await titleOf(tx, lib.id, input.titleId);
      const have = await tx.selectFrom('loan').select('id').where('libraryId', '=', lib.id).where('accountId', '=', b.accountId)
        .where('titleId', '=', title.id).where('kind', '=', 'digital').where('status', '=', 'open').executeTakeFirst();
      if (have) throw AlreadyBorrowed();
      // my own offer: take it
      const offer = await tx.selectFrom('hold').select(['id', 'poolId']).where('libraryId', '=', lib.id).where('accountId', '=', b.accountId)
        .where('titleId', '=', title.id).where('kind', '=', 'digital').where('status', '=', 'ready').forUpdate().executeTakeFirst();
      if (offer) {
        const pools = await poolsOf(tx, title.id, true);
        const pool = pools.find((p) => p.id === offer.poolId)!;
        await tx.updateTable('hold').set({ status: 'fulfilled', endedAt: now, readyUntil: null }).where('libraryId', '=', lib.id).where('id', '=', offer.id).execute();
        const loan = await lendOn(ctx, tx, lib, b, pool, title, input.channel ?? 'portal', now);
        return { outcome: 'loan' as const, titleId: title.id, title: title.title, ...loan };
      }
      // a quick look without locks: a full title (the common case in a storm) needs no pool lock
      const seen = await poolsOf(tx, title.id, false);
      if (seen.length === 0) throw NotDigital();
      const queue = await sql<{ libraryId: string | null }>`SELECT library_id FROM eenbieb_digital_queue_next(${title.id})`.execute(tx);
      if (firstWithRoom(seen, now) && !queue.rows[0]?.libraryId) {
        const pool = firstWithRoom(await poolsOf(tx, title.id, true), now);
        if (pool) {
          const loan = await lendOn(ctx, tx, lib, b, pool, title, input.channel ?? 'portal', now);
          // a waiting hold of mine on this title is fulfilled by the loan
          await tx.updateTable('hold').set({ status: 'fulfilled', endedAt: now, frozen: false }).where('libraryId', '=', lib.id).where('accountId', '=', b.accountId)
            .where('titleId', '=', title.id).where('kind', '=', 'digital').where('status', '=', 'waiting').execute();
          return { outcome: 'loan' as const, titleId: title.id, title: title.title, ...loan };
        }
      }
      const existing = await tx.selectFrom('hold').select(['id', 'queueSeq']).where('libraryId', '=', lib.id).where('accountId', '=', b.accountId)
        .where('titleId', '=', title.id).where('kind', '=', 'digital').where('status', '=', 'waiting').executeTakeFirst();
      let holdId: string; let seq: number;
      if (existing) {
        holdId = existing.id; seq = Number(existing.queueSeq);
        if (input.autoCheckout !== undefined) await tx.updateTable('hold').set({ autoCheckout: input.autoCheckout }).where('libraryId', '=', lib.id).where('id', '=', holdId).execute();
      } else {
        // The queue counter's row lock is held until commit, so placing holds on one title is
        // serial; waiting for the WAL flush inside that section would make each hold cost a disk
        // sync (5,000 borrowers of one title: 5,000 syncs one after another). A hold is committed
        // without waiting for the flush: after a crash of the database server (not of the app) the
        // holds of the last moment can be missing, never half there, and never a loan (loans
        // commit synchronously, and their flush also covers every earlier hold).
        await sql`SET LOCAL synchronous_commit = off`.execute(tx);
        seq = await nextDigitalSeq(tx, title.id);
        holdId = (await tx.insertInto('hold').values({
          libraryId: lib.id, accountId: b.accountId, kind: 'digital', titleId: title.id, queueSeq: seq, autoCheckout: input.autoCheckout ?? false, createdAt: now,
        }).returning('id').executeTakeFirstOrThrow()).id;
      }
      const ahead = await sql<{ n: number }>`SELECT eenbieb_digital_queue_ahead(${title.id}, ${seq}) AS n`.execute(tx);
      const position = Number(ahead.rows[0]!.n) + 1;
      return { outcome: 'hold' as const, holdId, titleId: title.id, title: title.title, position, estimatedWaitDays: estimatedWaitDays(position, seen, now) };
    });
  } catch (error) {
    const x = b as Borrower | null;
    throw mapRefusal(error, x ? { maxPhysical: x.maxPhysical, maxDigital: x.maxDigital, maxHolds: x.maxHolds } : undefined);
  }
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
  const pool = firstWithRoom(await poolsOf(tx, titleId, true), now);
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
    if (hold.autoCheckout && await autoLend(ctx, tx, holderLib, hold, pool, titleId, now)) return true;
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
async function autoLend(ctx: Ctx, tx: Tx, lib: NoticeLibrary, hold: { id: string; accountId: string; title: string; openAccessUrl: string | null }, pool: PoolRow, titleId: string, now: Date): Promise<boolean> {
  const b = await findBorrower(tx, lib.id, { accountId: hold.accountId });
  if (!b || b.planKind !== 'lending' || blockReasons({ owedCents: b.owedCents, validUntil: b.validUntil, now }, b.settings).length) return false;
  await sql`SAVEPOINT auto_lend`.execute(tx);
  try {
    await tx.updateTable('hold').set({ status: 'fulfilled', endedAt: now }).where('libraryId', '=', lib.id).where('id', '=', hold.id).execute();
    const loan = await lendOn(ctx, tx, lib, b, pool, { id: titleId, title: hold.title, openAccessUrl: hold.openAccessUrl }, 'system', now);
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
