// Use cases of the catalogue: a title with all formats of its work and their availability at the
// library whose portal or API asks, and that library's copies.
//
// Visibility (decided in the repository queries, see 0020_catalogue.sql): a portal sees the
// national catalogue plus its own local-only titles, never another library's local titles; a
// title it may not see is reported as not found.
import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { ValidationFailed, type FieldError } from '../../platform/errors.ts';
import { summariseAvailability, type Availability } from './availability.ts';
import {
  BarcodeInvalid, BarcodeTaken, BranchUnknown, IsbnInvalid, ItemNotFound, PpnInvalid, TitleNotFound,
} from './catalogue.errors.ts';
import { assertMayCurate } from './catalogue.policy.ts';
import * as repo from './catalogue.repository.ts';
import { FORMAT_INFO, FORMATS, type AudienceCode, type AviLevel, type FormatCode, type ItemStatus } from './formats.ts';
import { normalisePpn, parseBarcode } from './identifiers.ts';
import { normaliseIsbn } from './isbn.ts';
import { sortName } from './names.ts';
import { marcxmlCollection, titleToMarc, type MarcRecord } from './marcxml.ts';

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
    const title = await repo.findTitle(tx, libraryId, id);
    if (!title) throw TitleNotFound();
    const siblings = await repo.titlesOfWork(tx, libraryId, title.workId);
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
    if (!(await repo.findTitle(tx, libraryId, titleId))) throw TitleNotFound();
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

export interface LocalTitleInput {
  title: string;
  subtitle?: string | null;
  format: FormatCode;
  contributors?: { name: string; role?: string }[];
  isbn?: string | null;
  ppn?: string | null;
  language?: string | null;
  year?: number | null;
  edition?: string | null;
  publisher?: string | null;
  series?: string | null;
  seriesNumber?: string | null;
  genres?: string[];
  subjects?: string[];
  audience?: AudienceCode | null;
  aviLevel?: AviLevel | null;
  description?: string | null;
  /** Add it as another format of this (visible) work, e.g. the library's own audio recording. */
  workId?: string | null;
}

/** Adds a local-only title to the tenant's catalogue, with ISBN and PPN validated. */
export async function createLocalTitle(ctx: Ctx, input: LocalTitleInput): Promise<TitleDetail> {
  const libraryId = tenant(ctx);
  assertMayCurate(ctx);
  const fields: FieldError[] = [];
  const title = input.title?.trim() ?? '';
  if (!title || title.length > 1000) fields.push({ field: 'title', message: { nl: 'Vul een titel in (hoogstens 1000 tekens).', en: 'Enter a title (at most 1000 characters).' } });
  if (!FORMATS.includes(input.format)) fields.push({ field: 'format', message: { nl: 'Onbekende vorm.', en: 'Unknown format.' } });
  if (input.year !== undefined && input.year !== null && !(Number.isInteger(input.year) && input.year >= 0 && input.year <= 2200)) {
    fields.push({ field: 'year', message: { nl: 'Vul een jaartal in.', en: 'Enter a year.' } });
  }
  if (input.language && !/^[a-z]{3}$/.test(input.language)) fields.push({ field: 'language', message: { nl: 'Gebruik een taalcode van drie letters (dut, eng).', en: 'Use a three-letter language code (dut, eng).' } });
  (input.contributors ?? []).forEach((c, i) => {
    if (!c.name?.trim() || c.name.trim().length > 300) fields.push({ field: `contributors.${i}.name`, message: { nl: 'Vul een naam in (hoogstens 300 tekens).', en: 'Enter a name (at most 300 characters).' } });
    if (c.role !== undefined && !/^[a-z]{3}$/.test(c.role)) fields.push({ field: `contributors.${i}.role`, message: { nl: 'Gebruik een MARC-rolcode (aut, ill, trl …).', en: 'Use a MARC relator code (aut, ill, trl …).' } });
  });
  if (fields.length) throw ValidationFailed(fields);
  let isbn: string | null = null;
  if (input.isbn) {
    isbn = normaliseIsbn(input.isbn);
    if (!isbn) throw IsbnInvalid();
  }
  let ppn: string | null = null;
  if (input.ppn) {
    ppn = normalisePpn(input.ppn);
    if (!ppn) throw PpnInvalid();
  }
  const contributors = (input.contributors ?? []).map((c) => ({ name: c.name.trim(), role: c.role ?? 'aut' })).filter((c) => c.name);
  const id = await inTenant(ctx.db, libraryId, async (tx) => {
    let workId = input.workId ?? null;
    if (workId && (!UUID.test(workId) || !(await tx.selectFrom('work').select('id').where('id', '=', workId).executeTakeFirst()))) throw TitleNotFound();
    if (!workId) workId = (await tx.insertInto('work').values({ ownerLibraryId: libraryId }).returning('id').executeTakeFirstOrThrow()).id;
    const row = await tx.insertInto('title').values({
      workId,
      ownerLibraryId: libraryId,
      source: 'local',
      sourceId: crypto.randomUUID(),
      format: input.format,
      title,
      subtitle: input.subtitle ?? null,
      contributorNames: contributors.map((c) => c.name).join('; '),
      language: input.language ?? null,
      year: input.year ?? null,
      yearDisplay: input.year !== undefined && input.year !== null ? String(input.year) : null,
      edition: input.edition ?? null,
      publisher: input.publisher ?? null,
      series: input.series ?? null,
      seriesNumber: input.seriesNumber ?? null,
      genres: input.genres ?? [],
      subjects: input.subjects ?? [],
      audience: input.audience ?? null,
      aviLevel: input.aviLevel ?? null,
      isbn,
      ppn,
      description: input.description ?? null,
    }).returning('id').executeTakeFirstOrThrow();
    await repo.setContributors(tx, row.id, contributors.map((c) => ({ ...c, sortName: sortName(c.name) })));
    return row.id;
  });
  return getTitle(ctx, id);
}

/** Puts a copy of a visible title on a branch's shelf, with the barcode validated. */
export async function addItem(ctx: Ctx, input: { titleId: string; branch: string; barcode: string; shelf?: string; status?: ItemStatus }): Promise<ItemView> {
  const libraryId = tenant(ctx);
  assertMayCurate(ctx);
  const barcode = parseBarcode(input.barcode ?? '');
  if (!barcode.ok) throw BarcodeInvalid();
  if (!UUID.test(input.titleId)) throw TitleNotFound();
  const shelf = (input.shelf ?? '').trim().slice(0, 100);
  const id = await inTenant(ctx.db, libraryId, async (tx) => {
    if (!(await repo.findTitle(tx, libraryId, input.titleId))) throw TitleNotFound();
    const branch = await tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('slug', '=', input.branch).executeTakeFirst();
    if (!branch) throw BranchUnknown();
    const taken = await tx.selectFrom('item').select('id').where('libraryId', '=', libraryId).where('barcode', '=', barcode.barcode).executeTakeFirst();
    if (taken) throw BarcodeTaken();
    return (await tx.insertInto('item').values({
      libraryId, titleId: input.titleId, branchId: branch.id, barcode: barcode.barcode, shelf, status: input.status ?? 'available',
    }).returning('id').executeTakeFirstOrThrow()).id;
  });
  const item = await getItem(ctx, id);
  return { id: item.id, titleId: item.titleId, barcode: item.barcode, shelf: item.shelf, status: item.status, branchSlug: item.branchSlug, branchName: item.branchName };
}

/** MARCXML of up to 100 titles this library can see, with its own copies as 852 holdings. */
export async function exportMarcXml(ctx: Ctx, ids: string[], libraryName: string): Promise<string> {
  const records: MarcRecord[] = [];
  for (const id of [...new Set(ids)].slice(0, 100)) {
    const detail = await getTitle(ctx, id);
    const items = await listItems(ctx, id);
    records.push(titleToMarc(detail, items.map((i) => ({ branchName: i.branchName, shelf: i.shelf, barcode: i.barcode, status: i.status })), libraryName));
  }
  return marcxmlCollection(records);
}
