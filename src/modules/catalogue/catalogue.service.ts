// Use cases of the catalogue: a title with all formats of its work and their availability at the
// library whose portal or API asks, and that library's copies.
//
// Visibility (decided in the database, documented in 0020_catalogue.sql): a portal sees the
// national catalogue plus its own local-only titles, never another library's local titles; a
// title it may not see is reported as not found.
import type { Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { summariseAvailability, type Availability } from './availability.ts';
import { ItemNotFound, TitleNotFound } from './catalogue.errors.ts';
import * as repo from './catalogue.repository.ts';
import { FORMAT_INFO, type AudienceCode, type AviLevel, type FormatCode, type ItemStatus } from './formats.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ContributorView {
  name: string;
  sortName: string;
  role: string;
}

export interface FormatView {
  id: string;
  format: FormatCode;
  digital: boolean;
  title: string;
  year: number | null;
  yearDisplay: string | null;
  edition: string | null;
  publisher: string | null;
  isbn: string | null;
  language: string | null;
  local: boolean;
  /** Open-access content anyone may read now (e.g. the DBNL's own EPUB/PDF). */
  openAccessUrl: string | null;
  availability: Availability;
}

export interface TitleDetail {
  id: string;
  workId: string;
  format: FormatCode;
  title: string;
  subtitle: string | null;
  contributors: ContributorView[];
  language: string | null;
  year: number | null;
  yearDisplay: string | null;
  edition: string | null;
  publisher: string | null;
  series: string | null;
  seriesNumber: string | null;
  genres: string[];
  subjects: string[];
  audience: AudienceCode | null;
  aviLevel: AviLevel | null;
  isbn: string | null;
  ppn: string | null;
  description: string | null;
  /** Local-only title of this library (not in the national catalogue). */
  local: boolean;
  /** Every format and edition of the work this library can offer, this title first. */
  formats: FormatView[];
}

function tenant(ctx: Ctx): string {
  if (!ctx.libraryId) throw new Error('catalogue use case without a library');
  return ctx.libraryId;
}

export async function getTitle(ctx: Ctx, id: string): Promise<TitleDetail> {
  const libraryId = tenant(ctx);
  if (!UUID.test(id)) throw TitleNotFound();
  return inTenant(ctx.db, libraryId, async (tx) => {
    const title = await repo.findTitle(tx, id);
    if (!title) throw TitleNotFound();
    const siblings = await repo.titlesOfWork(tx, title.workId);
    const ids = siblings.map((s) => s.id);
    const [contributors, items] = await Promise.all([repo.contributorsOf(tx, [title.id]), repo.itemsOf(tx, libraryId, ids)]);
    const formats = siblings.map((s): FormatView => ({
      id: s.id,
      format: s.format,
      digital: FORMAT_INFO[s.format].digital,
      title: s.title,
      year: s.year,
      yearDisplay: s.yearDisplay,
      edition: s.edition,
      publisher: s.publisher,
      isbn: s.isbn,
      language: s.language,
      local: s.ownerLibraryId !== null,
      openAccessUrl: s.openAccessUrl,
      availability: summariseAvailability(items.filter((i) => i.titleId === s.id)),
    }));
    formats.sort((a, b) => Number(b.id === title.id) - Number(a.id === title.id));
    return {
      id: title.id,
      workId: title.workId,
      format: title.format,
      title: title.title,
      subtitle: title.subtitle,
      contributors: contributors.map((c) => ({ name: c.name, sortName: c.sortName, role: c.role })),
      language: title.language,
      year: title.year,
      yearDisplay: title.yearDisplay,
      edition: title.edition,
      publisher: title.publisher,
      series: title.series,
      seriesNumber: title.seriesNumber,
      genres: title.genres,
      subjects: title.subjects,
      audience: title.audience,
      aviLevel: title.aviLevel,
      isbn: title.isbn,
      ppn: title.ppn,
      description: title.description,
      local: title.ownerLibraryId !== null,
      formats,
    };
  });
}

export interface ItemView {
  id: string;
  titleId: string;
  barcode: string;
  shelf: string;
  status: ItemStatus;
  branchSlug: string;
  branchName: string;
}

/** The library's copies of one title (404 when the title is not visible to it). */
export async function listItems(ctx: Ctx, titleId: string): Promise<ItemView[]> {
  const libraryId = tenant(ctx);
  if (!UUID.test(titleId)) throw TitleNotFound();
  return inTenant(ctx.db, libraryId, async (tx) => {
    if (!(await repo.findTitle(tx, titleId))) throw TitleNotFound();
    return repo.itemsOf(tx, libraryId, [titleId]);
  });
}

export async function getItem(ctx: Ctx, id: string): Promise<ItemView & { title: string; format: FormatCode }> {
  const libraryId = tenant(ctx);
  if (!UUID.test(id)) throw ItemNotFound();
  const item = await inTenant(ctx.db, libraryId, (tx) => repo.findItem(tx, libraryId, id));
  if (!item) throw ItemNotFound();
  return item;
}
