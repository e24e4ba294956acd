// MARC 21 bibliographic record → a catalogue title (and the copies its holdings fields describe).
// Pure: the import service writes what this returns. A record that cannot become a title throws
// MarcMapError with the reason; things that are wrong but not fatal (an invalid ISBN, an unknown
// relator term, a copy without a usable barcode) become warnings on the title.
import crypto from 'node:crypto';
import type { AudienceCode, FormatCode, ItemStatus, TitleDescription } from './formats.ts';
import { AVI_LEVELS } from './formats.ts';
import { normalisePpn } from './identifiers.ts';
import { parseIsbn } from './isbn.ts';
import type { MarcField, MarcRecord } from './marcxml.ts';

export class MarcMapError extends Error {}

export interface ImportedHolding {
  /** Branch code or name as the record gives it (852 $b/$a, 952 $b/$a, 949 $l/$m). */
  branch: string;
  barcode: string;
  shelf: string;
  status: ItemStatus;
}

export interface ImportedTitle extends TitleDescription {
  /** Identifier of the record at its source, for idempotent re-imports. */
  sourceId: string;
  contributors: { name: string; sortName: string; role: string }[];
  holdings: ImportedHolding[];
}

type DataField = Extract<MarcField, { subfields: unknown }>;

const data = (r: MarcRecord, ...tags: string[]) => r.fields.filter((f): f is DataField => 'subfields' in f && tags.includes(f.tag));
const control = (r: MarcRecord, tag: string) => {
  const f = r.fields.find((x) => x.tag === tag && 'value' in x);
  return f && 'value' in f ? f.value : null;
};
const sub = (f: DataField, code: string) => f.subfields.find(([c]) => c === code)?.[1] ?? null;
const subs = (f: DataField, codes: string) => f.subfields.filter(([c]) => codes.includes(c)).map(([, v]) => v);

/**
 * Text as shown: ISBD punctuation that ends a MARC subfield (" /", " :", " ;", ",", "=", a final
 * full stop after a word) removed, non-sort markers (MARC-8 NSB/NSE) and control characters
 * dropped, whitespace collapsed.
 */
export function clean(text: string | null | undefined): string {
  if (!text) return '';
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*[/:;,=]+$/, '')
    // a full stop ends an abbreviation ("dr.", "ed.") or an initial ("Hella S.") and stays there
    .replace(/(?<!(?:^|[^\p{L}.])\p{L}{1,3}|\p{Lu}|\.\.)\.$/u, '')
    .trim();
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Relators: MARC relator codes come in $4 (sometimes as an id.loc.gov URI); RDA records give a
// term in $e. Terms in English and Dutch (the GGC uses Dutch) map to the 3-letter codes.

const RELATOR_TERMS: Record<string, string> = {
  author: 'aut', auteur: 'aut', writer: 'aut', schrijver: 'aut', 'joint author': 'aut',
  illustrator: 'ill', illustraties: 'ill', 'ill.': 'ill', tekenaar: 'ill',
  translator: 'trl', vertaler: 'trl', vertaling: 'trl', 'tr.': 'trl', 'trans.': 'trl',
  editor: 'edt', 'ed.': 'edt', redacteur: 'edt', redactie: 'edt', 'red.': 'edt', samensteller: 'com', compiler: 'com', 'comp.': 'com',
  narrator: 'nrt', verteller: 'nrt', voorlezer: 'nrt', 'voorgelezen door': 'nrt', reader: 'nrt',
  composer: 'cmp', componist: 'cmp', 'comp': 'cmp',
  director: 'drt', 'film director': 'fmd', regisseur: 'drt', 'regie': 'drt',
  performer: 'prf', uitvoerder: 'prf', actor: 'act', acteur: 'act', singer: 'sng', zanger: 'sng', vocalist: 'voc', instrumentalist: 'itr',
  conductor: 'cnd', dirigent: 'cnd', arranger: 'arr', arrangeur: 'arr', lyricist: 'lyr', librettist: 'lbt',
  photographer: 'pht', fotograaf: 'pht', 'author of introduction': 'aui', 'writer of introduction': 'win', inleiding: 'win',
  'writer of preface': 'wpr', 'writer of afterword': 'aft', 'writer of added commentary': 'wac', commentator: 'cmm',
  contributor: 'ctb', medewerker: 'ctb', publisher: 'pbl', 'issuing body': 'isb', producer: 'pro', 'film producer': 'fmp', producent: 'pro',
  screenwriter: 'aus', scenarist: 'aus', 'creator': 'cre', artist: 'art', kunstenaar: 'art', 'cartographer': 'ctg', interviewer: 'ivr', interviewee: 'ive',
  'praeses': 'pra', 'respondent': 'rsp', 'honoree': 'hnr', 'dedicatee': 'dte', 'former owner': 'fmo', 'printer': 'prt', 'engraver': 'egr',
  'thesis advisor': 'ths', 'degree supervisor': 'dgs', 'host': 'hst', 'presenter': 'pre', 'speaker': 'spk', 'animator': 'anm',
  'cinematographer': 'cng', 'filmmaker': 'fmk', 'voice actor': 'vac', 'storyteller': 'stl', 'adapter': 'adp', bewerker: 'adp',
};

function relator(f: DataField, fallback: string, warnings: string[]): string {
  for (const code of subs(f, '4')) {
    const m = /([a-z]{3})\s*\.?$/i.exec(code.trim());
    if (m) return m[1]!.toLowerCase();
  }
  // 111/711 carry the meeting's subunit in $e; their relator term is in $j
  const terms = subs(f, f.tag.endsWith('11') ? 'j' : 'e');
  for (const raw of terms) {
    const term = clean(raw).toLowerCase().replace(/\s+/g, ' ');
    const code = RELATOR_TERMS[term] ?? RELATOR_TERMS[term.replace(/\.$/, '')];
    if (code) return code;
    if (term) warnings.push(`relator term ${JSON.stringify(term)} in ${f.tag} not known: recorded as ${fallback}`);
  }
  return fallback;
}

/** "Vestdijk, Simon," → { name: "Simon Vestdijk", sortName: "Vestdijk, Simon" } for personal names entered surname first. */
function personName(f: DataField): { name: string; sortName: string } | null {
  const a = clean(sub(f, 'a'));
  if (!a) return null;
  const numeration = clean(sub(f, 'b'));
  if (f.tag.endsWith('00') && f.ind1 === '1') {
    const m = /^([^,]+),\s*(.+)$/.exec(a);
    if (m) return { name: `${m[2]} ${m[1]}`.trim(), sortName: a };
  }
  const name = numeration ? `${a} ${numeration}` : a;
  return { name, sortName: name };
}

function corporateName(f: DataField): { name: string; sortName: string } | null {
  const parts = [sub(f, 'a'), ...subs(f, 'b')].map(clean).filter(Boolean);
  if (!parts.length) return null;
  const name = parts.join('. ');
  return { name, sortName: name };
}

function contributorsOf(r: MarcRecord, warnings: string[]): ImportedTitle['contributors'] {
  const out: ImportedTitle['contributors'] = [];
  const seen = new Set<string>();
  const add = (f: DataField, fallback: string) => {
    // a name-title added entry (700 $t) names a related work, not someone who made this one
    if (sub(f, 't')) return;
    const n = f.tag.endsWith('00') ? personName(f) : corporateName(f);
    if (!n) return;
    const name = cap(n.name, 300);
    const role = relator(f, fallback, warnings);
    const key = `${name}|${role}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name, sortName: cap(n.sortName, 300), role });
  };
  for (const f of data(r, '100', '110', '111')) add(f, 'aut');
  for (const f of data(r, '700', '710', '711')) add(f, 'ctb');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Format: leader/06 (type of record), leader/07 (bibliographic level), 007 (physical description),
// 008/23 or /29 (form of item) and the RDA carrier type 338 $b.

const BIBLIOGRAPHIC_TYPES = 'acdefgijkmoprt';
const NOT_BIBLIOGRAPHIC: Record<string, string> = {
  z: 'an authority record', u: 'a holdings record', v: 'a holdings record', x: 'a holdings record', y: 'a holdings record',
  w: 'a classification record', q: 'a community information record',
};

function formatOf(r: MarcRecord, f008: string): FormatCode {
  const type = r.leader[6] ?? ' ';
  const level = r.leader[7] ?? ' ';
  const f007 = r.fields.filter((f) => f.tag === '007' && 'value' in f).map((f) => ('value' in f ? f.value : ''));
  const carriers = data(r, '338').flatMap((f) => subs(f, 'b')).map((c) => c.trim().toLowerCase());
  const text = [...data(r, '300', '250', '245', '340', '347', '538').flatMap((f) => subs(f, 'abhn'))].join(' ').toLowerCase();
  const online = carriers.includes('cr') || f007.some((v) => v.startsWith('cr'));
  // form of item: 008/23 for books, music, serials, sound; 008/29 for maps and visual materials
  const form = 'eg'.includes(type) ? f008[29] : f008[23];
  const electronic = online || form === 'o' || form === 'q' || form === 's';
  switch (type) {
    case 'a':
    case 't':
      if (electronic) return 'ebook';
      if (form === 'd') return 'large_print';
      if (level === 's' || level === 'b' || level === 'i') return 'magazine';
      return 'book';
    case 'c':
    case 'd':
      return 'sheet_music';
    case 'e':
    case 'f':
      return 'map';
    case 'g':
      if (/blu-?ray/.test(text) || f007.some((v) => v.startsWith('vd') && v[4] === 's')) return 'bluray';
      if (f007.some((v) => v.startsWith('vd')) || carriers.includes('vd') || /\bdvd\b|videodis[ck]/.test(text)) return 'dvd';
      return 'other';
    case 'i':
      if (electronic) return 'audiobook';
      if (f007.some((v) => v.startsWith('sd')) || carriers.includes('sd') || /\bcd\b|compact dis|audio dis|geluidsdrager/.test(text)) return 'audio_cd';
      return 'other';
    case 'm':
      // 008/26 type of computer file: g = game; a digital text is an e-book
      if (f008[26] === 'g' || /video ?game|computer game|\bgame\b/.test(text)) return 'game';
      if (f008[26] === 'd' || f008[26] === 'm') return 'ebook';
      return 'other';
    default:
      return 'other';
  }
}

const AUDIENCE: Record<string, AudienceCode> = { a: 'toddlers', b: 'children', c: 'children', j: 'children', d: 'young_adults', e: 'adults' };

function firstYear(text: string | null | undefined): number | null {
  const m = /\b(1[0-9]{3}|20[0-9]{2}|21[0-9]{2})\b/.exec(text ?? '');
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Holdings: 852 (MARC holdings location), 952 (Koha items), 949 (the common local item field of
// vendor and ILS exports: $a call number, $i or $b barcode, $l or $m location/branch).

function holdingsOf(r: MarcRecord): ImportedHolding[] {
  const out: ImportedHolding[] = [];
  for (const f of data(r, '852')) {
    out.push({
      branch: clean(sub(f, 'b') ?? sub(f, 'a')),
      barcode: (sub(f, 'p') ?? '').trim(),
      shelf: clean([sub(f, 'k'), sub(f, 'h'), sub(f, 'i'), sub(f, 'm')].filter(Boolean).join(' ')),
      status: 'available',
    });
  }
  for (const f of data(r, '952')) {
    const flag = (code: string) => { const v = (sub(f, code) ?? '').trim(); return v !== '' && v !== '0'; };
    const status: ItemStatus = flag('0') ? 'withdrawn' : flag('1') ? 'missing' : sub(f, 'q') ? 'on_loan' : 'available';
    out.push({
      branch: clean(sub(f, 'b') ?? sub(f, 'a')),
      barcode: (sub(f, 'p') ?? '').trim(),
      shelf: clean([sub(f, 'c'), sub(f, 'o')].filter(Boolean).join(' ')),
      status,
    });
  }
  for (const f of data(r, '949')) {
    out.push({
      branch: clean(sub(f, 'l') ?? sub(f, 'm')),
      barcode: (sub(f, 'i') ?? sub(f, 'b') ?? '').trim(),
      shelf: clean(sub(f, 'a')),
      status: 'available',
    });
  }
  return out.map((h) => ({ ...h, shelf: cap(h.shelf, 100) }));
}

// ---------------------------------------------------------------------------------------------

/** Maps one record. Throws MarcMapError when it is not a bibliographic record or has no title. */
export function mapMarcRecord(record: MarcRecord, warnings: string[] = []): ImportedTitle {
  let r = record;
  let type = r.leader[6] ?? ' ';
  if (type === ' ' && data(r, '245').length) {
    // a blank type with a title statement: a bibliographic record whose leader was not filled in
    warnings.push('leader/06 (type of record) is blank: read as language material (a)');
    type = 'a';
    r = { ...r, leader: `${r.leader.slice(0, 6)}a${r.leader.slice(7)}` };
  }
  if (!data(r, '245').length && data(r, '200').some((f) => sub(f, 'a'))) {
    // UNIMARC (used by the BnF and in southern Europe) keeps the title in 200 $a
    throw new MarcMapError('looks like UNIMARC (title in 200 $a, no 245): only MARC 21 records can be imported');
  }
  if (!BIBLIOGRAPHIC_TYPES.includes(type)) {
    const what = NOT_BIBLIOGRAPHIC[type];
    throw new MarcMapError(what
      ? `leader/06 is ${JSON.stringify(type)}: ${what}, not a bibliographic record (not a title)`
      : `leader/06 (type of record) ${JSON.stringify(type)} is not a MARC 21 bibliographic type`);
  }
  const f245 = data(r, '245')[0];
  const title = cap(clean([sub(f245 ?? { tag: '', ind1: '', ind2: '', subfields: [] }, 'a'), ...(f245 ? subs(f245, 'np') : [])].map(clean).filter(Boolean).join('. ')), 1000);
  if (!f245 || !title) throw new MarcMapError('no title: 245 $a is missing or empty');
  const subtitle = clean(sub(f245, 'b')) || null;

  const f008 = (control(r, '008') ?? '').padEnd(40);
  const format = formatOf(r, f008);
  const contributors = contributorsOf(r, warnings);

  // identifiers
  let isbn: string | null = null;
  for (const f of data(r, '020')) {
    for (const a of subs(f, 'a')) {
      const parsed = parseIsbn(a);
      if (parsed.ok) { isbn ??= parsed.isbn13; continue; }
      warnings.push(`ISBN ${JSON.stringify(clean(a))} in 020 $a is not valid (${parsed.reason === 'check_digit' ? 'wrong check digit' : parsed.reason === 'prefix' ? 'not a 978/979 number' : 'not an ISBN'}): left out`);
    }
  }
  const controlNumber = (control(r, '001') ?? '').trim();
  const agency = (control(r, '003') ?? '').trim();
  const systemNumbers = data(r, '035').flatMap((f) => subs(f, 'a')).map((s) => s.trim()).filter(Boolean);
  let ppn: string | null = null;
  if (/^NL-/i.test(agency) || /^(GGC|PPN)/i.test(agency)) ppn = normalisePpn(controlNumber);
  for (const s of systemNumbers) {
    if (ppn) break;
    if (/^\((NL-LeOCL|NL-[A-Za-z]+|PPN|GGC)\)/i.test(s)) ppn = normalisePpn(s);
  }
  let sourceId: string;
  if (controlNumber) sourceId = agency ? `${agency}:${controlNumber}` : controlNumber;
  else if (systemNumbers[0]) sourceId = systemNumbers[0];
  else if (isbn) sourceId = `isbn:${isbn}`;
  else {
    // no identifier at all: the record is known by what it says, so importing the same file
    // again still finds it (a changed record then becomes a new title)
    const digest = crypto.createHash('sha256').update(JSON.stringify([title, subtitle, contributors.map((c) => c.name), f008.slice(7, 11)])).digest('hex');
    sourceId = `sha256:${digest.slice(0, 32)}`;
    warnings.push('no control number (001), system number (035) or valid ISBN: identified by its content');
  }
  sourceId = cap(sourceId, 100);

  // language: 008/35-37, else the first 041 $a
  let language: string | null = /^[a-z]{3}$/.test(f008.slice(35, 38)) ? f008.slice(35, 38) : null;
  if (!language) {
    const l = data(r, '041').flatMap((f) => subs(f, 'a'))[0]?.trim().toLowerCase().slice(0, 3);
    if (l && /^[a-z]{3}$/.test(l)) language = l;
  }

  // publication: 264 second indicator 1 (RDA publication), else 260
  const pub = data(r, '264').find((f) => f.ind2 === '1') ?? data(r, '260')[0] ?? data(r, '264')[0];
  const publisher = pub ? clean(subs(pub, 'b').map(clean).join('; ')) || null : null;
  const pubDate = pub ? clean(sub(pub, 'c')).replace(/^\[(.*)\]$/, '$1') || null : null;
  const date1 = f008.slice(7, 11);
  let year = /^[0-9]{4}$/.test(date1) && 'sitmrecpqk'.includes(f008[6] ?? '') ? Number(date1) : null;
  year ??= firstYear(pubDate);
  if (year !== null && year > 2200) year = null;
  const yearDisplay = pubDate ? cap(pubDate, 100) : year !== null ? String(year) : null;

  const edition = clean(data(r, '250').map((f) => sub(f, 'a')).find(Boolean)) || null;

  // series: the transcribed statement (490), else the controlled series entry (830/800)
  let series: string | null = null;
  let seriesNumber: string | null = null;
  const f490 = data(r, '490')[0];
  const f8xx = data(r, '830', '800', '810', '811')[0];
  if (f490 && sub(f490, 'a')) { series = clean(sub(f490, 'a')); seriesNumber = clean(sub(f490, 'v')) || null; }
  else if (f8xx) {
    series = clean(f8xx.tag === '830' ? sub(f8xx, 'a') : sub(f8xx, 't') ?? sub(f8xx, 'a')) || null;
    seriesNumber = clean(sub(f8xx, 'v')) || null;
  }

  const subjectOf = (f: DataField) => clean(subs(f, 'abcdqtvxyz').map(clean).filter(Boolean).join(' -- '));
  const unique = (xs: string[]) => [...new Set(xs.filter(Boolean).map((x) => cap(x, 200)))].slice(0, 50);
  const subjects = unique(data(r, '600', '610', '611', '630', '650', '651').map(subjectOf));
  const genres = unique(data(r, '655').map((f) => clean(sub(f, 'a'))));

  const description = cap(data(r, '520').map((f) => subs(f, 'ab').map(clean).join(' ')).filter(Boolean).join('\n\n'), 10_000) || null;

  const audience = 'atcdijgkmor'.includes(type) ? AUDIENCE[f008[22] ?? ''] ?? null : null;
  const avi = data(r, '521').flatMap((f) => subs(f, 'a')).map((a) => /\bAVI[- :]*(Start|Plus|[ME][3-7])\b/i.exec(a)?.[1]).find(Boolean);
  const aviLevel = avi ? AVI_LEVELS.find((l) => l.toLowerCase() === avi.toLowerCase()) ?? null : null;

  return {
    sourceId, format, title, subtitle: subtitle ? cap(subtitle, 1000) : null, contributors, language, year, yearDisplay,
    edition: edition ? cap(edition, 300) : null, publisher: publisher ? cap(publisher, 300) : null,
    series: series ? cap(series, 500) : null, seriesNumber: seriesNumber ? cap(seriesNumber, 50) : null,
    genres, subjects, audience, aviLevel, isbn, ppn, description, holdings: holdingsOf(r),
  };
}
