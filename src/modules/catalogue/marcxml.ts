// MARC 21 bibliographic records of our titles, written as MARCXML (the Library of Congress
// MARC 21 XML schema, http://www.loc.gov/MARC21/slim). Pure: the service loads the titles and
// copies, this maps them field by field. Holdings (a library's copies) go into 852 fields.
import type { TitleDetail } from './catalogue.service.ts';
import type { FormatCode } from './formats.ts';

export type MarcField =
  | { tag: string; value: string }
  | { tag: string; ind1: string; ind2: string; subfields: [string, string][] };

export interface MarcRecord {
  leader: string;
  fields: MarcField[];
}

export interface Holding {
  branchName: string;
  shelf: string;
  barcode: string;
  status: string;
}

/** Leader/06 (type of record) and 007 for each of our formats. */
const RECORD_TYPE: Record<FormatCode, { type: string; f007?: string }> = {
  book: { type: 'a', f007: 'ta' },
  large_print: { type: 'a', f007: 'tb' },
  ebook: { type: 'a', f007: 'cr' },
  audiobook: { type: 'i', f007: 'cr' },
  audio_cd: { type: 'i', f007: 'sd' },
  magazine: { type: 'a', f007: 'ta' },
  dvd: { type: 'g', f007: 'vd' },
  bluray: { type: 'g', f007: 'vd' },
  game: { type: 'm', f007: 'co' },
  sheet_music: { type: 'c', f007: 'qu' },
  map: { type: 'e', f007: 'aj' },
  other: { type: 'a' },
};

/** 008/22 target audience. */
const AUDIENCE_CODE: Record<string, string> = { toddlers: 'a', children: 'j', young_adults: 'd', adults: 'e' };

/** 245 second indicator: how many characters a leading article takes, so the title files under its first word. */
export function nonFilingCharacters(title: string): number {
  const m = /^(de |het |een |the |an? |l'|le |la |les |der |die |das |'t )/i.exec(title);
  return m ? Math.min(9, m[1]!.length) : 0;
}

function dataField(tag: string, ind1: string, ind2: string, subfields: [string, string | null | undefined][]): MarcField | null {
  const present = subfields.filter((s): s is [string, string] => !!s[1]);
  return present.length ? { tag, ind1, ind2, subfields: present } : null;
}

export function titleToMarc(t: TitleDetail, holdings: Holding[] = [], libraryName?: string): MarcRecord {
  const kind = RECORD_TYPE[t.format];
  const bibLevel = t.format === 'magazine' ? 's' : 'm';
  const fields: (MarcField | null)[] = [];
  fields.push({ tag: '001', value: t.id });
  fields.push({ tag: '003', value: 'NL-Eenbieb' });
  if (kind.f007) fields.push({ tag: '007', value: kind.f007 });
  const year = t.year !== null ? String(t.year).padStart(4, '0') : 'uuuu';
  const f008 = [
    '      ', // 00-05 date entered on file: not recorded
    t.year !== null ? 's' : 'n', year, '    ', // 06-14 type of date, dates
    'ne ', // 15-17 place of publication: the Netherlands
    '    ', AUDIENCE_CODE[t.audience ?? ''] ?? ' ', t.format === 'ebook' ? 'o' : ' ', '           ', // 18-34 material specific
    (t.language ?? 'und').padEnd(3).slice(0, 3), // 35-37 language
    ' ', 'd', // 38 modified record, 39 cataloguing source
  ].join('');
  fields.push({ tag: '008', value: f008 });
  if (t.isbn) fields.push(dataField('020', ' ', ' ', [['a', t.isbn]]));
  if (t.ppn) fields.push(dataField('035', ' ', ' ', [['a', `(NL-LeOCL)${t.ppn}`]]));
  const [first, ...others] = t.contributors;
  if (first) fields.push(dataField('100', first.sortName.includes(',') ? '1' : '0', ' ', [['a', first.sortName], ['4', first.role]]));
  fields.push(dataField('245', first ? '1' : '0', String(nonFilingCharacters(t.title)), [['a', t.title], ['b', t.subtitle]]));
  if (t.edition) fields.push(dataField('250', ' ', ' ', [['a', t.edition]]));
  const published = t.yearDisplay ?? (t.year !== null ? String(t.year) : null);
  if (t.publisher || published) fields.push(dataField('264', ' ', '1', [['b', t.publisher], ['c', published]]));
  if (t.series) fields.push(dataField('490', '0', ' ', [['a', t.series], ['v', t.seriesNumber]]));
  if (t.description) fields.push(dataField('520', ' ', ' ', [['a', t.description]]));
  if (t.aviLevel) fields.push(dataField('521', '8', ' ', [['a', `AVI ${t.aviLevel}`]]));
  for (const s of t.subjects) fields.push(dataField('650', ' ', '4', [['a', s]]));
  for (const g of t.genres) fields.push(dataField('655', ' ', '4', [['a', g]]));
  for (const c of others) fields.push(dataField('700', c.sortName.includes(',') ? '1' : '0', ' ', [['a', c.sortName], ['4', c.role]]));
  const self = t.formats.find((f) => f.id === t.id);
  if (self?.openAccessUrl) fields.push(dataField('856', '4', '0', [['u', self.openAccessUrl], ['z', 'Open access']]));
  for (const h of holdings) {
    fields.push(dataField('852', ' ', ' ', [['a', libraryName], ['b', h.branchName], ['h', h.shelf], ['p', h.barcode], ['z', h.status]]));
  }
  return {
    // record length and base address are computed by ISO 2709 writers; MARCXML leaves them zero
    leader: `00000n${kind.type}${bibLevel} a2200000 i 4500`,
    fields: fields.filter((f): f is MarcField => f !== null),
  };
}

/** XML 1.0 cannot carry most control characters at all: they are dropped, the rest escaped. */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function marcxmlRecord(r: MarcRecord): string {
  const lines = [`  <record>`, `    <leader>${xml(r.leader)}</leader>`];
  for (const f of r.fields) {
    if ('value' in f) {
      lines.push(`    <controlfield tag="${f.tag}">${xml(f.value)}</controlfield>`);
    } else {
      lines.push(`    <datafield tag="${f.tag}" ind1="${f.ind1}" ind2="${f.ind2}">`);
      for (const [code, value] of f.subfields) lines.push(`      <subfield code="${code}">${xml(value)}</subfield>`);
      lines.push('    </datafield>');
    }
  }
  lines.push('  </record>');
  return lines.join('\n');
}

export const MARCXML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n';
export const MARCXML_TAIL = '</collection>\n';

export function marcxmlCollection(records: MarcRecord[]): string {
  return MARCXML_HEAD + records.map((r) => `${marcxmlRecord(r)}\n`).join('') + MARCXML_TAIL;
}
