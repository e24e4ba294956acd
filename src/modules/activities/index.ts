// The activities module: events, courses and services, registrations with waitlist, check-in and
// iCalendar. Other modules use it only through what this file exports.
import type { FastifyInstance } from 'fastify';
import { registerPortalRoutes } from '../network/index.ts';
import { registerActivityPages } from './activities.pages.tsx';
import { activitiesRoutes } from './activities.routes.ts';
import { registerStaffPages } from './activities.staff-pages.tsx';
import './activities.tables.ts';
import { inNetwork, inTenant } from '../../platform/db/tenant.ts';
import { registerPersonalDataSource } from '../../platform/personal-data.ts';
import type { Ctx } from '../../platform/context.ts';
import { anonymiseRegistrations } from './activities.service.ts';

// Registrations live at the organising library (shared activities: any library), so export and
// erasure look in every library, one short transaction each.
async function librariesOf(ctx: Ctx) {
  return inNetwork(ctx.db, (tx) => tx.selectFrom('library').select('id').execute());
}
registerPersonalDataSource({
  name: 'activityRegistrations',
  tables: ['registration'],
  async collect(ctx, accountId) {
    const out: unknown[] = [];
    for (const { id } of await librariesOf(ctx)) {
      out.push(...await inTenant(ctx.db, id, (tx) => tx.selectFrom('registration as r').innerJoin('activity as a', (j) => j.onRef('a.id', '=', 'r.activityId').onRef('a.libraryId', '=', 'r.libraryId'))
        .select(['a.title', 'r.status', 'r.waitlistPosition', 'r.createdAt', 'r.cancelledAt', 'r.checkedInAt'])
        .where('r.accountId', '=', accountId).execute()));
    }
    return out;
  },
  async anonymise(ctx, accountId) {
    for (const { id } of await librariesOf(ctx)) await inTenant(ctx.db, id, (tx) => anonymiseRegistrations(tx, id, accountId));
  },
});

export {
  agenda, getActivity, register, cancelRegistration, checkIn, createActivity, updateActivity, setStatus,
  duplicateActivity, listRegistrations, myRegistrations, anonymiseRegistrations, messageRegistrants, sendReminders, importCalendar, importCalendarFromUrl, importFromSource, calendarFeed,
  sharedParticipation, organiserOf, relatedActivities,
  type ActivityInput, type AgendaEntry, type RegisterResult,
} from './activities.service.ts';
export { seedDemoActivities } from './activities.seed.ts';
export { FUNCTION_LABELS, AUDIENCE_LABELS, KIND_LABELS, whenText, priceText } from './activities.labels.ts';
export { amsterdamToUtc } from './amsterdam-time.ts';
export { STATUTORY_FUNCTIONS, AUDIENCES, type StatutoryFunction, type Audience } from './activities.tables.ts';

export async function activitiesModule(app: FastifyInstance): Promise<void> {
  await activitiesRoutes(app);
  await registerPortalRoutes(app, (scope) => {
    registerActivityPages(scope);
    registerStaffPages(scope);
  });
}
