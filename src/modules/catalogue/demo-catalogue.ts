// The demo catalogue, built from 5,800 real DBNL titles (db/reference/catalogue, see its
// PROVENANCE.md). Pure and deterministic: the same ids, copies and barcodes on every machine.
//
// What comes from the DBNL: title, author(s), year, edition, genres, open EPUB/PDF links.
// What is generated for the demo (and says so in PROVENANCE.md): popularity, audience and AVI
// levels of children's books, and the physical copies (which branch, shelf, status, barcode).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AVI_LEVELS, type AudienceCode, type AviLevel, type FormatCode, type ItemStatus } from './formats.ts';
import { makeBarcode } from './identifiers.ts';
import { sortName } from './names.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DBNL_FILE = path.join(root, 'db/reference/catalogue/dbnl-titles.json');

export interface DbnlRecord {
  id: string;
  title: string;
  download: Record<string, string>;
  edition: string;
  year: string;
  auteur: string;
  genres: string[];
}

export function loadDbnl(file = DBNL_FILE): DbnlRecord[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as DbnlRecord[];
}

/** A stable UUID from a name (v4-shaped, from SHA-256), so demo ids survive a re-seed. */
export function stableUuid(name: string): string {
  const h = crypto.createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A number in [0, 1) from a name: deterministic "randomness" per record. */
function unit(name: string): number {
  return crypto.createHash('sha256').update(name).digest().readUInt32BE(0) / 2 ** 32;
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

/**
 * The work a title belongs to: one work per title and author, so the book, e-book and audiobook
 * of one creation group together. The MARC import uses the same key, so an imported record joins
 * the work of a demo title with the same title and author.
 */
export function workIdFor(title: string, author: string, ownerLibraryId: string | null = null): string {
  const key = `${fold(title)}|${fold(author)}`;
  return stableUuid(ownerLibraryId ? `work:${ownerLibraryId}:${key}` : `work:${key}`);
}

/** "Gids, De" → "De Gids" (the DBNL files periodicals under their main word). */
function unInvert(name: string): string {
  const m = /^(.+), (De|Het|Den|Der|'t|Een)$/.exec(name.trim());
  return m ? `${m[2]} ${m[1]}` : name.trim();
}

/** "Frans Budé en Hans van de Waarsenburg", "A, B en C" → the separate names; "anoniem" → none. */
export function splitAuthors(auteur: string): string[] {
  const a = auteur.trim();
  if (!a || /^anoniem$/i.test(a)) return [];
  // "Gids, De" is one (inverted) name, not two
  if (/, (De|Het|Den|Der|'t|Een)$/.test(a) && !a.includes(' en ')) return [unInvert(a)];
  return a.split(/,\s+|\s+en\s+|\s*;\s*|\s+&\s+/).map((s) => unInvert(s)).filter((s) => s.length > 0 && !/^anoniem$/i.test(s));
}

/** The first plausible year in "ca. 1750", "1955-1956", "19de eeuw" (→ null), "?" (→ null). */
export function parseYear(text: string): number | null {
  const m = /\b(1[0-9]{3}|20[0-9]{2})\b/.exec(text);
  return m ? Number(m[1]) : null;
}

const GENRE_LABEL: Record<string, string> = {
  proza: 'proza',
  'poëzie': 'poëzie',
  drama: 'toneel',
  'non-fictie': 'non-fictie',
  jeugdliteratuur: 'jeugdliteratuur',
  'sec - letterkunde': 'literatuurwetenschap',
  'sec - taalkunde': 'taalkunde',
};

export interface DemoTitle {
  id: string;
  workId: string;
  source: string;
  sourceId: string;
  format: FormatCode;
  title: string;
  contributorNames: string;
  language: string;
  year: number | null;
  yearDisplay: string | null;
  edition: string | null;
  series: string | null;
  seriesNumber: string | null;
  genres: string[];
  subjects: string[];
  audience: AudienceCode;
  aviLevel: AviLevel | null;
  openAccessUrl: string | null;
  popularity: number;
}

export interface DemoContributor {
  id: string;
  name: string;
  sortName: string;
}

export interface DemoCatalogue {
  works: { id: string }[];
  titles: DemoTitle[];
  contributors: DemoContributor[];
  titleContributors: { titleId: string; position: number; contributorId: string; role: string }[];
}

export function buildDemoCatalogue(records: DbnlRecord[]): DemoCatalogue {
  const works = new Map<string, { id: string }>();
  const contributors = new Map<string, DemoContributor>();
  const titles: DemoTitle[] = [];
  const titleContributors: DemoCatalogue['titleContributors'] = [];

  for (const r of records) {
    const volume = /^(.*?)\.\s+Jaargang\s+(\S+)/i.exec(r.title);
    const series = volume ? volume[1]!.trim() : null;
    let names = splitAuthors(r.auteur);
    // a periodical volume lists the periodical itself as "author": it is the series, not a person
    if (series) names = names.filter((n) => !fold(series).includes(fold(n)) && !fold(n).includes(fold(series)));
    const youth = r.genres.includes('jeugdliteratuur');
    // one work per title and author: two DBNL editions of "Alleen op de wereld" are one work
    const workKey = `${fold(r.title)}|${fold(r.auteur)}`;
    let work = works.get(workKey);
    if (!work) {
      work = { id: workIdFor(r.title, r.auteur) };
      works.set(workKey, work);
    }
    const u = unit(`popularity:${r.id}`);
    const year = parseYear(r.year);
    // Zipf-like: a few titles are borrowed a lot, most rarely; newer titles a little more
    const popularity = Math.floor(400 * u ** 6 + (year && year > 1950 ? 20 * unit(`recent:${r.id}`) : 0));
    const youthAudience: AudienceCode = unit(`audience:${r.id}`) < 0.25 ? 'young_adults' : 'children';
    const audience: AudienceCode = youth ? youthAudience : 'adults';
    const aviLevel = youth && audience === 'children' && unit(`avi:${r.id}`) < 0.7
      ? AVI_LEVELS[Math.floor(unit(`avi-level:${r.id}`) * AVI_LEVELS.length)]!
      : null;
    const base = {
      workId: work.id,
      title: r.title.trim(),
      contributorNames: names.join('; '),
      language: 'dut',
      year,
      yearDisplay: r.year && r.year !== '?' ? r.year.trim() : null,
      edition: r.edition && r.edition !== '?' ? r.edition : null,
      series,
      seriesNumber: volume ? volume[2]! : null,
      genres: r.genres.map((g) => GENRE_LABEL[g] ?? g),
      subjects: [],
      audience,
      aviLevel,
      popularity,
    };
    const formats: { format: FormatCode; sourceId: string; url: string | null }[] = [
      { format: series ? 'magazine' : 'book', sourceId: r.id, url: null },
    ];
    const open = r.download.epub ?? r.download.pdf;
    if (open && open.startsWith('https://')) formats.push({ format: 'ebook', sourceId: `${r.id}:ebook`, url: open });
    for (const f of formats) {
      const id = stableUuid(`title:dbnl:${f.sourceId}`);
      titles.push({ ...base, id, source: 'dbnl', sourceId: f.sourceId, format: f.format, openAccessUrl: f.url });
      names.forEach((name, position) => {
        let c = contributors.get(name);
        if (!c) {
          c = { id: stableUuid(`contributor:${name}`), name, sortName: sortName(name) };
          contributors.set(name, c);
        }
        titleContributors.push({ titleId: id, position, contributorId: c.id, role: 'aut' });
      });
    }
  }
  return { works: [...works.values()], titles, contributors: [...contributors.values()], titleContributors };
}

export interface DemoItem {
  titleId: string;
  branchId: string;
  barcode: string;
  shelf: string;
  status: ItemStatus;
}

function shelfFor(t: DemoTitle): string {
  const author = t.contributorNames.split('; ')[0] ?? '';
  const code = fold(sortName(author)).replace(/[^a-z]/g, '').slice(0, 4).toUpperCase() || 'ANON';
  if (t.format === 'magazine') return 'Tijdschriften';
  if (t.aviLevel) return `Jeugd AVI-${t.aviLevel}`;
  if (t.audience === 'young_adults') return `Young Adult ${code}`;
  if (t.audience === 'children') return `Jeugd ${code}`;
  if (t.genres.includes('poëzie')) return `Poëzie ${code}`;
  if (t.genres.includes('toneel')) return `Toneel ${code}`;
  if (t.genres.includes('non-fictie') || t.genres.includes('taalkunde') || t.genres.includes('literatuurwetenschap')) return 'Informatief 850';
  return `Romans ${code}`;
}

const STATUS_SPREAD: [ItemStatus, number][] = [
  ['available', 0.7], ['on_loan', 0.22], ['in_transit', 0.03], ['on_hold_shelf', 0.03], ['missing', 0.02],
];

/**
 * Physical copies of one library: about one in twelve physical titles, popular ones more often,
 * one to three copies spread over its branches. `libraryIndex` (0–99) prefixes the barcodes.
 */
export function buildDemoItems(titles: DemoTitle[], libraryKey: string, libraryIndex: number, branchIds: string[]): DemoItem[] {
  if (!branchIds.length) return [];
  const items: DemoItem[] = [];
  let serial = 0;
  for (const t of titles) {
    if (t.format === 'ebook') continue;
    const chance = 0.03 + Math.min(0.4, t.popularity / 500);
    if (unit(`holds:${libraryKey}:${t.id}`) >= chance) continue;
    const copies = 1 + Math.floor(unit(`copies:${libraryKey}:${t.id}`) * (t.popularity > 100 ? 3 : 1.3));
    for (let c = 0; c < copies; c++) {
      const key = `${libraryKey}:${t.id}:${c}`;
      const branchId = branchIds[Math.floor(unit(`branch:${key}`) * branchIds.length)]!;
      const s = unit(`status:${key}`);
      let acc = 0;
      const status = STATUS_SPREAD.find(([, p]) => (acc += p) > s)?.[0] ?? 'available';
      serial++;
      items.push({
        titleId: t.id,
        branchId,
        barcode: makeBarcode(`3${String(libraryIndex).padStart(2, '0')}${String(serial).padStart(7, '0')}`),
        shelf: shelfFor(t),
        status,
      });
    }
  }
  return items;
}
