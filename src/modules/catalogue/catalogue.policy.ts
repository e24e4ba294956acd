// Who may change a library's catalogue: its librarians and library admins (admins with a second
// factor in the session, as everywhere), and the system actor (CLI, imports, seeds). Staff roles
// are library-level rows under RLS, so the check runs inside the tenant transaction of the library
// concerned: a librarian of library B is no librarian of library A. National titles stay read-only
// for every library; only their own local titles and their copies are theirs to change.
import type { Ctx } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import { requireStaff } from '../membership/index.ts';

const CURATORS = ['librarian', 'library_admin'] as const;

/** The account id to record in the audit trail (null for the system actor). */
export async function assertMayCurate(ctx: Ctx, tx: Tx): Promise<string | null> {
  if (ctx.actor.kind === 'system') return null;
  const { actor } = await requireStaff(ctx, tx, [...CURATORS]);
  return actor.accountId;
}
