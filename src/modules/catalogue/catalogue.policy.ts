// Who may change a library's local catalogue. Until staff sessions exist (membership work), only
// the system actor (CLI, imports, tests) may; librarians of the library join with staff roles.
// TODO(#4): allow the library's librarians and admins once staff roles are available.
import type { Ctx } from '../../platform/context.ts';
import { CurationForbidden } from './catalogue.errors.ts';

export function assertMayCurate(ctx: Ctx): void {
  if (ctx.actor.kind !== 'system') throw CurationForbidden();
}
