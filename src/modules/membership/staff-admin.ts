// Creating staff accounts and granting roles, for the CLI and the demo seed. A staff member is an
// ordinary account (one per person) with roles per library or in the network.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { hashSecret } from '../accounts/credentials.ts';
import { passwordProblem } from '../accounts/password-policy.ts';
import type { Config } from '../../platform/config.ts';
import { systemCtx } from '../../platform/context.ts';
import { signUp, verifyLink } from './membership.service.ts';

export type GrantableRole = 'desk' | 'librarian' | 'library_admin' | 'network_staff' | 'municipality_viewer';

export async function ensureStaffAccount(db: Kysely<Database>, input: {
  email: string; password: string; librarySlug: string; role: GrantableRole; municipalityCode?: string; givenName?: string; familyName?: string;
}): Promise<string> {
  const problem = passwordProblem(input.password);
  if (problem) throw new Error(`password refused: ${problem}`);
  const library = await db.selectFrom('library').select('id').where('slug', '=', input.librarySlug).executeTakeFirst();
  if (!library) throw new Error(`unknown library ${input.librarySlug}`);
  const email = input.email.trim().toLowerCase();
  let account = await db.selectFrom('account').select(['id', 'homeLibraryId']).where('email', '=', email).executeTakeFirst();
  if (!account) {
    account = await db.insertInto('account').values({ email, passwordHash: await hashSecret(input.password), homeLibraryId: library.id, emailVerifiedAt: new Date() })
      .returning(['id', 'homeLibraryId']).executeTakeFirstOrThrow();
    await inTenant(db, library.id, (tx) => tx.insertInto('memberProfile').values({
      libraryId: library.id, accountId: account!.id, givenName: input.givenName ?? 'Medewerker', familyName: input.familyName ?? input.role,
    }).execute());
  }
  const accountId = account.id;
  if (input.role === 'network_staff' || input.role === 'municipality_viewer') {
    if (input.role === 'municipality_viewer' && !input.municipalityCode) throw new Error('a municipality viewer needs --municipality GMxxxx');
    await sql`insert into network_role (account_id, role, municipality_code) values (${accountId}, ${input.role}, ${input.municipalityCode ?? null})
      on conflict (account_id, role) do update set municipality_code = excluded.municipality_code`.execute(db);
  } else {
    await inTenant(db, library.id, (tx) => tx.insertInto('staffRole').values({ libraryId: library.id, accountId, role: input.role as 'desk' })
      .onConflict((oc) => oc.doNothing()).execute());
  }
  return accountId;
}

/** Demo staff for trying the staff area (documented in the README; never in production). */
export const DEMO_STAFF = [
  { email: 'balie@utrecht.bibliotheek.example', password: 'demo balie wachtwoord', librarySlug: 'utrecht', role: 'desk' as const },
  { email: 'beheer@utrecht.bibliotheek.example', password: 'demo beheer wachtwoord', librarySlug: 'utrecht', role: 'library_admin' as const },
];

export async function seedDemoStaff(db: Kysely<Database>): Promise<void> {
  for (const s of DEMO_STAFF) await ensureStaffAccount(db, s);
}

/**
 * Demo member for trying Mijn bibliotheek, the title page and the desk (documented in the README;
 * never in production). Signed up through the real sign-up (postcode routing, card, PIN, fee),
 * with the reading-history consent, and confirmed.
 */
export const DEMO_MEMBER = {
  email: 'lid@utrecht.bibliotheek.example', password: 'demo lid wachtwoord', pin: '2468', librarySlug: 'utrecht',
  postcode: '3511 AB', plan: 'volwassen',
};

/** The demo member's account id and card, or null when it already exists or there is no demo network. */
export async function ensureDemoMember(db: Kysely<Database>, config: Config): Promise<{ accountId: string; cardNumber: string } | null> {
  const library = await db.selectFrom('library').select('id').where('slug', '=', DEMO_MEMBER.librarySlug).executeTakeFirst();
  const staff = await db.selectFrom('account').select('id').where('email', '=', DEMO_STAFF[0]!.email).executeTakeFirst();
  if (!library || !staff) return null;
  if (await db.selectFrom('account').select('id').where('email', '=', DEMO_MEMBER.email).executeTakeFirst()) return null;
  const ctx = systemCtx(db, config, 'demo-seed');
  await signUp(ctx, {
    postcode: DEMO_MEMBER.postcode, plan: DEMO_MEMBER.plan, email: DEMO_MEMBER.email, password: DEMO_MEMBER.password,
    givenName: 'Demi', familyName: 'de Lezer', birthDate: '1985-04-12', street: 'Oudegracht', houseNumber: '167', city: 'Utrecht',
    pin: DEMO_MEMBER.pin, consents: { reading_history: true }, language: 'nl',
  }, library.id, { verifyUrl: (lib, token) => verifyLink(ctx, lib, token) });
  const account = await db.updateTable('account').set({ emailVerifiedAt: new Date() }).where('email', '=', DEMO_MEMBER.email).returning('id').executeTakeFirstOrThrow();
  const m = await inTenant(db, library.id, (tx) => tx.selectFrom('membership').select('cardNumber').where('libraryId', '=', library.id).where('accountId', '=', account.id).executeTakeFirstOrThrow());
  return { accountId: account.id, cardNumber: m.cardNumber };
}
