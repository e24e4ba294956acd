// Seeding: the CBS reference data (always, idempotent) and the demo network (only into a
// database that has no library yet). Network tables are written by the owner; library-level
// rows go through the tenant path so row-level security checks them like any other write.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { brandProblems } from './branding.ts';
import { buildDemoNetwork } from './demo-network.ts';
import { loadReferenceData, type ReferenceData } from './reference-data.ts';

export async function seedReferenceData(db: Kysely<Database>, ref: ReferenceData = loadReferenceData()): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('municipality').values(ref.municipalities)
      .onConflict((oc) => oc.column('code').doUpdateSet({
        name: (eb) => eb.ref('excluded.name'),
        provinceCode: (eb) => eb.ref('excluded.provinceCode'),
        provinceName: (eb) => eb.ref('excluded.provinceName'),
        inhabitants: (eb) => eb.ref('excluded.inhabitants'),
      }))
      .execute();
    await tx.insertInto('postcodeArea').values(ref.postcodes)
      .onConflict((oc) => oc.column('pc4').doUpdateSet({
        municipalityCode: (eb) => eb.ref('excluded.municipalityCode'),
        place: (eb) => eb.ref('excluded.place'),
        inhabitants: (eb) => eb.ref('excluded.inhabitants'),
        sourceMunicipalityName: (eb) => eb.ref('excluded.sourceMunicipalityName'),
      }))
      .execute();
  });
}

export async function hasLibraries(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('library').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n) > 0;
}

/** Seeds the demo network; returns the number of libraries created (0 if there already were). */
export async function seedDemoNetwork(db: Kysely<Database>, ref: ReferenceData = loadReferenceData(), today = new Date()): Promise<number> {
  if (await hasLibraries(db)) return 0;
  const demo = buildDemoNetwork(ref, today);
  for (const lib of demo) {
    const problems = brandProblems(lib.brand);
    if (problems.length) throw new Error(`demo brand of ${lib.slug} fails contrast: ${problems.join('; ')}`);
  }
  await db.transaction().execute(async (tx) => {
    for (const lib of demo) {
      const { id } = await tx.insertInto('library').values({
        slug: lib.slug,
        name: lib.name,
        shortName: lib.shortName,
        kind: lib.kind,
        brand: JSON.stringify(lib.brand),
        logoSvg: lib.logoSvg,
        email: lib.email,
        phone: lib.phone,
      }).returning('id').executeTakeFirstOrThrow();
      await tx.insertInto('libraryServiceArea')
        .values(lib.municipalityCodes.map((municipalityCode) => ({ libraryId: id, municipalityCode })))
        .execute();
      lib.id = id;
    }
  });
  for (const lib of demo) {
    await inTenant(db, lib.id!, async (tx) => {
      for (const b of lib.branches) {
        const { id: branchId } = await tx.insertInto('branch').values({
          libraryId: lib.id!,
          slug: b.slug,
          name: b.name,
          street: b.street,
          houseNumber: b.houseNumber,
          postcode: b.postcode,
          city: b.city,
          municipalityCode: b.municipalityCode,
          phone: b.phone,
          email: b.email,
        }).returning('id').executeTakeFirstOrThrow();
        await tx.insertInto('branchOpeningHours')
          .values(b.hours.map((h) => ({ libraryId: lib.id!, branchId, ...h })))
          .execute();
        await tx.insertInto('branchOpeningException')
          .values(b.exceptions.map((e) => ({ libraryId: lib.id!, branchId, ...e })))
          .execute();
      }
    });
  }
  return demo.length;
}
