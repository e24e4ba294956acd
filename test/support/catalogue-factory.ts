// Factories for catalogue rows (issue #4): real rows through the real tables. Titles and works are
// network-level and written by the owner, as the seed and the MARC import do; items go through the
// tenant path so row-level security checks them.
import crypto from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';
import { inTenant } from '../../src/platform/db/tenant.ts';
import type { FormatCode, ItemStatus, TitleTable } from '../../src/modules/catalogue/index.ts';
import { makeBarcodeForTest } from './barcode.ts';

type TitleInput = Partial<Omit<Insertable<TitleTable>, 'id' | 'workId'>> & {
  title: string;
  format?: FormatCode;
  workId?: string;
  popularity?: number;
};

export async function buildTitle(db: Kysely<Database>, input: TitleInput): Promise<{ id: string; workId: string }> {
  const workId = input.workId ?? (await db.insertInto('work').values({ ownerLibraryId: input.ownerLibraryId ?? null }).returning('id').executeTakeFirstOrThrow()).id;
  const { id } = await db.insertInto('title').values({
    source: 'test',
    sourceId: crypto.randomUUID(),
    format: 'book',
    language: 'dut',
    ...input,
    workId,
  }).returning('id').executeTakeFirstOrThrow();
  return { id, workId };
}

export async function buildItem(db: Kysely<Database>, libraryId: string, input: { titleId: string; branchSlug?: string; status?: ItemStatus; shelf?: string }) {
  return inTenant(db, libraryId, async (tx) => {
    const branch = await tx.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', libraryId)
      .$if(!!input.branchSlug, (q) => q.where('slug', '=', input.branchSlug!)).orderBy('slug').executeTakeFirstOrThrow();
    return tx.insertInto('item').values({
      libraryId, titleId: input.titleId, branchId: branch.id, barcode: makeBarcodeForTest(), status: input.status ?? 'available', shelf: input.shelf ?? 'R TEST',
    }).returning(['id', 'barcode']).executeTakeFirstOrThrow();
  });
}

export async function libraryId(db: Kysely<Database>, slug: string): Promise<string> {
  return (await db.selectFrom('library').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}
