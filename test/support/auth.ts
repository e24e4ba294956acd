// Test factories for people: an account (optionally with profile, membership and staff roles)
// created as real rows, and a signed-in session cookie for it.
import { sql } from 'kysely';
import type { TestApp } from './app.ts';
import { createSession, sessionCookieName } from '../../src/modules/accounts/session.ts';
import { inNetwork } from '../../src/platform/db/tenant.ts';

let n = 0;

export async function buildAccount(t: TestApp, options: { librarySlug?: string; email?: string } = {}): Promise<{ id: string; email: string; libraryId: string }> {
  const library = await t.db.kysely.selectFrom('library').select('id').where('slug', '=', options.librarySlug ?? 'utrecht').executeTakeFirstOrThrow();
  const email = options.email ?? `persoon${process.pid}.${n++}@example.org`;
  const { id } = await t.db.kysely.insertInto('account').values({ email, homeLibraryId: library.id, emailVerifiedAt: new Date() }).returning('id').executeTakeFirstOrThrow();
  return { id, email, libraryId: library.id };
}

/** A cookie header value that signs the account in (as if it had logged in). */
export async function signIn(t: TestApp, accountId: string, options: { mfa?: boolean } = {}): Promise<Record<string, string>> {
  const s = await inNetwork(t.db.kysely, (tx) => createSession(tx, accountId, 'test', options.mfa ?? false));
  return { [sessionCookieName(t.config)]: s.token };
}

export async function grantStaff(t: TestApp, accountId: string, librarySlug: string, role: 'desk' | 'librarian' | 'library_admin'): Promise<void> {
  const library = await t.db.kysely.selectFrom('library').select('id').where('slug', '=', librarySlug).executeTakeFirstOrThrow();
  await sql`insert into staff_role (library_id, account_id, role) values (${library.id}, ${accountId}, ${role})`.execute(t.db.kysely);
}
