// Test factories for lending: a member with an active membership on a plan (real rows), titles
// with copies, and licence pools with a chosen model.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';
import { inTenant } from '../../src/platform/db/tenant.ts';
import type { TestApp } from './app.ts';
import { signIn } from './auth.ts';
import { buildItem, buildTitle, libraryId } from './catalogue-factory.ts';

let serial = 0;

/** A card number unique within the test run (14 digits; the prefix 99 is never issued by the seed). */
export function testCardNumber(): string {
  serial++;
  return `99${String(process.pid % 10000).padStart(4, '0')}${String(serial).padStart(8, '0')}`;
}

export interface TestMember { id: string; email: string; libraryId: string; cardNumber: string; cookies: Record<string, string> }

/** A member (account, active membership on a plan, profile) as real rows. */
export async function insertMember(db: Kysely<Database>, options: { librarySlug?: string; plan?: string; validUntil?: string | null } = {}): Promise<Omit<TestMember, 'cookies'>> {
  const lib = await libraryId(db, options.librarySlug ?? 'utrecht');
  const email = `lener${process.pid}.${++serial}@example.org`;
  const { id } = await db.insertInto('account').values({ email, homeLibraryId: lib, emailVerifiedAt: new Date() }).returning('id').executeTakeFirstOrThrow();
  const cardNumber = testCardNumber();
  await inTenant(db, lib, async (tx) => {
    const plan = await tx.selectFrom('plan').select('id').where('libraryId', '=', lib).where('code', '=', options.plan ?? 'volwassen').executeTakeFirstOrThrow();
    await tx.insertInto('membership').values({ libraryId: lib, accountId: id, planId: plan.id, cardNumber, status: 'active', validUntil: options.validUntil ?? null }).execute();
    await tx.insertInto('memberProfile').values({ libraryId: lib, accountId: id, givenName: 'Test', familyName: `Lid ${serial}` }).execute();
  });
  return { id, email, libraryId: lib, cardNumber };
}

export async function buildMember(t: TestApp, options: { librarySlug?: string; plan?: string; validUntil?: string | null } = {}): Promise<TestMember> {
  const m = await insertMember(t.db.kysely, options);
  return { ...m, cookies: await signIn(t, m.id) };
}

/** A national book title with `copies` copies at the library (first branch by slug, or the given ones). */
export async function buildTitleWithCopies(db: Kysely<Database>, librarySlug: string, copies: number, options: { title?: string; branches?: string[]; format?: 'book' | 'dvd' } = {}) {
  const lib = await libraryId(db, librarySlug);
  const title = await buildTitle(db, { title: options.title ?? `Testtitel ${++serial}`, format: options.format ?? 'book' });
  const items: { id: string; barcode: string }[] = [];
  for (let i = 0; i < copies; i++) items.push(await buildItem(db, lib, { titleId: title.id, branchSlug: options.branches?.[i % options.branches.length] }));
  return { titleId: title.id, items, libraryId: lib };
}

export async function buildPool(db: Kysely<Database>, input: { model: 'one_copy_one_user' | 'simultaneous' | 'metered_loans' | 'metered_time'; concurrency?: number | null; loansTotal?: number | null; validUntil?: Date | null; titleId?: string; priority?: number; provider?: string; ownerLibraryId?: string | null }) {
  const titleId = input.titleId ?? (await buildTitle(db, { title: `E-book ${++serial}`, format: 'ebook', openAccessUrl: 'https://www.dbnl.org/test.epub' })).id;
  const pool = await db.insertInto('licensePool').values({
    titleId, provider: input.provider ?? 'demo-uitgeverij', model: input.model,
    concurrency: input.model === 'simultaneous' ? null : (input.concurrency ?? 1),
    loansTotal: input.model === 'metered_loans' ? (input.loansTotal ?? 5) : null,
    validUntil: input.model === 'metered_time' ? (input.validUntil ?? new Date(Date.now() + 365 * 86_400_000)) : null,
    priority: input.priority ?? 0, ownerLibraryId: input.ownerLibraryId ?? null,
  }).returning('id').executeTakeFirstOrThrow();
  return { titleId, poolId: pool.id };
}

export async function branchIdOf(db: Kysely<Database>, libraryId: string, slug?: string): Promise<{ id: string; slug: string }> {
  return inTenant(db, libraryId, (tx) => tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', libraryId)
    .$if(!!slug, (q) => q.where('slug', '=', slug!)).orderBy('slug').executeTakeFirstOrThrow());
}

export async function poolCounters(db: Kysely<Database>, poolId: string) {
  const { rows } = await sql<{ inUse: number; loansUsed: number; offered: number }>`SELECT in_use, loans_used, offered FROM license_pool WHERE id = ${poolId}`.execute(db);
  return rows[0]!;
}
