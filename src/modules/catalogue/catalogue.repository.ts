// SQL of the catalogue module. Functions take the transaction they run in. Every read of title
// applies `visibleTo`: national titles, and the local titles of the library that asks (see
// 0020_catalogue.sql for why this is in the queries rather than a row-level security policy).
import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { Tx } from '../../platform/db/tenant.ts';
import './catalogue.tables.ts';

export function visibleTo(libraryId: string) {
  return (eb: ExpressionBuilder<Database & { t: Database['title'] }, 't'>) =>
    eb.or([eb('t.ownerLibraryId', 'is', null), eb('t.ownerLibraryId', '=', libraryId)]);
}

/** The same rule for raw SQL over `title` aliased as `alias`. */
export function visibleToSql(alias: string, libraryId: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.owner_library_id`)} is null or ${sql.ref(`${alias}.owner_library_id`)} = ${libraryId})`;
}

const TITLE_COLUMNS = [
  't.id', 't.workId', 't.ownerLibraryId', 't.source', 't.sourceId', 't.format', 't.title', 't.subtitle', 't.contributorNames',
  't.language', 't.year', 't.yearDisplay', 't.edition', 't.publisher', 't.series', 't.seriesNumber', 't.genres', 't.subjects',
  't.audience', 't.aviLevel', 't.isbn', 't.ppn', 't.description', 't.openAccessUrl', 't.popularity',
] as const;

export async function findTitle(tx: Tx, libraryId: string, id: string) {
  return tx.selectFrom('title as t').select(TITLE_COLUMNS).where('t.id', '=', id).where(visibleTo(libraryId)).executeTakeFirst();
}

export async function titlesOfWork(tx: Tx, libraryId: string, workId: string) {
  return tx.selectFrom('title as t').select(TITLE_COLUMNS).where('t.workId', '=', workId).where(visibleTo(libraryId))
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
    .where(visibleTo(libraryId))
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
