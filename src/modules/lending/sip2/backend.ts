// The SIP2 port implemented with lending's services: the same use cases as the desk, the portal
// and the API, called with the kiosk's library, branch and channel 'kiosk'. SIP2 identifies loans
// and holds by barcode where the services take ids, so this adapter finds the ids first.
import { sql } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import { inTenant } from '../../../platform/db/tenant.ts';
import { libraryUrl } from '../../network/index.ts';
import {
  LendingErrors, accountByCard, cancelHold, checkIn, checkOut, patronStatus, payCharges, placeHold, renew, renewAll, type NoticeLibrary,
} from '../index.ts';
import type { ItemStatus, KioskScope, PatronView, Sip2Backend } from './port.ts';

const { ItemUnknown, LoanNotFound, HoldNotFound, BranchUnknown, MemberBlocked, NoLendingPlan } = LendingErrors;

interface ItemFacts {
  titleId: string;
  title: string;
  format: string;
  status: ItemStatus;
  homeBranch: string;
  transitBranch: string | null;
  dueAt: Date | null;
  waiting: number;
}

/** One copy by barcode with what the kiosk shows: title, format, where it belongs, its loan and queue. */
async function itemFacts(s: KioskScope, barcode: string): Promise<ItemFacts> {
  const { rows } = await inTenant(s.ctx.db, s.kiosk.libraryId, (tx) => sql<ItemFacts>`
      SELECT i.title_id AS "titleId", t.title, t.format, i.status, hb.name AS "homeBranch", tb.name AS "transitBranch",
             l.due_at AS "dueAt",
             (SELECT count(*)::int FROM hold h WHERE h.library_id = i.library_id AND h.title_id = i.title_id
                AND h.kind = 'physical' AND h.status = 'waiting') AS waiting
      FROM item i
      JOIN title t ON t.id = i.title_id
      JOIN branch hb ON hb.library_id = i.library_id AND hb.id = i.branch_id
      LEFT JOIN branch tb ON tb.library_id = i.library_id AND tb.id = i.transit_to_branch_id
      LEFT JOIN loan l ON l.library_id = i.library_id AND l.item_id = i.id AND l.status = 'open'
      WHERE i.library_id = ${s.kiosk.libraryId} AND i.barcode = ${barcode}`.execute(tx));
  if (!rows[0]) throw ItemUnknown();
  return rows[0];
}

async function branchName(s: KioskScope, branchId: string): Promise<string> {
  const { rows } = await inTenant(s.ctx.db, s.kiosk.libraryId, (tx) => sql<{ name: string }>`SELECT name FROM branch WHERE library_id = ${s.kiosk.libraryId} AND id = ${branchId}`.execute(tx));
  return rows[0]?.name ?? '';
}

async function branchBySlug(s: KioskScope, slug: string): Promise<{ id: string; name: string }> {
  const { rows } = await inTenant(s.ctx.db, s.kiosk.libraryId, (tx) => sql<{ id: string; name: string }>`SELECT id, name FROM branch WHERE library_id = ${s.kiosk.libraryId} AND slug = ${slug.toLowerCase()}`.execute(tx));
  if (!rows[0]) throw BranchUnknown();
  return rows[0];
}

/** The library as lending's notices name it (mails sent by a kiosk transaction link to its portal). */
function libraryOf(s: KioskScope): NoticeLibrary {
  return { id: s.kiosk.libraryId, name: s.kiosk.libraryName, url: libraryUrl(s.ctx, s.kiosk.librarySlug) };
}

const isCode = (e: unknown, code: string) => e instanceof AppError && e.code === code;

async function status(s: KioskScope, cardNumber: string, pin?: string) {
  return patronStatus(s.ctx, { libraryId: s.kiosk.libraryId, cardNumber, ...(pin !== undefined ? { pin } : {}) });
}

export const lendingBackend: Sip2Backend = {
  async patron(s, cardNumber) {
    let p;
    try {
      p = await status(s, cardNumber);
    } catch (e) {
      if (isCode(e, 'LENDING_MEMBER_NOT_FOUND')) return null;
      throw e;
    }
    const blocked = !p.lending ? NoLendingPlan().text : p.blocks.length ? MemberBlocked(p.blocks, p.owedCents).text : null;
    const view: PatronView = {
      name: p.displayName, lang: p.lang, blocked, owedCents: p.owedCents, loanLimit: p.limits.physical, holdLimit: p.limits.holds,
      loans: p.loans.filter((l) => l.kind === 'physical' && l.barcode).map((l) => ({ barcode: l.barcode!, title: l.title, dueAt: l.dueAt })),
      holds: p.holds.map((h) => ({ title: h.title, ready: h.status === 'ready' })),
      charges: p.charges.map((c) => ({ description: c.description, cents: c.amountCents })),
    };
    return view;
  },

  async checkPin(s, cardNumber, pin) {
    try {
      return (await status(s, cardNumber, pin)).pinOk === true;
    } catch (e) {
      if (isCode(e, 'LENDING_MEMBER_NOT_FOUND')) return false;
      throw e;
    }
  },

  async checkOut(s, { cardNumber, barcode }) {
    const library = libraryOf(s);
    const r = await checkOut(s.ctx, { library, patron: { cardNumber }, barcode, branchId: s.kiosk.branchId, channel: 'kiosk' });
    const facts = await itemFacts(s, r.barcode);
    return { title: r.title, dueAt: r.dueAt, barcode: r.barcode, format: facts.format };
  },

  async checkIn(s, { barcode }) {
    const library = libraryOf(s);
    const r = await checkIn(s.ctx, { library, barcode, branchId: s.kiosk.branchId, channel: 'kiosk' });
    const facts = await itemFacts(s, r.barcode);
    return {
      title: r.title, routing: r.routing, fineCents: r.fineCents, homeBranch: facts.homeBranch, format: facts.format,
      destinationBranch: r.routing === 'shelf' ? null : await branchName(s, r.destinationBranchId),
    };
  },

  async renew(s, { cardNumber, barcode }) {
    const p = await status(s, cardNumber);
    const loan = p.loans.find((l) => l.barcode === barcode);
    if (!loan) throw LoanNotFound();
    const library = libraryOf(s);
    const r = await renew(s.ctx, { library, loanId: loan.id, accountId: p.accountId });
    return { title: r.title, dueAt: r.dueAt, format: loan.format };
  },

  async renewAll(s, { cardNumber }) {
    const accountId = await accountByCard(s.ctx, s.kiosk.libraryId, cardNumber);
    const library = libraryOf(s);
    const r = await renewAll(s.ctx, { library, accountId });
    return { renewed: r.renewed.map((x) => x.barcode ?? x.title), unrenewed: r.refused.map((x) => x.barcode ?? x.title) };
  },

  async itemInfo(s, { barcode }) {
    const f = await itemFacts(s, barcode);
    return {
      title: f.title, status: f.status, dueAt: f.dueAt, holdQueueLength: f.waiting, homeBranch: f.homeBranch, format: f.format,
      currentBranch: f.status === 'on_loan' ? null : f.status === 'in_transit' ? f.transitBranch : f.homeBranch,
    };
  },

  async placeHold(s, { cardNumber, barcode, pickupBranchSlug }) {
    const f = await itemFacts(s, barcode);
    const pickup = pickupBranchSlug ? await branchBySlug(s, pickupBranchSlug) : { id: s.kiosk.branchId, name: s.kiosk.branchName };
    const library = libraryOf(s);
    const r = await placeHold(s.ctx, { library, patron: { cardNumber }, titleId: f.titleId, pickupBranchId: pickup.id });
    return { title: f.title, position: r.position, pickupBranch: pickup.name, available: f.status === 'available' };
  },

  async cancelHold(s, { cardNumber, barcode }) {
    const f = await itemFacts(s, barcode);
    const p = await status(s, cardNumber);
    const hold = p.holds.find((h) => h.titleId === f.titleId && h.kind === 'physical');
    if (!hold) throw HoldNotFound();
    const library = libraryOf(s);
    await cancelHold(s.ctx, { library, holdId: hold.id, accountId: p.accountId });
    return { title: f.title };
  },

  async payCharges(s, { cardNumber, cents }) {
    const accountId = await accountByCard(s.ctx, s.kiosk.libraryId, cardNumber);
    const r = await payCharges(s.ctx, { libraryId: s.kiosk.libraryId, accountId, amountCents: cents });
    const after = await status(s, cardNumber);
    return { paidCents: r.paidCents, remainingCents: after.owedCents };
  },
};
