// Who may manage a library's activities. Staff roles are library-level rows under RLS, so the
// check runs inside the tenant transaction of the library concerned (no shared staff policy
// exists yet; when the accounts module offers one, this file should call it).
import type { Actor } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import { Forbidden, LoginRequired } from '../accounts/index.ts';

/** Roles that create, edit and publish activities and see registration lists. */
const MANAGE = ['librarian', 'library_admin'] as const;
/** Roles that check people in at the door. */
const CHECK_IN = ['desk', 'librarian', 'library_admin'] as const;

async function rolesOf(tx: Tx, libraryId: string, accountId: string): Promise<string[]> {
  const rows = await tx.selectFrom('staffRole').select('role')
    .where('libraryId', '=', libraryId).where('accountId', '=', accountId).execute();
  return rows.map((r) => r.role);
}

async function requireRole(tx: Tx, libraryId: string, actor: Actor, allowed: readonly string[]): Promise<string> {
  if (actor.kind === 'system') return actor.name;
  if (actor.kind !== 'account') throw LoginRequired();
  const roles = await rolesOf(tx, libraryId, actor.accountId);
  if (!roles.some((r) => allowed.includes(r))) throw Forbidden();
  return actor.accountId;
}

export const canManageActivities = (tx: Tx, libraryId: string, actor: Actor) => requireRole(tx, libraryId, actor, MANAGE);
export const canCheckIn = (tx: Tx, libraryId: string, actor: Actor) => requireRole(tx, libraryId, actor, CHECK_IN);

/** True when the actor is staff of the library (used to show staff links, never to authorise). */
export async function isStaff(tx: Tx, libraryId: string, actor: Actor): Promise<boolean> {
  if (actor.kind !== 'account') return false;
  return (await rolesOf(tx, libraryId, actor.accountId)).length > 0;
}
