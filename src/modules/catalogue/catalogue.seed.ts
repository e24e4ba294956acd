// Seeds the demo catalogue: the DBNL titles as national titles (and their open EPUB/PDF editions
// as national e-books), then each demo library's physical copies. Network rows are written by the
// owner in bulk; items go through the tenant path so row-level security checks them like any
// other write. Only into a catalogue without DBNL titles, so a restart never duplicates them.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import './catalogue.tables.ts';
import { buildDemoCatalogue, buildDemoItems, loadDbnl, type DbnlRecord } from './demo-catalogue.ts';

const CHUNK = 1000;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * What search derives from the whole catalogue, after a seed or a national import (and nightly,
 * job search-statistics): the typo-tolerance vocabulary, and the popularity tiers of the
 * search documents (migration 0099).
 */
export async function refreshSearchStatistics(db: Kysely<Database>): Promise<number> {
  await sql`select eenbieb_refresh_vocabulary()`.execute(db);
  const { rows } = await sql<{ n: number }>`select eenbieb_refresh_popularity_tiers() as n`.execute(db);
  return rows[0]!.n; // titles whose tier changed
}

export async function seedDemoCatalogue(db: Kysely<Database>, records: DbnlRecord[] = loadDbnl()): Promise<{ titles: number; items: number }> {
  const existing = await db.selectFrom('title').select('id').where('source', '=', 'dbnl').limit(1).executeTakeFirst();
  if (existing) return { titles: 0, items: 0 };
  const demo = buildDemoCatalogue(records);
  await db.transaction().execute(async (tx) => {
    for (const part of chunks(demo.works)) await tx.insertInto('work').values(part).execute();
    for (const part of chunks(demo.contributors)) await tx.insertInto('contributor').values(part).execute();
    for (const part of chunks(demo.titles, 500)) await tx.insertInto('title').values(part).execute();
    for (const part of chunks(demo.titleContributors)) await tx.insertInto('titleContributor').values(part).execute();
  });
  const libraries = await db.selectFrom('library').select(['id', 'slug']).orderBy('slug').execute();
  let items = 0;
  for (const [index, library] of libraries.entries()) {
    await inTenant(db, library.id, async (tx) => {
      const branches = await tx.selectFrom('branch').select('id').where('libraryId', '=', library.id).orderBy('slug').execute();
      const rows = buildDemoItems(demo.titles, library.slug, index, branches.map((b) => b.id));
      for (const part of chunks(rows)) {
        await tx.insertInto('item').values(part.map((r) => ({ ...r, libraryId: library.id }))).execute();
      }
      items += rows.length;
    });
  }
  await refreshSearchStatistics(db);
  return { titles: demo.titles.length, items };
}
