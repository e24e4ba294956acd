// SQL of the catalogue module. Functions take the transaction they run in; title visibility
// (national, or local to the tenant) is applied by the row-level security policy on title.
import type { Tx } from '../../platform/db/tenant.ts';
import './catalogue.tables.ts';

const TITLE_COLUMNS = [
  't.id', 't.workId', 't.ownerLibraryId', 't.source', 't.sourceId', 't.format', 't.title', 't.subtitle', 't.contributorNames',
  't.language', 't.year', 't.yearDisplay', 't.edition', 't.publisher', 't.series', 't.seriesNumber', 't.genres', 't.subjects',
  't.audience', 't.aviLevel', 't.isbn', 't.ppn', 't.description', 't.openAccessUrl', 't.popularity',
] as const;

export async function findTitle(tx: Tx, id: string) {
  return tx.selectFrom('title as t').select(TITLE_COLUMNS).where('t.id', '=', id).executeTakeFirst();
}

export async function titlesOfWork(tx: Tx, workId: string) {
  return tx.selectFrom('title as t').select(TITLE_COLUMNS).where('t.workId', '=', workId)
    .orderBy('t.format').orderBy('t.year', 'desc').orderBy('t.id').execute();
}

export async function contributorsOf(tx: Tx, titleIds: string[]) {
  if (!titleIds.length) return [];
  return tx.selectFrom('titleContributor as tc')
    .innerJoin('contributor as c', 'c.id', 'tc.contributorId')
    .select(['tc.titleId', 'tc.position', 'tc.role', 'c.id', 'c.name', 'c.sortName'])
    .where('tc.titleId', 'in', titleIds)
    .orderBy('tc.titleId').orderBy('tc.position')
    .execute();
}

export async function itemsOf(tx: Tx, libraryId: string, titleIds: string[]) {
  if (!titleIds.length) return [];
  return tx.selectFrom('item as i')
    .innerJoin('branch as b', (j) => j.onRef('b.libraryId', '=', 'i.libraryId').onRef('b.id', '=', 'i.branchId'))
    .select(['i.id', 'i.titleId', 'i.barcode', 'i.shelf', 'i.status', 'b.slug as branchSlug', 'b.name as branchName'])
    .where('i.libraryId', '=', libraryId)
    .where('i.titleId', 'in', titleIds)
    .where('i.status', '!=', 'withdrawn')
    .orderBy('b.name').orderBy('i.shelf').orderBy('i.barcode')
    .execute();
}

export async function findItem(tx: Tx, libraryId: string, id: string) {
  return tx.selectFrom('item as i')
    .innerJoin('branch as b', (j) => j.onRef('b.libraryId', '=', 'i.libraryId').onRef('b.id', '=', 'i.branchId'))
    .innerJoin('title as t', 't.id', 'i.titleId')
    .select(['i.id', 'i.titleId', 'i.barcode', 'i.shelf', 'i.status', 'b.slug as branchSlug', 'b.name as branchName', 't.title', 't.format'])
    .where('i.libraryId', '=', libraryId)
    .where('i.id', '=', id)
    .executeTakeFirst();
}

/** Replaces who made a title: contributor names are shared network-wide, found or added by name. */
export async function setContributors(tx: Tx, titleId: string, contributors: { name: string; sortName: string; role: string }[]): Promise<void> {
  await tx.deleteFrom('titleContributor').where('titleId', '=', titleId).execute();
  if (!contributors.length) return;
  await tx.insertInto('contributor').values(contributors.map((c) => ({ name: c.name, sortName: c.sortName })))
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  const rows = await tx.selectFrom('contributor').select(['id', 'name']).where('name', 'in', contributors.map((c) => c.name)).execute();
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  await tx.insertInto('titleContributor').values(contributors.map((c, position) => ({
    titleId, position, contributorId: byName.get(c.name)!, role: c.role,
  }))).execute();
}
