// Reading links for open digital loans, and the check a content provider makes on a token.
import type { Ctx } from '../../platform/context.ts';
import { inNetwork, inTenant } from '../../platform/db/tenant.ts';
import { grantAccess, verifyToken, type AccessLink, type VerifiedToken } from './content-access.ts';
import { AccessExpired, LoanNotFound } from './lending.errors.ts';

/** A fresh access grant (until the due date) for the member's own open digital loan. */
export async function accessFor(ctx: Ctx, libraryId: string, loanId: string, accountId: string): Promise<AccessLink> {
  return inTenant(ctx.db, libraryId, async (tx) => {
    const loan = await tx.selectFrom('loan as l').innerJoin('licensePool as p', 'p.id', 'l.poolId').innerJoin('title as t', 't.id', 'l.titleId')
      .select(['l.id', 'l.dueAt', 'p.provider', 't.openAccessUrl'])
      .where('l.libraryId', '=', libraryId).where('l.id', '=', loanId).where('l.accountId', '=', accountId)
      .where('l.kind', '=', 'digital').where('l.status', '=', 'open').executeTakeFirst();
    if (!loan || loan.dueAt <= new Date()) throw LoanNotFound();
    return grantAccess(ctx, tx, { libraryId, loanId: loan.id, expiresAt: loan.dueAt, provider: loan.provider, openAccessUrl: loan.openAccessUrl });
  });
}

/** Signature and expiry, then the grant row: a revoked grant (returned early) gives no access. */
export async function checkToken(ctx: Ctx, token: string, now = new Date()): Promise<VerifiedToken & { titleId: string; title: string }> {
  const v = await inNetwork(ctx.db, (tx) => verifyToken(tx, token, now));
  return inTenant(ctx.db, v.libraryId, async (tx) => {
    const grant = await tx.selectFrom('accessGrant as g').innerJoin('loan as l', (j) => j.onRef('l.libraryId', '=', 'g.libraryId').onRef('l.id', '=', 'g.loanId'))
      .innerJoin('title as t', 't.id', 'l.titleId')
      .select(['g.revokedAt', 'g.expiresAt', 'l.titleId', 't.title']).where('g.libraryId', '=', v.libraryId).where('g.id', '=', v.grantId).executeTakeFirst();
    if (!grant || grant.revokedAt || grant.expiresAt <= now) throw AccessExpired();
    return { ...v, titleId: grant.titleId, title: grant.title };
  });
}
