// The activities module: events, courses and services, registrations with waitlist, check-in and
// iCalendar. Other modules use it only through what this file exports.
import type { FastifyInstance } from 'fastify';
import { registerPortalRoutes } from '../network/index.ts';
import { registerActivityPages } from './activities.pages.tsx';
import { activitiesRoutes } from './activities.routes.ts';
import { registerStaffPages } from './activities.staff-pages.tsx';
import './activities.tables.ts';

export {
  agenda, getActivity, register, cancelRegistration, checkIn, createActivity, updateActivity, setStatus,
  duplicateActivity, listRegistrations, myRegistrations, anonymiseRegistrations, messageRegistrants, sendReminders, importCalendar, calendarFeed,
  sharedParticipation, organiserOf,
  type ActivityInput, type AgendaEntry, type RegisterResult,
} from './activities.service.ts';
export { seedDemoActivities } from './activities.seed.ts';
export { FUNCTION_LABELS, AUDIENCE_LABELS, KIND_LABELS } from './activities.labels.ts';
export { STATUTORY_FUNCTIONS, AUDIENCES, type StatutoryFunction, type Audience } from './activities.tables.ts';

export async function activitiesModule(app: FastifyInstance): Promise<void> {
  await activitiesRoutes(app);
  await registerPortalRoutes(app, (scope) => {
    registerActivityPages(scope);
    registerStaffPages(scope);
  });
}
