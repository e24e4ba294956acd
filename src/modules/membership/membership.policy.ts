// Who may do what with members' data. Staff roles are library-level rows, read inside the tenant
// transaction of the library concerned, so a role at library B never counts at library A. A
// denial of something the actor may not know exists is reported as "not found".
import type { AccountActor, Ctx, StaffRole } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import { Forbidden, LoginRequired, SecondFactorRequired } from '../accounts/index.ts';

export async function staffRoles(tx: Tx, accountId: string): Promise<StaffRole[]> {
  const rows = await tx.selectFrom('staffRole').select('role').where('accountId', '=', accountId).execute();
  return rows.map((r) => r.role);
}

/** Library admins (and network roles) must have given a second factor in this session. */
export async function requireStaff(ctx: Ctx, tx: Tx, allowed: StaffRole[]): Promise<{ actor: AccountActor; roles: StaffRole[] }> {
  const actor = ctx.actor;
  if (actor.kind !== 'account') throw LoginRequired();
  const roles = await staffRoles(tx, actor.accountId);
  if (!roles.some((r) => allowed.includes(r))) throw Forbidden();
  if (roles.includes('library_admin') && !actor.mfa) throw SecondFactorRequired();
  return { actor, roles };
}

export function requireSelf(ctx: Ctx): AccountActor {
  if (ctx.actor.kind !== 'account') throw LoginRequired();
  return ctx.actor;
}
