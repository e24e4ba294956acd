// MARC import benchmark (issue #4): generates a file of realistic MARC 21 records (ISO 2709, a
// share of them in MARC-8 with ANSEL diacritics), imports it into a throwaway PostgreSQL database
// as national titles, and prints records/s next to two floors measured in the same run: reading
// and mapping the file without a database (parse only), and bare multi-row INSERTs of as many
// rows into a table without indexes or triggers. Then the same file again (all updates).
// Target: ≥ 2,000 records/s. Settings: BENCH_MARC_RECORDS (50000), BENCH_MARC_MARC8 (share, 0.2),
// DATABASE_URL (a server instead of a throwaway one).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { importMarcRecords, type ImportReport } from '../src/modules/catalogue/marc-import.service.ts';
import { mapMarcRecord } from '../src/modules/catalogue/marc-map.ts';
import { readMarcFile } from '../src/modules/catalogue/marc-reader.ts';
import { encodeIso2709, type RawField } from '../src/modules/catalogue/iso2709-writer.ts';
import { isbn13CheckDigitFor } from '../src/modules/catalogue/isbn.ts';
import { defer } from './support/cleanup.ts';
import { machineBusySeconds } from './support/cpu.ts';
import { createDatabase, postgresCpuSeconds, startPostgres } from './support/postgres.ts';
import type { BenchResult } from './run.ts';

const TARGET = 2000;
const log = (line = '') => process.stdout.write(`${line}\n`);

// A small Dutch-like vocabulary; words with diacritics exercise the MARC-8 encoder and decoder.
const WORDS = ('de het een van en in op met voor aan over bij uit naar zee wind huis tuin stad land nacht dag licht donker ' +
  'liefde oorlog vrede reis kind moeder vader vriend geheim brief boek verhaal tijd jaar winter zomer lente herfst ' +
  'café ruïne geëerd coöperatie reünie financiële idee één twee drie België Curaçao crème naïef privé').split(' ');
const GIVEN = ['Anna', 'Jan', 'Pieter', 'Marieke', 'Sjoerd', 'Fenna', 'Joël', 'Zoë', 'Noël', 'Daan', 'Eva', 'Sanne', 'Bram', 'Inès', 'Thijs'];
const FAMILY = ['Jansen', 'de Vries', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Brouwer', 'Hoekstra', 'Doğan', 'Müller', 'Dekker', 'Verhoeven', 'Koç', 'Mulder'];
const SUBJECTS = ['Zee', 'Oorlog', 'Liefde', 'Familie', 'Reizen', 'Geschiedenis', 'Natuur', 'Kunst', 'Muziek', 'Sport'];

/** ANSEL for the few non-ASCII letters of the vocabulary: the combining mark before the letter. */
const ANSEL: Record<string, number[]> = {
  é: [0xe2, 0x65], ë: [0xe8, 0x65], ï: [0xe8, 0x69], ö: [0xe8, 0x6f], ü: [0xe8, 0x75], ç: [0xf0, 0x63], è: [0xe1, 0x65],
  ğ: [0xe6, 0x67], á: [0xe2, 0x61], É: [0xe2, 0x45], Ë: [0xe8, 0x45], Ï: [0xe8, 0x49], Ö: [0xe8, 0x4f], Ü: [0xe8, 0x55],
};
function marc8(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) out.push(code);
    else if (ANSEL[ch]?.length) out.push(...ANSEL[ch]!);
    else throw new Error(`no ANSEL for ${ch}`);
  }
  return Buffer.from(out);
}

function generate(file: string, count: number, marc8Share: number): number {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let pending: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const isMarc8 = rnd() < marc8Share;
    const v = (s: string) => (isMarc8 ? marc8(s) : s);
    const title = words(2 + Math.floor(rnd() * 4));
    const capital = title[0]!.toUpperCase() + title.slice(1);
    const authors = Array.from({ length: 1 + Math.floor(rnd() * 2.4) }, () => `${pick(FAMILY)}, ${pick(GIVEN)}`);
    const body12 = `978${String(90_000_000 + i).padStart(9, '0')}`;
    const type = rnd();
    const [leader6, f007] = type < 0.75 ? ['a', 'ta'] : type < 0.85 ? ['a', 'cr'] : type < 0.93 ? ['i', 'sd'] : ['g', 'vd'];
    const fields: RawField[] = [
      { tag: '001', value: `bench${i}` },
      { tag: '003', value: 'NL-BENCH' },
      { tag: '007', value: f007 },
      { tag: '008', value: `200101s${1950 + Math.floor(rnd() * 75)}    ne            000 1 dut d` },
      { tag: '020', ind1: ' ', ind2: ' ', subfields: [['a', body12 + isbn13CheckDigitFor(body12)]] },
      { tag: '100', ind1: '1', ind2: ' ', subfields: [['a', v(`${authors[0]},`)], ['4', 'aut']] },
      { tag: '245', ind1: '1', ind2: '0', subfields: [['a', v(`${capital} :`)], ['b', v(`${words(3)} /`)], ['c', v(authors[0]!)]] },
      { tag: '264', ind1: ' ', ind2: '1', subfields: [['a', 'Amsterdam :'], ['b', v(`${pick(FAMILY)},`)], ['c', '2020.']] },
      { tag: '520', ind1: ' ', ind2: ' ', subfields: [['a', v(`${words(25 + Math.floor(rnd() * 30))}.`)]] },
      { tag: '650', ind1: ' ', ind2: '7', subfields: [['a', pick(SUBJECTS)]] },
      { tag: '655', ind1: ' ', ind2: '7', subfields: [['a', 'Romans']] },
      ...authors.slice(1).map((a): RawField => ({ tag: '700', ind1: '1', ind2: ' ', subfields: [['a', v(a)], ['e', 'vertaler']] })),
    ];
    const rec = encodeIso2709(`     n${leader6}m ${isMarc8 ? ' ' : 'a'}22     4a 4500`, fields);
    pending.push(rec);
    bytes += rec.length;
    if (pending.length === 1000) { fs.writeSync(fd, Buffer.concat(pending)); pending = []; }
  }
  fs.writeSync(fd, Buffer.concat(pending));
  fs.closeSync(fd);
  return bytes;
}

interface Measured { label: string; records: number; seconds: number; ownCpu: number; pgCpu: number | null; other: number | null }

async function measure(label: string, records: number, pgCpu: () => number | null, fn: () => Promise<unknown>): Promise<Measured> {
  const own0 = process.cpuUsage();
  const pg0 = pgCpu();
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const ownCpu = (own.user + own.system) / 1e6;
  const pg1 = pgCpu();
  const machine1 = machineBusySeconds();
  const pg = pg0 === null || pg1 === null ? null : pg1 - pg0;
  const other = machine0 === null || machine1 === null ? null : Math.max(0, machine1 - machine0 - ownCpu - (pg ?? 0));
  return { label, records, seconds, ownCpu, pgCpu: pg, other };
}

export async function run(): Promise<BenchResult> {
  const count = Number(process.env.BENCH_MARC_RECORDS ?? 50_000);
  const marc8Share = Number(process.env.BENCH_MARC_MARC8 ?? 0.2);
  const cpus = os.cpus();
  log(`marc: ${count} records (${Math.round(marc8Share * 100)} % MARC-8); Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim()}, load ${os.loadavg()[0]!.toFixed(1)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenbieb-bench-marc-'));
  defer('marc bench folder', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'records.mrc');
  const bytes = generate(file, count, marc8Share);
  log(`generated ${(bytes / 1e6).toFixed(1)} MB of ISO 2709`);

  const pgServer = await startPostgres();
  const url = await createDatabase(pgServer, `eenbieb_bench_marc_${process.pid}`);
  const db = await openDatabase({ databaseUrl: url });
  const pgCpu = () => postgresCpuSeconds(pgServer);
  const rows: Measured[] = [];
  let reports: ImportReport[] = [];
  try {
    await migrateToLatest(db.kysely);
    // floor 1: read and map the whole file, no database
    rows.push(await measure('read + map only (parse floor)', count, () => null, async () => {
      let n = 0;
      for await (const r of readMarcFile(file)) { if (r.record) { mapMarcRecord(r.record); n++; } }
      if (n !== count) throw new Error(`parsed ${n} of ${count}`);
    }));
    // floor 2: bare multi-row INSERTs of the same number of rows (no indexes, no trigger)
    await sql`create table bench_bare (id bigint primary key, source_id text, title text, description text)`.execute(db.kysely);
    rows.push(await measure('bare INSERT, 500 rows per statement (DB floor)', count, pgCpu, async () => {
      const text = 'de zee en de wind boven het huis in de stad '.repeat(6);
      for (let i = 0; i < count; i += 500) {
        const part = Array.from({ length: Math.min(500, count - i) }, (_, k) => sql`(${i + k}, ${`bench${i + k}`}, ${`titel ${i + k}`}, ${text})`);
        await db.kysely.transaction().execute((tx) => sql`insert into bench_bare values ${sql.join(part)}`.execute(tx));
      }
    }));
    rows.push(await measure('MARC import, new titles', count, pgCpu, async () => {
      reports.push(await importMarcRecords(db.kysely, readMarcFile(file), { kind: 'national' }));
    }));
    rows.push(await measure('MARC import again (all updates)', count, pgCpu, async () => {
      reports.push(await importMarcRecords(db.kysely, readMarcFile(file), { kind: 'national' }));
    }));
    const titles = await db.kysely.selectFrom('title').select((eb) => eb.fn.countAll<number>().as('n')).where('source', '=', 'marc').executeTakeFirstOrThrow();
    log(`titles in the catalogue: ${titles.n}; first import ${reports[0]!.imported} new / ${reports[0]!.failedCount} failed; ` +
      `second ${reports[1]!.updated} updated / ${reports[1]!.imported} new / ${reports[1]!.failedCount} failed`);
  } finally {
    await db.close();
  }
  const floor = rows[1]!.records / rows[1]!.seconds;
  log();
  log('step                                              records/s   seconds  vs DB floor  own CPU  PG CPU  other CPU  records/CPU-s');
  for (const r of rows) {
    const pct = (cpu: number | null) => (cpu === null ? 'n/a' : `${((100 * cpu) / r.seconds).toFixed(0)} %`);
    const perCpu = r.records / (r.ownCpu + (r.pgCpu ?? 0));
    log(`${r.label.padEnd(48)} ${(r.records / r.seconds).toFixed(0).padStart(11)} ${r.seconds.toFixed(1).padStart(9)} ${`${((100 * r.records) / r.seconds / floor).toFixed(1)} %`.padStart(12)} ${pct(r.ownCpu).padStart(8)} ${pct(r.pgCpu).padStart(7)} ${pct(r.other).padStart(10)} ${perCpu.toFixed(0).padStart(14)}`);
  }
  log('(CPU in % of one core during the step: own = this process (reading, mapping, batching), PG = the PostgreSQL server, ' +
    'other = the rest of the machine; records/CPU-s = records per CPU second of this process and PostgreSQL together, ' +
    'the rate an otherwise idle core would give)');
  const noisiest = Math.max(...rows.map((r) => (r.other ?? 0) / r.seconds));
  if (noisiest > 0.15) log(`WARNING: other processes used up to ${(100 * noisiest).toFixed(0)} % of a core during the steps: the rates are disturbed`);
  const importRate = rows[2]!.records / rows[2]!.seconds;
  const updateRate = rows[3]!.records / rows[3]!.seconds;
  const ok = importRate >= TARGET && updateRate >= TARGET && reports.every((r) => r.failedCount === 0);
  log(`target ≥ ${TARGET} records/s: ${ok ? 'met' : 'MISSED'} (new ${importRate.toFixed(0)}, updates ${updateRate.toFixed(0)})`);
  return { ok };
}
