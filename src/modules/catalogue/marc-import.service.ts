// MARC 21 import (issue #4): records stream in one at a time (marc-reader.ts), are mapped to
// titles (marc-map.ts) and written in batches.
//
// - Idempotent: a title is identified by (owner, 'marc', source id) — the unique key of `title` —
//   where the source id is 003:001, else the first 035, else the ISBN. A re-import updates the
//   title, its contributors and its copies (by barcode) in place; it never adds a second row.
// - Error isolation: a batch of records is written in one transaction inside a savepoint. When
//   the batch fails, it is rolled back to the savepoint and its records are written again one by
//   one, each in its own savepoint, so a record the database refuses leaves no row behind and is
//   reported with its position while the others are kept.
// - National (--national): national titles, written by the owner role (the application role may
//   not write national titles). Library (--library): the library's local titles and its copies
//   from the holdings fields, written as the application role in the library's tenant, so
//   row-level security checks every row like any other write.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { inTenant, type Tx } from '../../platform/db/tenant.ts';
import { refreshSearchStatistics } from './catalogue.seed.ts';
import { workIdFor } from './demo-catalogue.ts';
import { parseBarcode } from './identifiers.ts';
import { FORMAT_INFO } from './formats.ts';
import { mapMarcRecord, MarcMapError, type ImportedTitle } from './marc-map.ts';
import type { ReadResult, RecordPosition } from './marc-reader.ts';
import './catalogue.tables.ts';

export type ImportTarget = { kind: 'national' } | { kind: 'library'; libraryId: string };

export interface RecordProblem extends RecordPosition {
  sourceId?: string;
  reason: string;
}

export interface ImportReport {
  /** Records read from the file (parsed), whether or not they became titles. */
  read: number;
  imported: number;
  updated: number;
  /** Records not imported, with position and reason (the first KEPT_PROBLEMS; `failedCount` counts all). */
  failed: RecordProblem[];
  failedCount: number;
  /** Imported records with something left out (the first KEPT_PROBLEMS; `warningCount` counts all). */
  warnings: RecordProblem[];
  warningCount: number;
  items: { imported: number; updated: number };
}

/** The report keeps this many problems of each kind, so memory stays flat on a huge bad file; `onProblem` sees them all. */
export const KEPT_PROBLEMS = 1000;

interface BatchOutcome {
  imported: number;
  updated: number;
  itemsImported: number;
  itemsUpdated: number;
  warnings: RecordProblem[];
}

interface Pending {
  position: RecordPosition;
  title: ImportedTitle;
  warnings: string[];
}

const SOURCE = 'marc';

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

/** The writes of a batch: whole when all records are good, else one record at a time. */
async function writeBatch(tx: Tx, target: ImportTarget, batch: Pending[], branches: Map<string, string>): Promise<BatchOutcome> {
  const owner = target.kind === 'library' ? target.libraryId : null;

  // Works: national titles join the demo catalogue's work of the same title and author; a
  // library's local title joins a national work when there is one, else the library's own.
  const workKey = (t: ImportedTitle) => [t.title, t.contributors[0]?.name ?? ''] as const;
  const nationalWorkIds = batch.map((p) => workIdFor(...workKey(p.title)));
  let existingNational = new Set<string>();
  if (owner) {
    const rows = await tx.selectFrom('work').select('id').where('id', 'in', nationalWorkIds).where('ownerLibraryId', 'is', null).execute();
    existingNational = new Set(rows.map((r) => r.id));
  }
  const workIds = batch.map((p, i) => (owner && !existingNational.has(nationalWorkIds[i]!) ? workIdFor(...workKey(p.title), owner) : nationalWorkIds[i]!));
  const newWorks = [...new Set(workIds.filter((id) => !existingNational.has(id)))];
  if (newWorks.length) {
    await tx.insertInto('work').values(newWorks.map((id) => ({ id, ownerLibraryId: owner })))
      .onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  const titles = await tx.insertInto('title').values(batch.map((p, i) => {
    const t = p.title;
    return {
      workId: workIds[i]!, ownerLibraryId: owner, source: SOURCE, sourceId: t.sourceId, format: t.format, title: t.title, subtitle: t.subtitle,
      contributorNames: t.contributors.map((c) => c.name).join('; '), language: t.language, year: t.year, yearDisplay: t.yearDisplay,
      edition: t.edition, publisher: t.publisher, series: t.series, seriesNumber: t.seriesNumber, genres: t.genres, subjects: t.subjects,
      audience: t.audience, aviLevel: t.aviLevel, isbn: t.isbn, ppn: t.ppn, description: t.description,
    };
  })).onConflict((oc) => oc.columns(['ownerLibraryId', 'source', 'sourceId']).doUpdateSet((eb) => ({
    workId: eb.ref('excluded.workId'), format: eb.ref('excluded.format'), title: eb.ref('excluded.title'), subtitle: eb.ref('excluded.subtitle'),
    contributorNames: eb.ref('excluded.contributorNames'), language: eb.ref('excluded.language'), year: eb.ref('excluded.year'),
    yearDisplay: eb.ref('excluded.yearDisplay'), edition: eb.ref('excluded.edition'), publisher: eb.ref('excluded.publisher'),
    series: eb.ref('excluded.series'), seriesNumber: eb.ref('excluded.seriesNumber'), genres: eb.ref('excluded.genres'),
    subjects: eb.ref('excluded.subjects'), audience: eb.ref('excluded.audience'), aviLevel: eb.ref('excluded.aviLevel'),
    isbn: eb.ref('excluded.isbn'), ppn: eb.ref('excluded.ppn'), description: eb.ref('excluded.description'),
  }))).returning(['id', 'sourceId', sql<boolean>`(xmax = 0)`.as('inserted')]).execute();
  const idOf = new Map(titles.map((r) => [r.sourceId, r.id]));
  const titleIds = titles.map((r) => r.id);

  // Contributors: names are shared network-wide, found or added by name.
  const people = [...new Map(batch.flatMap((p) => p.title.contributors).map((c) => [c.name, c])).values()];
  const contributorId = new Map<string, string>();
  if (people.length) {
    await tx.insertInto('contributor').values(people.map((c) => ({ name: c.name, sortName: c.sortName })))
      .onConflict((oc) => oc.column('name').doNothing()).execute();
    const rows = await tx.selectFrom('contributor').select(['id', 'name']).where('name', 'in', people.map((c) => c.name)).execute();
    for (const r of rows) contributorId.set(r.name, r.id);
  }
  await tx.deleteFrom('titleContributor').where('titleId', 'in', titleIds).execute();
  const links = batch.flatMap((p) => p.title.contributors.map((c, position) => ({
    titleId: idOf.get(p.title.sourceId)!, position, contributorId: contributorId.get(c.name)!, role: c.role,
  })));
  if (links.length) await tx.insertInto('titleContributor').values(links).execute();

  // Copies (library imports only): by barcode, so a re-import moves or relabels a copy rather
  // than adding one. Status is taken only for new copies; afterwards lending owns it.
  const items: { libraryId: string; titleId: string; branchId: string; barcode: string; shelf: string; status: ImportedTitle['holdings'][number]['status'] }[] = [];
  const itemWarnings: { p: Pending; text: string }[] = [];
  if (owner) {
    const seen = new Set<string>();
    for (const p of batch) {
      // an e-book or audiobook has no physical copies (migration 0107): its holdings fields are a
      // cataloguing mistake, reported copy by copy while the title itself imports
      const digital = FORMAT_INFO[p.title.format].digital;
      for (const h of p.title.holdings) {
        if (digital) { itemWarnings.push({ p, text: `copy ${JSON.stringify(h.barcode)} left out: ${FORMAT_INFO[p.title.format].label.en.toLowerCase()} titles have no physical copies (put it on the record of the physical edition)` }); continue; }
        const barcode = parseBarcode(h.barcode);
        if (!barcode.ok) { itemWarnings.push({ p, text: `copy with barcode ${JSON.stringify(h.barcode)} left out: not a valid library barcode (8–14 digits with a check digit)` }); continue; }
        const branchId = branches.get(fold(h.branch));
        if (!branchId) { itemWarnings.push({ p, text: `copy ${barcode.barcode} left out: branch ${JSON.stringify(h.branch)} is not a branch of this library` }); continue; }
        if (seen.has(barcode.barcode)) { itemWarnings.push({ p, text: `copy ${barcode.barcode} appears twice: the first is kept` }); continue; }
        seen.add(barcode.barcode);
        items.push({ libraryId: owner, titleId: idOf.get(p.title.sourceId)!, branchId, barcode: barcode.barcode, shelf: h.shelf, status: h.status });
      }
    }
  }
  let itemRows: { inserted: boolean }[] = [];
  if (items.length) {
    itemRows = await tx.insertInto('item').values(items)
      .onConflict((oc) => oc.columns(['libraryId', 'barcode']).doUpdateSet((eb) => ({
        titleId: eb.ref('excluded.titleId'), branchId: eb.ref('excluded.branchId'), shelf: eb.ref('excluded.shelf'),
      })))
      .returning(sql<boolean>`(xmax = 0)`.as('inserted')).execute();
  }

  const outcome: BatchOutcome = { imported: 0, updated: 0, itemsImported: 0, itemsUpdated: 0, warnings: [] };
  for (const r of titles) r.inserted ? outcome.imported++ : outcome.updated++;
  for (const r of itemRows) r.inserted ? outcome.itemsImported++ : outcome.itemsUpdated++;
  for (const p of batch) for (const w of p.warnings) outcome.warnings.push({ ...p.position, sourceId: p.title.sourceId, reason: w });
  for (const { p, text } of itemWarnings) outcome.warnings.push({ ...p.position, sourceId: p.title.sourceId, reason: text });
  return outcome;
}

function dbReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (message.includes('title_digital_has_no_copies')) {
    return 'the record makes a title with copies an e-book or audiobook, which has no physical copies: withdraw the copies first, or keep a physical format';
  }
  return `the database refused the record: ${message}`;
}

/**
 * Imports a stream of read records. Returns the report; throws only when the database itself
 * fails (not for bad records).
 */
export async function importMarcRecords(
  db: Kysely<Database>,
  records: AsyncIterable<ReadResult>,
  target: ImportTarget,
  options: {
    batchSize?: number;
    onProblem?: (kind: 'failed' | 'warning', problem: RecordProblem) => void;
    /** Rebuild the search statistics afterwards (vocabulary and popularity tiers; default); off when importing many files in a row. */
    refreshSearchStatistics?: boolean;
  } = {},
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? 500;
  const report: ImportReport = { read: 0, imported: 0, updated: 0, failed: [], failedCount: 0, warnings: [], warningCount: 0, items: { imported: 0, updated: 0 } };
  const fail = (problem: RecordProblem) => {
    report.failedCount++;
    if (report.failed.length < KEPT_PROBLEMS) report.failed.push(problem);
    options.onProblem?.('failed', problem);
  };
  const count = (o: BatchOutcome) => {
    report.imported += o.imported;
    report.updated += o.updated;
    report.items.imported += o.itemsImported;
    report.items.updated += o.itemsUpdated;
    for (const w of o.warnings) {
      report.warningCount++;
      if (report.warnings.length < KEPT_PROBLEMS) report.warnings.push(w);
      options.onProblem?.('warning', w);
    }
  };
  const branches = new Map<string, string>();
  if (target.kind === 'library') {
    const rows = await inTenant(db, target.libraryId, (tx) => tx.selectFrom('branch').select(['id', 'slug', 'name']).where('libraryId', '=', target.libraryId).execute());
    for (const b of rows) { branches.set(fold(b.slug), b.id); branches.set(fold(b.name), b.id); }
  }
  const inTransaction = <T>(fn: (tx: Tx) => Promise<T>) => (target.kind === 'library' ? inTenant(db, target.libraryId, fn) : db.transaction().execute(fn));

  let batch: Pending[] = [];
  const inBatch = new Set<string>();
  const flush = async () => {
    if (!batch.length) return;
    const current = batch;
    batch = [];
    inBatch.clear();
    const outcomes: BatchOutcome[] = [];
    const failures: RecordProblem[] = [];
    await inTransaction(async (tx) => {
      await sql`savepoint marc_batch`.execute(tx);
      try {
        outcomes.push(await writeBatch(tx, target, current, branches));
        await sql`release savepoint marc_batch`.execute(tx);
        return;
      } catch {
        await sql`rollback to savepoint marc_batch`.execute(tx);
      }
      for (const p of current) {
        await sql`savepoint marc_record`.execute(tx);
        try {
          outcomes.push(await writeBatch(tx, target, [p], branches));
          await sql`release savepoint marc_record`.execute(tx);
        } catch (e) {
          await sql`rollback to savepoint marc_record`.execute(tx);
          failures.push({ ...p.position, sourceId: p.title.sourceId, reason: dbReason(e) });
        }
      }
    });
    // counted only once the transaction has committed
    outcomes.forEach(count);
    failures.forEach(fail);
  };

  for await (const r of records) {
    if (r.error !== undefined) {
      fail({ ...r.position, reason: r.error });
      continue;
    }
    report.read++;
    const warnings = [...r.warnings];
    let title: ImportedTitle;
    try {
      title = mapMarcRecord(r.record, warnings);
    } catch (e) {
      if (!(e instanceof MarcMapError)) throw e;
      // what the reader had to skip often explains a missing title
      fail({ ...r.position, reason: warnings.length ? `${e.message} (read with: ${warnings.join('; ')})` : e.message });
      continue;
    }
    // one statement cannot upsert the same key twice: a repeated record starts a new batch
    if (inBatch.has(title.sourceId)) await flush();
    inBatch.add(title.sourceId);
    batch.push({ position: r.position, title, warnings });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  // the vocabulary and the tiers are of the national catalogue
  if (target.kind === 'national' && options.refreshSearchStatistics !== false && report.imported + report.updated > 0) await refreshSearchStatistics(db);
  return report;
}

/**
 * The MARC test records of test/fixtures/marc21 as national titles (issue #4, demo item 3), for
 * `eenbieb seed`. Not in the first-start seed: importing the 84 files takes several seconds and
 * the first start must stay under 20 s. Runs only into a catalogue without MARC titles.
 */
export async function seedMarcTestRecords(db: Kysely<Database>, folder: string): Promise<{ files: number; imported: number; failed: number } | null> {
  const { readMarcFile } = await import('./marc-reader.ts');
  const fs = await import('node:fs');
  const path = await import('node:path');
  if (!fs.existsSync(folder)) return null;
  const existing = await db.selectFrom('title').select('id').where('source', '=', SOURCE).limit(1).executeTakeFirst();
  if (existing) return null;
  const files = fs.readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(mrc|dat|marc|xml)$/.test(f)).sort();
  let imported = 0;
  let failed = 0;
  for (const f of files) {
    const r = await importMarcRecords(db, readMarcFile(path.join(folder, f)), { kind: 'national' }, { refreshSearchStatistics: false });
    imported += r.imported;
    failed += r.failedCount;
  }
  await refreshSearchStatistics(db);
  return { files: files.length, imported, failed };
}
