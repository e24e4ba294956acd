// What a service may learn about a member, claim by claim. The provider hands out only the claims
// of scopes that the client registered, the request asked for and the member agreed to.
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.ts';
import { inNetwork, inTenant } from '../../../platform/db/tenant.ts';

export const YOUTH_UNTIL = 18;

export function ageGroup(birthDate: string | Date | null, today = new Date()): 'youth' | 'adult' | null {
  if (!birthDate) return null;
  const iso = typeof birthDate === 'string' ? birthDate : birthDate.toISOString().slice(0, 10);
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age--;
  return age < YOUTH_UNTIL ? 'youth' : 'adult';
}

export async function memberClaims(db: Kysely<Database>, accountId: string): Promise<Record<string, unknown> | null> {
  if (!/^[0-9a-f-]{36}$/.test(accountId)) return null;
  const account = await inNetwork(db, (tx) => tx.selectFrom('account as a').innerJoin('library as l', 'l.id', 'a.homeLibraryId')
    .select(['a.id', 'a.email', 'a.emailVerifiedAt', 'a.status', 'a.homeLibraryId', 'l.slug', 'l.name'])
    .where('a.id', '=', accountId).executeTakeFirst());
  if (!account || account.status === 'erased') return null;
  // personal data lives at the home library (row-level security): read it as that tenant
  const { membership, profile } = await inTenant(db, account.homeLibraryId, async (tx) => ({
    // a membership "counts" for a digital service when it is current and on a plan that borrows;
    // a free connected-user account is not a membership for e-book lending
    membership: await tx.selectFrom('membership as m').innerJoin('plan as p', (j) => j.onRef('p.libraryId', '=', 'm.libraryId').onRef('p.id', '=', 'm.planId'))
      .select(['m.id', 'm.validUntil', 'p.kind'])
      .where('m.accountId', '=', accountId).where('m.status', '=', 'active').executeTakeFirst(),
    profile: await tx.selectFrom('memberProfile').select(['givenName', 'familyName', 'birthDate'])
      .where('accountId', '=', accountId).executeTakeFirst(),
  }));
  const today = new Date().toISOString().slice(0, 10);
  const validUntil = membership?.validUntil ? String(membership.validUntil).slice(0, 10) : null;
  return {
    sub: accountId,
    library: { slug: account.slug, name: account.name },
    membership_active: !!membership && membership.kind === 'lending' && (!validUntil || validUntil >= today),
    age_group: ageGroup(profile?.birthDate ?? null),
    ...(profile ? { name: `${profile.givenName} ${profile.familyName}`, given_name: profile.givenName, family_name: profile.familyName } : {}),
    email: account.email,
    email_verified: !!account.emailVerifiedAt,
  };
}
