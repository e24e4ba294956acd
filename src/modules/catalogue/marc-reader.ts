// Streaming readers for MARC 21 files: ISO 2709 (UTF-8 or MARC-8) and MARCXML. Both read the
// file as a stream and hand out one record at a time through an async iterator, so memory stays
// flat however large the file is: only the record being read is held (at most MAX_RECORD_BYTES).
//
// A record that cannot be read becomes a `{ error }` result with its position (record number
// and byte offset in the file); reading goes on with the next record. Nothing here throws for bad
// data. marcjs has parsers for both formats, but its ISO 2709 parser trusts the leader length and
// its MARCXML parser neither handles namespace prefixes (<marc:record>) nor multibyte characters
// split across chunks, so framing and parsing are our own; see docs/architecture.md.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { decodeMarc8, Marc8Error } from './marc8.ts';
import type { MarcField, MarcRecord } from './marcxml.ts';

export type { MarcField, MarcRecord };

/** The largest record we accept: ISO 2709 caps records at 99,999 bytes; real files exceed it a little. */
export const MAX_RECORD_BYTES = 1_000_000;

export interface RecordPosition {
  /** 1-based number of the record in the file. */
  record: number;
  /** Byte offset of its first byte in the file. */
  offset: number;
}

export type ReadResult =
  | { position: RecordPosition; record: MarcRecord; encoding: 'utf8' | 'marc8'; warnings: string[]; error?: undefined }
  | { position: RecordPosition; error: string; record?: undefined; encoding?: undefined; warnings: string[] };

export class MarcReadError extends Error {}

const RT = 0x1d; // record terminator
const FT = 0x1e; // field terminator
const US = 0x1f; // subfield delimiter

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether the bytes contain at least one well-formed UTF-8 multibyte sequence. */
function hasUtf8Sequence(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (!n) continue;
    let ok = true;
    for (let k = 1; k <= n; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) ok = false;
    if (ok && isValidUtf8(bytes.subarray(i, i + n + 1))) return true;
  }
  return false;
}

function digits(s: string): number | null {
  return /^[0-9]+$/.test(s) ? Number(s) : null;
}

/**
 * Which character coding a record's data uses. Leader/09 'a' is UCS/Unicode (UTF-8), blank is
 * MARC-8. Records whose leader says MARC-8 but whose bytes are UTF-8 (and carry no MARC-8
 * escape) are common in exports from systems that forgot to set /09: they are read as UTF-8,
 * with a warning, since valid UTF-8 multibyte sequences practically never occur in MARC-8 text.
 */
function encodingOf(leader: string, data: Uint8Array, warnings: string[]): 'utf8' | 'marc8' {
  const flag = leader[9];
  if (flag === 'a') {
    if (!isValidUtf8(data) && !hasUtf8Sequence(data)) {
      // not one valid multibyte sequence: a MARC-8 record whose leader was set to UTF-8
      warnings.push('leader/09 says UTF-8 but the data is not UTF-8 at all: read as MARC-8');
      return 'marc8';
    }
    return 'utf8';
  }
  const highBytes = data.some((b) => b >= 0x80);
  if (flag === ' ') {
    if (highBytes && !data.includes(0x1b) && isValidUtf8(data)) {
      warnings.push('leader/09 says MARC-8 but the data is UTF-8: read as UTF-8');
      return 'utf8';
    }
    return 'marc8';
  }
  if (!highBytes || isValidUtf8(data)) {
    warnings.push(`leader/09 is ${JSON.stringify(flag)}, not a MARC 21 character coding: read as UTF-8 (the data is valid UTF-8)`);
    return 'utf8';
  }
  throw new MarcReadError(`unknown character coding in leader/09 (${JSON.stringify(flag)}) and the data is not UTF-8`);
}

function decodeText(bytes: Uint8Array, encoding: 'utf8' | 'marc8', where: string): string {
  try {
    return encoding === 'utf8' ? utf8.decode(bytes).normalize('NFC') : decodeMarc8(bytes);
  } catch (e) {
    if (e instanceof Marc8Error) throw new MarcReadError(`${where}: ${e.message}`);
    throw new MarcReadError(`${where}: invalid UTF-8`);
  }
}

/**
 * The leader as text. Positions 10–11 and 20–23 are constant in MARC 21 ("22", "4500"); stray
 * bytes there (seen in real exports) are put right with a warning. Other non-ASCII positions
 * become blank, also with a warning; the record length and base address must be numbers.
 */
function readLeader(bytes: Uint8Array, warnings: string[]): string {
  const chars = [...bytes].map((b) => String.fromCharCode(b));
  const fixed: Record<number, string> = { 10: '2', 11: '2', 20: '4', 21: '5', 22: '0', 23: '0' };
  let repaired = false;
  chars.forEach((c, i) => {
    const b = c.charCodeAt(0);
    if (b >= 0x20 && b <= 0x7e) return;
    chars[i] = fixed[i] ?? ' ';
    repaired = true;
  });
  if (repaired) warnings.push('leader contains bytes that are not ASCII: set to the MARC 21 defaults');
  return chars.join('');
}

const isControlTag = (tag: string) => /^00[0-9]$/.test(tag);

/** Parses one ISO 2709 record (with or without its terminator). Throws MarcReadError. */
export function parseIso2709(bytes: Uint8Array, warnings: string[] = []): { record: MarcRecord; encoding: 'utf8' | 'marc8' } {
  let rec = bytes;
  if (rec.length && rec[rec.length - 1] === RT) rec = rec.subarray(0, rec.length - 1);
  if (rec.length < 24) throw new MarcReadError(`record of ${rec.length} bytes is shorter than a leader (24 bytes)`);
  const leader = readLeader(rec.subarray(0, 24), warnings);
  const stated = digits(leader.slice(0, 5));
  if (stated === null) throw new MarcReadError(`leader record length ${JSON.stringify(leader.slice(0, 5))} is not a number`);
  if (stated !== rec.length + 1) warnings.push(`leader says ${stated} bytes, the record has ${rec.length + 1}: read up to its terminator`);
  let base = digits(leader.slice(12, 17));
  if (base === null) throw new MarcReadError(`leader base address ${JSON.stringify(leader.slice(12, 17))} is not a number`);
  if (base < 25 || base > rec.length || rec[base - 1] !== FT) {
    // the directory ends at the first field terminator; when that gives whole 12-byte entries,
    // the base address was written wrong (seen in oversized records) and the directory is right
    const end = rec.indexOf(FT, 24);
    if (end < 0 || (end - 24) % 12 !== 0 || end === 24) {
      throw new MarcReadError(`leader base address ${base} does not point just past the directory (truncated record or bad directory)`);
    }
    warnings.push(`leader base address ${base} is wrong: the directory ends at byte ${end}`);
    base = end + 1;
  }
  const dirLength = base - 1 - 24;
  if (dirLength % 12 !== 0) throw new MarcReadError(`directory length ${dirLength} is not a multiple of 12 (bad directory)`);
  const entries: { tag: string; length: number; start: number }[] = [];
  for (let p = 24; p < base - 1; p += 12) {
    const entry = Buffer.from(rec.subarray(p, p + 12)).toString('latin1');
    const length = digits(entry.slice(3, 7));
    const start = digits(entry.slice(7, 12));
    if (length === null || start === null) throw new MarcReadError(`directory entry ${entries.length + 1} ${JSON.stringify(entry)} is not tag+length+start (bad directory)`);
    entries.push({ tag: entry.slice(0, 3), length, start });
  }
  const data = rec.subarray(base);
  let pieces: Uint8Array[] = entries.map((e) => data.subarray(e.start, e.start + e.length));
  const consistent = entries.every((e, i) => e.start + e.length <= data.length && e.length > 0 && pieces[i]![e.length - 1] === FT);
  if (!consistent) {
    // Writers that counted characters instead of bytes put lengths off by the multibyte
    // characters. When the data splits into exactly as many terminated fields as the directory
    // lists, those fields are taken in the directory's start order.
    const split: Uint8Array[] = [];
    let from = 0;
    for (let i = 0; i < data.length; i++) if (data[i] === FT) { split.push(data.subarray(from, i + 1)); from = i + 1; }
    if (split.length !== entries.length || from !== data.length) {
      throw new MarcReadError(`directory does not match the data: ${entries.length} entries, ${split.length} fields (truncated record or bad directory)`);
    }
    const order = entries.map((e, i) => ({ start: e.start, i })).sort((a, b) => a.start - b.start || a.i - b.i);
    pieces = new Array(entries.length);
    order.forEach((o, k) => { pieces[o.i] = split[k]!; });
    warnings.push('directory lengths/offsets do not match the fields: fields read by their terminators');
  }
  const encoding = encodingOf(leader, data, warnings);
  const fields: MarcField[] = [];
  entries.forEach((e, i) => {
    const raw = pieces[i]!.subarray(0, pieces[i]!.length - 1);
    if (!/^[0-9A-Za-z]{3}$/.test(e.tag)) {
      warnings.push(`field with tag ${JSON.stringify(e.tag)} skipped: not a MARC tag`);
      return;
    }
    if (isControlTag(e.tag) || (!/^[0-9]{3}$/.test(e.tag) && !raw.includes(US))) {
      fields.push({ tag: e.tag, value: decodeText(raw, encoding, `field ${e.tag}`) });
      return;
    }
    const first = raw.indexOf(US);
    const head = first < 0 ? raw : raw.subarray(0, first);
    const indicator = (b: number | undefined) => (b !== undefined && b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ' ');
    if (head.length !== 2) warnings.push(`field ${e.tag}: ${head.length} indicator bytes instead of 2`);
    const subfields: [string, string][] = [];
    if (first >= 0) {
      let from = first + 1;
      for (let k = from; k <= raw.length; k++) {
        if (k === raw.length || raw[k] === US) {
          if (k > from) {
            const code = raw[from]!;
            if (code < 0x21 || code > 0x7e) warnings.push(`field ${e.tag}: subfield code byte 0x${code.toString(16)} is not a letter or digit`);
            else subfields.push([String.fromCharCode(code), decodeText(raw.subarray(from + 1, k), encoding, `field ${e.tag} $${String.fromCharCode(code)}`)]);
          }
          from = k + 1;
        }
      }
    }
    fields.push({ tag: e.tag, ind1: indicator(head[0]), ind2: indicator(head[1]), subfields });
  });
  return { record: { leader, fields }, encoding };
}

/** Where, after the first byte, another record's leader starts (resynchronising after a truncated record). */
function embeddedLeader(chunk: Uint8Array): number {
  const text = Buffer.from(chunk).toString('latin1');
  const re = /[0-9]{5}[a-z ][a-z][a-z ]{3}[0-9 ]2[0-9]{5}[ -~]{3}4[0-9]{2}/g;
  re.lastIndex = 1;
  const m = re.exec(text);
  return m ? m.index : -1;
}

function readOne(chunk: Uint8Array, position: RecordPosition): ReadResult {
  const warnings: string[] = [];
  try {
    const { record, encoding } = parseIso2709(chunk, warnings);
    return { position, record, encoding, warnings };
  } catch (e) {
    if (!(e instanceof MarcReadError)) throw e;
    return { position, error: e.message, warnings };
  }
}

/**
 * ISO 2709 records, one at a time, from a byte stream. Records are framed by their terminator
 * (0x1D), not by the leader length, so one wrong length cannot swallow the next record; a record
 * whose parse fails and that contains another leader is split there (a truncated record followed
 * by a good one).
 */
export async function* readIso2709(input: AsyncIterable<Uint8Array>): AsyncGenerator<ReadResult> {
  let parts: Buffer[] = [];
  let pending = 0;
  let offset = 0; // file offset of the first pending byte
  let number = 0;
  let skipping = false; // inside an oversized record, until its terminator
  function* frame(chunk: Uint8Array, at: number): Generator<ReadResult> {
    // whitespace and line ends between records (some exports add them) are not records
    let s = 0;
    while (s < chunk.length && (chunk[s] === 0x0a || chunk[s] === 0x0d || chunk[s] === 0x20 || chunk[s] === 0x1a)) s++;
    if (s === chunk.length || (s === chunk.length - 1 && chunk[s] === RT)) return;
    const body = chunk.subarray(s);
    let result = readOne(body, { record: ++number, offset: at + s });
    if (result.error) {
      const next = embeddedLeader(body);
      if (next > 0) {
        const head = readOne(body.subarray(0, next), result.position);
        yield head.error ? head : { position: head.position, error: 'record cut short (another record starts inside it)', warnings: [] };
        result = readOne(body.subarray(next), { record: ++number, offset: at + s + next });
      }
    }
    yield result;
  }
  for await (const raw of input) {
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    let from = 0;
    while (from < buf.length) {
      const end = buf.indexOf(RT, from);
      if (end < 0) {
        const rest = buf.subarray(from);
        if (!skipping && pending + rest.length > MAX_RECORD_BYTES) {
          yield { position: { record: ++number, offset }, error: `record longer than ${MAX_RECORD_BYTES} bytes without a terminator`, warnings: [] };
          skipping = true;
          parts = [];
          pending = 0;
        }
        if (!skipping) { parts.push(rest); pending += rest.length; }
        break;
      }
      if (skipping) {
        skipping = false;
        offset += pending + (end + 1 - from);
        pending = 0;
        from = end + 1;
        continue;
      }
      const piece = buf.subarray(from, end + 1);
      const chunk = parts.length ? Buffer.concat([...parts, piece]) : piece;
      parts = [];
      pending = 0;
      yield* frame(chunk, offset);
      offset += chunk.length;
      from = end + 1;
    }
    if (skipping) offset += buf.length - from;
  }
  if (pending > 0) {
    const chunk = Buffer.concat(parts);
    if (chunk.some((b) => b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x1a)) {
      const result = [...frame(chunk, offset)];
      for (const r of result) {
        yield r.error ? r : { position: r.position, error: 'file ends inside a record (no record terminator): truncated', warnings: [] };
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// MARCXML

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (!(cp > 0 && cp <= 0x10ffff)) throw new MarcReadError(`character reference ${m} is not a character`);
      return String.fromCodePoint(cp);
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new MarcReadError(`unknown entity ${m}`);
    return v;
  });
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[m[1]!] = unescapeXml(m[3] ?? m[4] ?? '');
  return out;
}

/** Parses the XML of one <record> element (any namespace prefix). Throws MarcReadError. */
export function parseMarcXmlRecord(xml: string, warnings: string[] = []): MarcRecord {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
  const re = /<(\/?)(?:[\w.-]+:)?([\w.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  let leader: string | null = null;
  const fields: MarcField[] = [];
  let current: { kind: 'leader' | 'control' | 'data' | 'subfield' | 'other'; tag?: string; code?: string; text: string } | null = null;
  let datafield: { tag: string; ind1: string; ind2: string; subfields: [string, string][] } | null = null;
  const stack: string[] = [];
  for (const m of body.matchAll(re)) {
    if (m[6]) throw new MarcReadError('malformed XML (a "<" that opens no tag)');
    if (m[5] !== undefined) {
      if (current) current.text += unescapeXml(m[5]);
      else if (m[5].trim() && stack.length) warnings.push('text outside MARC elements ignored');
      continue;
    }
    const closing = m[1] === '/';
    const name = m[2]!;
    const selfClosing = m[4] === '/';
    if (!closing) {
      const attrs = attributes(m[3] ?? '');
      if (name === 'leader') current = { kind: 'leader', text: '' };
      else if (name === 'controlfield') current = { kind: 'control', tag: attrs.tag ?? '', text: '' };
      else if (name === 'datafield') datafield = { tag: attrs.tag ?? '', ind1: (attrs.ind1 ?? ' ').slice(0, 1) || ' ', ind2: (attrs.ind2 ?? ' ').slice(0, 1) || ' ', subfields: [] };
      else if (name === 'subfield') {
        if (!datafield) throw new MarcReadError('subfield outside a datafield');
        current = { kind: 'subfield', code: attrs.code ?? '', text: '' };
      }
      if (selfClosing) m[1] = '/';
      else { stack.push(name); continue; }
    }
    if (!selfClosing) {
      const open = stack.pop();
      if (open !== name) throw new MarcReadError(`malformed XML: </${name}> closes <${open ?? 'nothing'}>`);
    }
    if (name === 'leader' && current?.kind === 'leader') { leader = current.text; current = null; }
    else if (name === 'controlfield' && current?.kind === 'control') {
      if (/^[0-9A-Za-z]{3}$/.test(current.tag!)) fields.push({ tag: current.tag!, value: current.text.normalize('NFC') });
      else warnings.push(`controlfield with tag ${JSON.stringify(current.tag)} skipped: not a MARC tag`);
      current = null;
    } else if (name === 'subfield' && current?.kind === 'subfield' && datafield) {
      if (current.code!.length === 1) datafield.subfields.push([current.code!, current.text.normalize('NFC')]);
      else warnings.push(`field ${datafield.tag}: subfield code ${JSON.stringify(current.code)} skipped`);
      current = null;
    } else if (name === 'datafield' && datafield) {
      if (/^[0-9A-Za-z]{3}$/.test(datafield.tag)) fields.push(datafield);
      else warnings.push(`datafield with tag ${JSON.stringify(datafield.tag)} skipped: not a MARC tag`);
      datafield = null;
    }
  }
  if (stack.length) throw new MarcReadError(`malformed XML: <${stack[stack.length - 1]}> is not closed`);
  if (leader === null) throw new MarcReadError('record has no leader');
  if (leader.length !== 24) warnings.push(`leader has ${leader.length} characters instead of 24`);
  return { leader: leader.padEnd(24).slice(0, 24), fields };
}

/**
 * MARCXML records, one at a time, from a byte stream: a small streaming splitter that holds only
 * the text of the record being read. Works for <collection> files, single <record> files and
 * OAI-PMH wrappers, with or without a namespace prefix.
 */
export async function* readMarcXml(input: AsyncIterable<Uint8Array>): AsyncGenerator<ReadResult> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let bufferOffset = 0; // file byte offset of buffer[0]
  let number = 0;
  const open = /<((?:[\w.-]+:)?)record(?=[\s/>])/g;
  function* drain(final: boolean): Generator<ReadResult> {
    for (;;) {
      open.lastIndex = 0;
      const start = open.exec(buffer);
      if (!start) {
        // keep a tail that could be the beginning of a split "<marc:record"
        const keep = final ? 0 : Math.min(buffer.length, 64);
        bufferOffset += Buffer.byteLength(buffer.slice(0, buffer.length - keep));
        buffer = buffer.slice(buffer.length - keep);
        return;
      }
      const closeTag = `</${start[1]}record>`;
      const end = buffer.indexOf(closeTag, start.index);
      const selfClosed = /^<[^>]*\/>/.exec(buffer.slice(start.index));
      const position = { record: number + 1, offset: bufferOffset + Buffer.byteLength(buffer.slice(0, start.index)) };
      if (end < 0 && !selfClosed) {
        if (buffer.length - start.index > MAX_RECORD_BYTES) {
          number++;
          yield { position, error: `record longer than ${MAX_RECORD_BYTES} characters without </record>`, warnings: [] };
          bufferOffset += Buffer.byteLength(buffer.slice(0, start.index + 1));
          buffer = buffer.slice(start.index + 1);
          continue;
        }
        if (final) {
          number++;
          yield { position, error: 'file ends inside a record (no </record>): truncated', warnings: [] };
          buffer = '';
        } else {
          bufferOffset += Buffer.byteLength(buffer.slice(0, start.index));
          buffer = buffer.slice(start.index);
        }
        return;
      }
      const stop = end < 0 ? start.index + selfClosed![0].length : end + closeTag.length;
      const xml = buffer.slice(start.index, stop);
      number++;
      const warnings: string[] = [];
      try {
        yield { position, record: parseMarcXmlRecord(xml, warnings), encoding: 'utf8', warnings };
      } catch (e) {
        if (!(e instanceof MarcReadError)) throw e;
        yield { position, error: e.message, warnings };
      }
      bufferOffset += Buffer.byteLength(buffer.slice(0, stop));
      buffer = buffer.slice(stop);
    }
  }
  for await (const chunk of input) {
    buffer += decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    yield* drain(false);
  }
  buffer += decoder.end();
  yield* drain(true);
}

/** MARCXML when the file's first non-blank character is "<", else ISO 2709. */
export async function* readMarcFile(file: string): AsyncGenerator<ReadResult> {
  const fd = await fs.promises.open(file, 'r');
  let head: Buffer;
  try {
    const b = Buffer.alloc(256);
    const { bytesRead } = await fd.read(b, 0, 256, 0);
    head = b.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
  const first = head.toString('latin1').replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart()[0];
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  yield* first === '<' ? readMarcXml(stream) : readIso2709(stream);
}

export function isMarcXml(head: string): boolean {
  return head.replace(/^\ufeff/, '').trimStart().startsWith('<');
}
