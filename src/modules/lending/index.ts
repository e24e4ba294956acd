// The lending module: loan rules, physical circulation and holds, digital lending under licence
// models, the desk, and (sip2/) self-service kiosks. Other modules, the CLI, the jobs and the
// SIP2 server use it only through what this file exports.
import type { FastifyInstance } from 'fastify';
import './lending.tables.ts';
import { inNetwork, inTenant } from '../../platform/db/tenant.ts';
import { registerPersonalDataSource } from '../../platform/personal-data.ts';
import type { Ctx } from '../../platform/context.ts';
import { lendingRoutes } from './lending.routes.ts';
import { registerPortalRoutes } from '../network/index.ts';
import { registerLendingPages } from './lending.pages.tsx';
import { registerDeskPages } from './desk.pages.tsx';
import { registerContentPage } from './content.pages.tsx';

export { checkOut, checkIn, renew, renewAll, markLost, markDamaged, type CheckOutResult, type CheckInResult, type Patron, type Routing } from './circulation.service.ts';
export { placeHold, cancelHold, setFrozen, listHolds, expireReadyHolds, type HoldView } from './holds.service.ts';
export { borrowDigital, returnDigital, expireDigital, OFFER_HOURS, type DigitalBorrowResult } from './digital.service.ts';
export { patronStatus, myLending, readingHistory, payCharges, accountByCard, type PatronStatus, type LoanView } from './patron.service.ts';
export { deskLookup, holdShelf, inTransit, pullList, anonymiseLoanHistory, assertDesk } from './desk.service.ts';
export { accessFor, checkToken } from './access.service.ts';
export { lendingLibraries, type NoticeLibrary } from './lending.notices.ts';
export { noticeLib, branchId, statusJson } from './lending.routes.ts';
export { seedDemoLending, seedDemoMember } from './lending.seed.ts';
export { LENDING_JOBS, sendDueReminders, sendOverdueNotices, REMIND_DAYS_BEFORE, OVERDUE_REPEAT_DAYS, OVERDUE_NOTICE_WEEKS } from './lending.jobs.ts';
export * as LendingErrors from './lending.errors.ts';

// Loans and holds live at the member's library; a moved member may have history at the old one,
// so export and erasure look in every library, one short transaction each.
async function librariesOf(ctx: Ctx) {
  return inNetwork(ctx.db, (tx) => tx.selectFrom('library').select('id').execute());
}
registerPersonalDataSource({
  name: 'lending',
  tables: ['loan', 'hold', 'lending_member'],
  async collect(ctx, accountId) {
    const loans: unknown[] = []; const holds: unknown[] = [];
    for (const { id } of await librariesOf(ctx)) {
      await inTenant(ctx.db, id, async (tx) => {
        loans.push(...await tx.selectFrom('loan as l').innerJoin('title as t', 't.id', 'l.titleId')
          .select(['t.title', 'l.kind', 'l.status', 'l.checkedOutAt', 'l.dueAt', 'l.endedAt', 'l.renewals', 'l.fineCents'])
          .where('l.libraryId', '=', id).where('l.accountId', '=', accountId).execute());
        holds.push(...await tx.selectFrom('hold as h').innerJoin('title as t', 't.id', 'h.titleId')
          .select(['t.title', 'h.kind', 'h.status', 'h.frozen', 'h.createdAt', 'h.endedAt'])
          .where('h.libraryId', '=', id).where('h.accountId', '=', accountId).execute());
      });
    }
    return { loans, holds };
  },
  async anonymise(ctx, accountId) {
    // ended loans lose the person (kept for statistics); open ones stay until returned, because
    // the copy is still out. Holds end; ended holds are removed (they hold nothing worth counting).
    for (const { id } of await librariesOf(ctx)) {
      await inTenant(ctx.db, id, async (tx) => {
        await tx.updateTable('loan').set({ accountId: null, anonymisedAt: new Date() }).where('libraryId', '=', id).where('accountId', '=', accountId).where('status', '<>', 'open').execute();
        await tx.updateTable('hold').set({ status: 'cancelled', endedAt: new Date(), frozen: false, itemId: null, poolId: null, readyUntil: null })
          .where('libraryId', '=', id).where('accountId', '=', accountId).where('status', 'in', ['waiting', 'in_transit', 'ready']).execute();
        await tx.deleteFrom('hold').where('libraryId', '=', id).where('accountId', '=', accountId).execute();
      });
    }
  },
});

export async function lendingModule(app: FastifyInstance): Promise<void> {
  await lendingRoutes(app);
  await registerPortalRoutes(app, (scope) => {
    registerLendingPages(scope);
    registerDeskPages(scope);
  });
  registerContentPage(app);
}
