// Kiosk credentials: one per self-service machine, per library. A kiosk logs in with
// "<library slug>/<login>" (SIP2 field CN) so that the server knows which library's rows to read
// before it may read any (row-level security needs the tenant first).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Ctx } from '../../../platform/context.ts';
import type { Database } from '../../../platform/db/database.ts';
import { inNetwork, inTenant } from '../../../platform/db/tenant.ts';
import { hashSecret, verifySecret } from '../../accounts/credentials.ts';
import { KioskBranchUnknown, KioskExists, KioskInstitutionInvalid, KioskLibraryUnknown, KioskLoginInvalid } from './sip2.errors.ts';
import type { Encoding } from './protocol.ts';
import './kiosk.tables.ts';

export interface Kiosk {
  id: string;
  libraryId: string;
  librarySlug: string;
  libraryName: string;
  login: string;
  branchId: string;
  branchSlug: string;
  branchName: string;
  institutionId: string;
  encoding: Encoding;
}

export const loginName = (librarySlug: string, login: string): string => `${librarySlug}/${login}`;

export async function addKiosk(ctx: Ctx, input: {
  librarySlug: string; branchSlug: string; login: string; institutionId?: string; encoding?: Encoding;
}): Promise<{ kiosk: Kiosk; cn: string; password: string }> {
  const login = input.login.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{1,39}$/.test(login)) throw KioskLoginInvalid();
  const institutionId = input.institutionId ?? input.librarySlug.toUpperCase();
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(institutionId)) throw KioskInstitutionInvalid();
  const library = await inNetwork(ctx.db, (tx) => tx.selectFrom('library').select(['id', 'slug', 'name'])
    .where('slug', '=', input.librarySlug).executeTakeFirst());
  if (!library) throw KioskLibraryUnknown(input.librarySlug);
  // 24 characters from 18 random bytes: typed once into the kiosk's configuration
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashSecret(password);
  const kiosk = await inTenant(ctx.db, library.id, async (tx) => {
    const branch = await tx.selectFrom('branch').select(['id', 'slug', 'name']).where('slug', '=', input.branchSlug).executeTakeFirst();
    if (!branch) throw KioskBranchUnknown(input.branchSlug);
    const row = await tx.insertInto('kiosk').values({
      libraryId: library.id, login, passwordHash, branchId: branch.id, institutionId, encoding: input.encoding ?? 'latin1',
    }).onConflict((oc) => oc.columns(['libraryId', 'login']).doNothing()).returning(['id', 'encoding']).executeTakeFirst();
    if (!row) throw KioskExists(login);
    return {
      id: row.id, libraryId: library.id, librarySlug: library.slug, libraryName: library.name, login,
      branchId: branch.id, branchSlug: branch.slug, branchName: branch.name, institutionId, encoding: row.encoding,
    };
  });
  return { kiosk, cn: loginName(library.slug, login), password };
}

/** The kiosk whose CN and CO these are, or null (unknown, inactive or wrong password alike). */
export async function authenticateKiosk(ctx: Ctx, cn: string, co: string): Promise<Kiosk | null> {
  const m = /^([a-z0-9-]{1,60})\/([a-z0-9][a-z0-9._-]{1,39})$/.exec(cn.trim().toLowerCase());
  const library = m
    ? await inNetwork(ctx.db, (tx) => tx.selectFrom('library').select(['id', 'slug', 'name']).where('slug', '=', m[1]!).executeTakeFirst())
    : undefined;
  const row = library
    ? await inTenant(ctx.db, library.id, (tx) => tx.selectFrom('kiosk as k')
      .innerJoin('branch as b', (j) => j.onRef('b.libraryId', '=', 'k.libraryId').onRef('b.id', '=', 'k.branchId'))
      .select(['k.id', 'k.login', 'k.passwordHash', 'k.branchId', 'k.institutionId', 'k.encoding', 'b.slug as branchSlug', 'b.name as branchName'])
      .where('k.login', '=', m![2]!).where('k.active', '=', true).executeTakeFirst())
    : undefined;
  // an unknown kiosk costs the same argon2 time as a wrong password (verifySecret with null)
  const ok = await verifySecret(row?.passwordHash ?? null, co);
  if (!ok || !row || !library) return null;
  await inTenant(ctx.db, library.id, (tx) => tx.updateTable('kiosk').set({ lastLoginAt: new Date() })
    .where('libraryId', '=', library.id).where('id', '=', row.id).execute());
  return {
    id: row.id, libraryId: library.id, librarySlug: library.slug, libraryName: library.name, login: row.login,
    branchId: row.branchId, branchSlug: row.branchSlug, branchName: row.branchName, institutionId: row.institutionId, encoding: row.encoding,
  };
}

/** The demo kiosk (documented in the README; only in the demo network). */
export const DEMO_KIOSK = { librarySlug: 'utrecht', branchSlug: 'centrale-bibliotheek', login: 'kiosk-demo', password: 'demo kiosk wachtwoord', institutionId: 'UTRECHT' };

export async function seedDemoKiosk(db: Kysely<Database>): Promise<void> {
  const library = await db.selectFrom('library').select('id').where('slug', '=', DEMO_KIOSK.librarySlug).executeTakeFirst();
  if (!library) return;
  const branch = await inTenant(db, library.id, (tx) => tx.selectFrom('branch').select('id').where('slug', '=', DEMO_KIOSK.branchSlug).executeTakeFirst());
  if (!branch) return;
  const passwordHash = await hashSecret(DEMO_KIOSK.password);
  await inTenant(db, library.id, (tx) => tx.insertInto('kiosk').values({
    libraryId: library.id, login: DEMO_KIOSK.login, passwordHash, branchId: branch.id, institutionId: DEMO_KIOSK.institutionId,
  }).onConflict((oc) => oc.columns(['libraryId', 'login']).doNothing()).execute());
}
