// SQL of the network module. Functions take the transaction they run in.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/tenant.ts';

/** Every PC4 area with its municipality and library (about 4,000 rows), for the routing cache. */
export async function allRoutes(tx: Tx) {
  return tx.selectFrom('postcodeArea as p')
    .leftJoin('municipality as m', 'm.code', 'p.municipalityCode')
    .leftJoin('libraryServiceArea as s', 's.municipalityCode', 'p.municipalityCode')
    .leftJoin('library as l', 'l.id', 's.libraryId')
    .select([
      'p.pc4', 'p.place', 'm.code as municipalityCode', 'm.name as municipalityName',
      'l.id as libraryId', 'l.slug as librarySlug', 'l.name as libraryName',
    ])
    .execute();
}

export async function listLibraries(tx: Tx) {
  return tx.selectFrom('library as l')
    .select([
      'l.id', 'l.slug', 'l.name', 'l.shortName', 'l.kind',
      sql<string[]>`coalesce((
        select array_agg(m.name order by m.name)
        from library_service_area s join municipality m on m.code = s.municipality_code
        where s.library_id = l.id), '{}')`.as('municipalities'),
      // places (woonplaatsen) too, so "Weesp" finds the library of Amsterdam after the merger
      sql<string[]>`coalesce((
        select array_agg(distinct p.place)
        from library_service_area s join postcode_area p on p.municipality_code = s.municipality_code
        where s.library_id = l.id and p.place is not null), '{}')`.as('places'),
    ])
    .orderBy('l.name')
    .execute();
}

export async function findLibraryBySlug(tx: Tx, slug: string) {
  return tx.selectFrom('library')
    .select(['id', 'slug', 'name', 'shortName', 'kind', 'brand', 'logoSvg', 'email', 'phone', 'modules', 'settings', 'cardPrefix'])
    .where('slug', '=', slug)
    .executeTakeFirst();
}

export async function listBranches(tx: Tx, libraryId: string) {
  return tx.selectFrom('branch')
    .selectAll()
    .where('libraryId', '=', libraryId)
    .orderBy('name')
    .execute();
}

export async function weeklyHours(tx: Tx, libraryId: string, branchIds: string[]) {
  if (!branchIds.length) return [];
  return tx.selectFrom('branchOpeningHours')
    .select(['branchId', 'weekday', sql<string>`to_char(opens, 'HH24:MI')`.as('opens'), sql<string>`to_char(closes, 'HH24:MI')`.as('closes')])
    .where('libraryId', '=', libraryId)
    .where('branchId', 'in', branchIds)
    .orderBy('weekday').orderBy('opens')
    .execute();
}

export async function exceptionsBetween(tx: Tx, libraryId: string, branchIds: string[], from: string, to: string) {
  if (!branchIds.length) return [];
  return tx.selectFrom('branchOpeningException')
    .select([
      'branchId', 'date', 'reasonNl', 'reasonEn',
      sql<string | null>`to_char(opens, 'HH24:MI')`.as('opens'),
      sql<string | null>`to_char(closes, 'HH24:MI')`.as('closes'),
    ])
    .where('libraryId', '=', libraryId)
    .where('branchId', 'in', branchIds)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .orderBy('date')
    .execute();
}
