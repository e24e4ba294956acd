// MARCXML export of one title or a library's set (issue #4), streamed record by record so a
// whole library's catalogue never sits in memory. Reuses the title reads of the catalogue service
// and the MARCXML writer of marcxml.ts.
import { sql, type Kysely } from 'kysely';
import type { Config } from '../../platform/config.ts';
import { systemCtx, type Ctx } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { getTitle, listItems } from './catalogue.service.ts';
import { visibleTo } from './catalogue.repository.ts';
import { MARCXML_HEAD, MARCXML_TAIL, marcxmlRecord, titleToMarc } from './marcxml.ts';
import './catalogue.tables.ts';

/**
 * A tenant that owns nothing: with it, the catalogue reads see exactly the national catalogue and
 * no copies. Used to export a national title without naming a library.
 */
const NO_LIBRARY = '00000000-0000-0000-0000-000000000000';

export interface MarcExportOptions {
  /** The library whose local titles and copies are included; none: national titles only. */
  library?: { id: string; name: string };
  titleId?: string;
  /** Full-text query over the titles the library can see; without it, the library's own set. */
  query?: string;
}

const PAGE = 200;

/** The ids of the set, a page at a time (keyset on id). */
async function setPage(db: Kysely<Database>, libraryId: string, query: string | undefined, after: string | null): Promise<string[]> {
  return inTenant(db, libraryId, async (tx) => {
    let q = tx.selectFrom('title as t').select('t.id').where(visibleTo(libraryId));
    if (query) {
      q = q.where(sql<boolean>`t.search_vector @@ websearch_to_tsquery('dutch', eenbieb_fold(${query}))`);
    } else {
      // the library's set: the titles it holds copies of, and its local titles
      q = q.where((eb) => eb.or([
        eb('t.ownerLibraryId', '=', libraryId),
        eb.exists(eb.selectFrom('item as i').select(sql`1`.as('one')).whereRef('i.titleId', '=', 't.id').where('i.libraryId', '=', libraryId)),
      ]));
    }
    if (after) q = q.where('t.id', '>', after);
    return (await q.orderBy('t.id').limit(PAGE).execute()).map((r) => r.id);
  });
}

/** The MARCXML document in pieces: head, one record at a time, tail. Throws TitleNotFound for an unknown --title. */
export async function* exportMarcXml(db: Kysely<Database>, config: Config, options: MarcExportOptions): AsyncGenerator<string> {
  const libraryId = options.library?.id ?? NO_LIBRARY;
  const ctx: Ctx = { ...systemCtx(db, config, 'marc-export'), libraryId };
  const record = async (id: string) => {
    const detail = await getTitle(ctx, id);
    const items = options.library ? await listItems(ctx, id) : [];
    return `${marcxmlRecord(titleToMarc(detail, items.map((i) => ({ branchName: i.branchName, shelf: i.shelf, barcode: i.barcode, status: i.status })), options.library?.name))}\n`;
  };
  if (options.titleId) {
    // resolve before the head is written, so an unknown id produces no half document
    const one = await record(options.titleId);
    yield MARCXML_HEAD;
    yield one;
    yield MARCXML_TAIL;
    return;
  }
  if (!options.library) throw new Error('a set export needs a library');
  yield MARCXML_HEAD;
  let after: string | null = null;
  for (;;) {
    const ids = await setPage(db, libraryId, options.query, after);
    for (const id of ids) yield await record(id);
    if (ids.length < PAGE) break;
    after = ids[ids.length - 1]!;
  }
  yield MARCXML_TAIL;
}
