// The membership module: plans, sign-up, "Mijn bibliotheek", staff member lookup and audit.
import type { FastifyInstance } from 'fastify';
import { registerPortalRoutes } from '../network/index.ts';
import { registerMembershipPages } from './membership.pages.tsx';
import { membershipRoutes } from './membership.routes.ts';
import { registerStaffPages } from './staff.pages.tsx';

export { seedDemoMembership } from './membership.seed.ts';
export { eraseDueAccounts, listPlans } from './membership.service.ts';
// other modules authorise their staff tools with the same rule (roles at this library, admins with a second factor)
export { requireStaff } from './membership.policy.ts';

export async function membershipModule(app: FastifyInstance): Promise<void> {
  await membershipRoutes(app);
  await registerPortalRoutes(app, (scope) => {
    registerMembershipPages(scope);
    registerStaffPages(scope);
  });
}
