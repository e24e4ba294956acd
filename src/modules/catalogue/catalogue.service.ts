// Use cases of the catalogue: a title with all formats of its work and their availability at the
// library whose portal or API asks, and that library's copies.
//
// Visibility (decided in the repository queries, see 0020_catalogue.sql): a portal sees the
// national catalogue plus its own local-only titles, never another library's local titles; a
// title it may not see is reported as not found.
import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import { ValidationFailed, type AppError, type FieldError } from '../../platform/errors.ts';
import { summariseAvailability, type Availability } from './availability.ts';
import {
  AviNeedsChildren, BarcodeInvalid, BarcodeTaken, BranchUnknown, DigitalFormatHeld, DigitalTitleCopy, IsbnInvalid, ItemNotFound, ItemOnLoan,
  NationalTitleReadOnly, PpnInvalid,
  TitleNotFound,
} from './catalogue.errors.ts';
import { assertMayCurate } from './catalogue.policy.ts';
import * as repo from './catalogue.repository.ts';
import { AUDIENCES, AVI_LEVELS, FORMAT_INFO, FORMATS, type AudienceCode, type AviLevel, type FormatCode, type ItemStatus, type TitleDescription } from './formats.ts';
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

export interface TitleDetail extends TitleDescription {
  id: string;
  workId: string;
  contributors: ContributorView[];
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

const text = (v: string | null | undefined): string | null => {
  const s = v?.trim();
  return s ? s : null;
};
const words = (list: string[] | undefined): string[] => [...new Set((list ?? []).map((s) => s.trim()).filter(Boolean))];

/** Checks and normalises a local title (ISBN-10/13 → ISBN-13, PPN) before anything is written. */
function validTitle(input: LocalTitleInput) {
  const fields: FieldError[] = [];
  const title = input.title?.trim() ?? '';
  if (!title || title.length > 1000) fields.push({ field: 'title', message: { nl: 'Vul een titel in (hoogstens 1000 tekens).', en: 'Enter a title (at most 1000 characters).' } });
  if (!FORMATS.includes(input.format)) fields.push({ field: 'format', message: { nl: 'Onbekende vorm.', en: 'Unknown format.' } });
  if (input.year !== undefined && input.year !== null && !(Number.isInteger(input.year) && input.year >= 0 && input.year <= 2200)) {
    fields.push({ field: 'year', message: { nl: 'Vul een jaartal in.', en: 'Enter a year.' } });
  }
  if (input.language && !/^[a-z]{3}$/.test(input.language)) fields.push({ field: 'language', message: { nl: 'Gebruik een taalcode van drie letters (dut, eng).', en: 'Use a three-letter language code (dut, eng).' } });
  if (input.audience && !AUDIENCES.includes(input.audience)) fields.push({ field: 'audience', message: { nl: 'Onbekende doelgroep.', en: 'Unknown audience.' } });
  if (input.aviLevel && !AVI_LEVELS.includes(input.aviLevel)) fields.push({ field: 'aviLevel', message: { nl: 'Onbekend AVI-niveau.', en: 'Unknown AVI level.' } });
  (input.contributors ?? []).forEach((c, i) => {
    if (!c.name?.trim() || c.name.trim().length > 300) fields.push({ field: `contributors.${i}.name`, message: { nl: 'Vul een naam in (hoogstens 300 tekens).', en: 'Enter a name (at most 300 characters).' } });
    if (c.role !== undefined && !/^[a-z]{3}$/.test(c.role)) fields.push({ field: `contributors.${i}.role`, message: { nl: 'Gebruik een MARC-rolcode (aut, ill, trl …).', en: 'Use a MARC relator code (aut, ill, trl …).' } });
  });
  if (fields.length) throw ValidationFailed(fields);
  let isbn: string | null = null;
  if (input.isbn?.trim()) {
    isbn = normaliseIsbn(input.isbn);
    if (!isbn) throw IsbnInvalid();
  }
  let ppn: string | null = null;
  if (input.ppn?.trim()) {
    ppn = normalisePpn(input.ppn);
    if (!ppn) throw PpnInvalid();
  }
  // AVI levels measure technical reading of children's books (toddlers' picture books have none)
  if (input.aviLevel && input.audience !== 'children') throw AviNeedsChildren();
  const contributors = (input.contributors ?? []).map((c) => ({ name: c.name.trim(), role: c.role ?? 'aut' })).filter((c) => c.name);
  const columns = {
    format: input.format,
    title,
    subtitle: text(input.subtitle),
    contributorNames: contributors.map((c) => c.name).join('; '),
    language: input.language ?? null,
    year: input.year ?? null,
    yearDisplay: input.year !== undefined && input.year !== null ? String(input.year) : null,
    edition: text(input.edition),
    publisher: text(input.publisher),
    series: text(input.series),
    seriesNumber: text(input.seriesNumber),
    genres: words(input.genres),
    subjects: words(input.subjects),
    audience: input.audience ?? null,
    aviLevel: input.aviLevel ?? null,
    isbn,
    ppn,
    description: text(input.description),
  };
  return { columns, contributors: contributors.map((c) => ({ ...c, sortName: sortName(c.name) })) };
}

async function audit(tx: Tx, libraryId: string, actorAccountId: string | null, action: string, details: Record<string, unknown>): Promise<void> {
  await tx.insertInto('auditEvent').values({ libraryId, actorAccountId, action, details: JSON.stringify(details) }).execute();
}

/** A unique-violation of the barcode constraint (two desks labelling at once) is a 409 like the check before it. */
function barcodeRace(error: unknown): never {
  if ((error as { code?: string; constraint?: string }).code === '23505') throw BarcodeTaken();
  throw error;
}

/**
 * The database's rule that a digital title has no copies (migration 0107) as the 422 of the
 * request that broke it (`error`). Adding a copy checks the title's format first, and this answers
 * a race with the title changed meanwhile; bringing a copy back from missing and changing a
 * title's format are answered by the database alone (the copies or holdings it would take are its
 * to count).
 */
function digitalRule(error: AppError) {
  return (e: unknown): never => {
    const { code, constraint, message } = e as { code?: string; constraint?: string; message?: string };
    if (code === '23514' && (constraint === 'title_digital_has_no_copies' || message?.includes('title_digital_has_no_copies'))) throw error;
    throw e;
  };
}

/** Adds a local-only title to the tenant's catalogue (librarians; audited). */
export async function createLocalTitle(ctx: Ctx, input: LocalTitleInput): Promise<TitleDetail> {
  const libraryId = tenant(ctx);
  const { columns, contributors } = validTitle(input);
  const id = await inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await assertMayCurate(ctx, tx);
    let workId = input.workId ?? null;
    if (workId && (!UUID.test(workId) || !(await tx.selectFrom('work').select('id').where('id', '=', workId).executeTakeFirst()))) throw TitleNotFound();
    if (!workId) workId = (await tx.insertInto('work').values({ ownerLibraryId: libraryId }).returning('id').executeTakeFirstOrThrow()).id;
    const row = await tx.insertInto('title').values({
      ...columns, workId, ownerLibraryId: libraryId, source: 'local', sourceId: crypto.randomUUID(),
    }).returning('id').executeTakeFirstOrThrow();
    await repo.setContributors(tx, row.id, contributors);
    await audit(tx, libraryId, actorId, 'catalogue.title.created', { titleId: row.id });
    return row.id;
  });
  return getTitle(ctx, id);
}

/**
 * Replaces the description of one of the library's own local titles (librarians; audited). A
 * national title is read-only (403); another library's local title does not exist here (404).
 */
export async function updateLocalTitle(ctx: Ctx, id: string, input: Omit<LocalTitleInput, 'workId'>): Promise<TitleDetail> {
  const libraryId = tenant(ctx);
  if (!UUID.test(id)) throw TitleNotFound();
  const { columns, contributors } = validTitle(input);
  await inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await assertMayCurate(ctx, tx);
    const existing = await repo.findTitle(tx, libraryId, id);
    if (!existing) throw TitleNotFound();
    if (existing.ownerLibraryId !== libraryId) throw NationalTitleReadOnly();
    // the row-level security policy of 0021 (owner = tenant) guards the same rule in the database
    const { numUpdatedRows } = await tx.updateTable('title').set(columns).where('id', '=', id).executeTakeFirst().catch(digitalRule(DigitalFormatHeld()));
    if (numUpdatedRows !== 1n) throw NationalTitleReadOnly();
    await repo.setContributors(tx, id, contributors);
    await audit(tx, libraryId, actorId, 'catalogue.title.updated', { titleId: id });
  });
  return getTitle(ctx, id);
}

export interface ItemInput {
  titleId: string;
  /** Branch slug of this library. */
  branch: string;
  barcode: string;
  shelf?: string;
  status?: ItemStatus;
}

/** Statuses staff set by hand; loans, holds and transit between branches are lending's (issue #6). */
export const STAFF_ITEM_STATUSES = ['available', 'in_processing', 'missing'] as const satisfies readonly ItemStatus[];
/** While lending holds a copy (on loan, on a hold shelf, on its way to a branch), staff do not override its status. */
const LENDING_STATUSES: readonly ItemStatus[] = ['on_loan', 'on_hold_shelf', 'in_transit'];
type StaffItemStatus = (typeof STAFF_ITEM_STATUSES)[number];

function validShelf(shelf: string | undefined): string {
  const s = (shelf ?? '').trim();
  if (s.length > 100) throw ValidationFailed([{ field: 'shelf', message: { nl: 'Hoogstens 100 tekens.', en: 'At most 100 characters.' } }]);
  return s;
}

function validStatus(status: string | undefined): StaffItemStatus | undefined {
  if (status === undefined) return undefined;
  if (!(STAFF_ITEM_STATUSES as readonly string[]).includes(status)) {
    throw ValidationFailed([{ field: 'status', message: { nl: 'Deze status kunt u hier niet kiezen.', en: 'This status cannot be chosen here.' } }]);
  }
  return status as StaffItemStatus;
}

async function branchOf(tx: Tx, libraryId: string, slug: string): Promise<string> {
  const branch = await tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('slug', '=', slug).executeTakeFirst();
  if (!branch) throw BranchUnknown();
  return branch.id;
}

async function barcodeFree(tx: Tx, libraryId: string, barcode: string, except: string | null): Promise<void> {
  const taken = await tx.selectFrom('item').select('id').where('libraryId', '=', libraryId).where('barcode', '=', barcode)
    .$if(except !== null, (q) => q.where('id', '!=', except!)).executeTakeFirst();
  if (taken) throw BarcodeTaken();
}

function itemView(item: ItemView & { title: string; format: FormatCode }): ItemView {
  return { id: item.id, titleId: item.titleId, barcode: item.barcode, shelf: item.shelf, status: item.status, branchSlug: item.branchSlug, branchName: item.branchName };
}

/** Puts a copy of a national or own local title on a branch's shelf (librarians; audited). */
export async function addItem(ctx: Ctx, input: ItemInput): Promise<ItemView> {
  const libraryId = tenant(ctx);
  const barcode = parseBarcode(input.barcode ?? '');
  if (!barcode.ok) throw BarcodeInvalid();
  const shelf = validShelf(input.shelf);
  const status = validStatus(input.status) ?? 'available';
  const id = await inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await assertMayCurate(ctx, tx);
    const title = UUID.test(input.titleId) ? await repo.findTitle(tx, libraryId, input.titleId) : undefined;
    if (!title) throw TitleNotFound();
    // an e-book or audiobook is lent as a licence, never from a shelf (migration 0107)
    if (FORMAT_INFO[title.format].digital) throw DigitalTitleCopy();
    const branchId = await branchOf(tx, libraryId, input.branch);
    await barcodeFree(tx, libraryId, barcode.barcode, null);
    const row = await tx.insertInto('item').values({ libraryId, titleId: input.titleId, branchId, barcode: barcode.barcode, shelf, status })
      .returning('id').executeTakeFirstOrThrow().catch(barcodeRace).catch(digitalRule(DigitalTitleCopy()));
    await audit(tx, libraryId, actorId, 'catalogue.item.created', { itemId: row.id, titleId: input.titleId, barcode: barcode.barcode });
    return row.id;
  });
  return itemView(await getItem(ctx, id));
}

/** Moves, relabels or re-shelves a copy, or marks it missing/in processing (librarians; audited). */
export async function updateItem(ctx: Ctx, id: string, input: { branch?: string; barcode?: string; shelf?: string; status?: string }): Promise<ItemView> {
  const libraryId = tenant(ctx);
  if (!UUID.test(id)) throw ItemNotFound();
  let barcode: string | undefined;
  if (input.barcode !== undefined) {
    const parsed = parseBarcode(input.barcode);
    if (!parsed.ok) throw BarcodeInvalid();
    barcode = parsed.barcode;
  }
  const shelf = input.shelf === undefined ? undefined : validShelf(input.shelf);
  const status = validStatus(input.status);
  await inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await assertMayCurate(ctx, tx);
    const item = await repo.findItem(tx, libraryId, id);
    if (!item) throw ItemNotFound();
    if (status && LENDING_STATUSES.includes(item.status)) throw ItemOnLoan();
    const branchId = input.branch === undefined ? undefined : await branchOf(tx, libraryId, input.branch);
    if (barcode !== undefined) await barcodeFree(tx, libraryId, barcode, id);
    const changes = { ...(branchId ? { branchId } : {}), ...(barcode ? { barcode } : {}), ...(shelf !== undefined ? { shelf } : {}), ...(status ? { status } : {}) };
    if (!Object.keys(changes).length) return;
    // (a copy found again on a digital title would count again: refused, as migration 0107 says)
    await tx.updateTable('item').set(changes).where('libraryId', '=', libraryId).where('id', '=', id).execute()
      .catch(barcodeRace).catch(digitalRule(DigitalTitleCopy('status')));
    await audit(tx, libraryId, actorId, 'catalogue.item.updated', { itemId: id, changed: Object.keys(changes) });
  });
  return itemView(await getItem(ctx, id));
}

/**
 * Takes a copy out of the collection (librarians; audited). The row stays, with status withdrawn,
 * so its barcode is never reused for another copy and history keeps pointing at it.
 */
export async function withdrawItem(ctx: Ctx, id: string): Promise<void> {
  const libraryId = tenant(ctx);
  if (!UUID.test(id)) throw ItemNotFound();
  await inTenant(ctx.db, libraryId, async (tx) => {
    const actorId = await assertMayCurate(ctx, tx);
    const item = await repo.findItem(tx, libraryId, id);
    if (!item) throw ItemNotFound();
    if (item.status === 'withdrawn') return;
    if (LENDING_STATUSES.includes(item.status)) throw ItemOnLoan();
    await tx.updateTable('item').set({ status: 'withdrawn' }).where('libraryId', '=', libraryId).where('id', '=', id).execute();
    await audit(tx, libraryId, actorId, 'catalogue.item.withdrawn', { itemId: id, barcode: item.barcode });
  });
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
