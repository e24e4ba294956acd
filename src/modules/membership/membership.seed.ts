// Demo plans and card series for every library without them. Amounts are typical for Dutch
// public libraries in 2026; every library admin can change them.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { inTenant } from '../../platform/db/tenant.ts';

export const DEMO_PLANS = [
  { code: 'volwassen', nameNl: 'Volwassenen', nameEn: 'Adults', kind: 'lending', yearlyFeeCents: 5400, minAge: 18, maxAge: null, maxPhysicalLoans: 20, maxDigitalLoans: 10, maxHolds: 15, loanPeriodDays: 21, sortOrder: 1 },
  { code: 'basis', nameNl: 'Basis (minder lenen)', nameEn: 'Basic (fewer loans)', kind: 'lending', yearlyFeeCents: 3000, minAge: 18, maxAge: null, maxPhysicalLoans: 5, maxDigitalLoans: 5, maxHolds: 3, loanPeriodDays: 21, sortOrder: 2 },
  { code: 'jeugd', nameNl: 'Jeugd (tot 18 jaar, gratis)', nameEn: 'Youth (under 18, free)', kind: 'lending', yearlyFeeCents: 0, minAge: 0, maxAge: 17, maxPhysicalLoans: 20, maxDigitalLoans: 10, maxHolds: 10, loanPeriodDays: 21, sortOrder: 3 },
  { code: 'verbonden', nameNl: 'Gratis account (zonder lenen)', nameEn: 'Free account (no borrowing)', kind: 'connected', yearlyFeeCents: 0, minAge: null, maxAge: null, maxPhysicalLoans: 0, maxDigitalLoans: 0, maxHolds: 0, loanPeriodDays: 21, sortOrder: 4 },
] as const;

export async function seedDemoMembership(db: Kysely<Database>): Promise<void> {
  const libraries = await db.selectFrom('library').select(['id', 'slug', 'cardPrefix']).orderBy('slug').execute();
  let next = 20001 + libraries.filter((l) => l.cardPrefix).length;
  for (const lib of libraries) {
    if (!lib.cardPrefix) {
      await db.updateTable('library').set({ cardPrefix: String(next++) }).where('id', '=', lib.id).execute();
    }
    await inTenant(db, lib.id, async (tx) => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from plan`.execute(tx);
      if (rows[0]!.n > 0) return;
      await tx.insertInto('plan').values(DEMO_PLANS.map((p) => ({ ...p, libraryId: lib.id }))).execute();
    });
  }
}
