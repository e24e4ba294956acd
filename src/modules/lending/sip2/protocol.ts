// The SIP2 wire format (3M Standard Interchange Protocol 2.00), pure: framing, checksums, the
// fixed-length fields of every message and the variable fields (two-letter id, value, "|").
// Nothing here touches a socket or the database, so every rule is unit-tested on its own.
//
// Character set: the spec's default for field data is ASCII / ISO-8859-1. We decode a request as
// UTF-8 when its bytes are valid UTF-8 (pure ASCII reads the same either way) and as ISO-8859-1
// otherwise, so both kinds of kiosk are understood. Responses are written in the kiosk's
// configured encoding (ISO-8859-1 by default: "€" becomes "EUR", accents it lacks are dropped, and
// anything else becomes "?"). The checksum is
// always computed over the bytes actually sent or received.

/** Longest frame accepted (bytes, without the terminator): real SIP2 messages are far shorter. */
export const MAX_FRAME_BYTES = 4096;

export type Encoding = 'latin1' | 'utf8';

// ---------------------------------------------------------------------------------------------
// Framing: messages end with CR; LF and CRLF are tolerated (telnet-style test clients send them).

export type FrameEvent = { frame: Buffer } | { oversize: number };

export class FrameReader {
  private parts: Buffer[] = [];
  private length = 0;
  /** Bytes of an oversize frame are dropped until its terminator arrives. */
  private discarding = false;
  private discarded = 0;

  constructor(private readonly max = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b !== 0x0d && b !== 0x0a) continue;
      this.take(chunk.subarray(start, i));
      start = i + 1;
      if (this.discarding) {
        events.push({ oversize: this.discarded });
        this.discarding = false;
        this.discarded = 0;
      } else if (this.length > 0) {
        events.push({ frame: Buffer.concat(this.parts, this.length) });
      }
      // an empty frame is the LF of a CRLF pair (or a stray terminator): nothing to answer
      this.parts = [];
      this.length = 0;
    }
    this.take(chunk.subarray(start));
    return events;
  }

  /** Bytes waiting for their terminator (for tests and for the idle timeout). */
  get pending(): number {
    return this.discarding ? this.discarded : this.length;
  }

  private take(bytes: Buffer): void {
    if (!bytes.length) return;
    if (this.discarding) {
      this.discarded += bytes.length;
      return;
    }
    if (this.length + bytes.length > this.max) {
      this.discarding = true;
      this.discarded = this.length + bytes.length;
      this.parts = [];
      this.length = 0;
      return;
    }
    this.parts.push(bytes);
    this.length += bytes.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Checksum: the two's complement of the 16-bit sum of every byte up to and including "AZ".

export function checksum(bytes: Uint8Array): string {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xffff;
  return ((-sum) & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

// ---------------------------------------------------------------------------------------------
// Message layouts. Fixed fields come right after the two-digit code, in this order and length.

type Fixed = readonly (readonly [name: string, length: number])[];
const DATE = 18;

interface Layout {
  name: string;
  fixed: Fixed;
  /** Variable fields that must be present (possibly empty) in a request. */
  required?: readonly string[];
}

export const LAYOUTS: Record<string, Layout> = {
  // requests, SC → ACS
  '93': { name: 'login', fixed: [['uidAlgorithm', 1], ['pwdAlgorithm', 1]], required: ['CN', 'CO'] },
  '99': { name: 'scStatus', fixed: [['statusCode', 1], ['maxPrintWidth', 3], ['protocolVersion', 4]] },
  '23': { name: 'patronStatus', fixed: [['language', 3], ['transactionDate', DATE]], required: ['AO', 'AA'] },
  '63': { name: 'patronInformation', fixed: [['language', 3], ['transactionDate', DATE], ['summary', 10]], required: ['AO', 'AA'] },
  '11': { name: 'checkout', fixed: [['scRenewalPolicy', 1], ['noBlock', 1], ['transactionDate', DATE], ['nbDueDate', DATE]], required: ['AO', 'AA', 'AB'] },
  '09': { name: 'checkin', fixed: [['noBlock', 1], ['transactionDate', DATE], ['returnDate', DATE]], required: ['AO', 'AB'] },
  '29': { name: 'renew', fixed: [['thirdPartyAllowed', 1], ['noBlock', 1], ['transactionDate', DATE], ['nbDueDate', DATE]], required: ['AO', 'AA'] },
  '65': { name: 'renewAll', fixed: [['transactionDate', DATE]], required: ['AO', 'AA'] },
  '17': { name: 'itemInformation', fixed: [['transactionDate', DATE]], required: ['AO', 'AB'] },
  '15': { name: 'hold', fixed: [['holdMode', 1], ['transactionDate', DATE]], required: ['AO', 'AA'] },
  '37': { name: 'feePaid', fixed: [['transactionDate', DATE], ['feeType', 2], ['paymentType', 2], ['currencyType', 3]], required: ['BV', 'AO', 'AA'] },
  '35': { name: 'endPatronSession', fixed: [['transactionDate', DATE]], required: ['AO', 'AA'] },
  '97': { name: 'requestAcsResend', fixed: [] },
  // parsed so that a kiosk sending them gets a clear refusal rather than a resend loop
  '01': { name: 'blockPatron', fixed: [['cardRetained', 1], ['transactionDate', DATE]], required: ['AO', 'AA'] },
  '19': { name: 'itemStatusUpdate', fixed: [['transactionDate', DATE]], required: ['AO', 'AB'] },
  '25': { name: 'patronEnable', fixed: [['transactionDate', DATE]], required: ['AO', 'AA'] },
  // responses, ACS → SC
  '94': { name: 'loginResponse', fixed: [['ok', 1]] },
  '98': { name: 'acsStatus', fixed: [['onlineStatus', 1], ['checkinOk', 1], ['checkoutOk', 1], ['acsRenewalPolicy', 1], ['statusUpdateOk', 1], ['offlineOk', 1], ['timeoutPeriod', 3], ['retriesAllowed', 3], ['dateTimeSync', DATE], ['protocolVersion', 4]] },
  '24': { name: 'patronStatusResponse', fixed: [['patronStatus', 14], ['language', 3], ['transactionDate', DATE]] },
  '64': { name: 'patronInformationResponse', fixed: [['patronStatus', 14], ['language', 3], ['transactionDate', DATE], ['holdItemsCount', 4], ['overdueItemsCount', 4], ['chargedItemsCount', 4], ['fineItemsCount', 4], ['recallItemsCount', 4], ['unavailableHoldsCount', 4]] },
  '12': { name: 'checkoutResponse', fixed: [['ok', 1], ['renewalOk', 1], ['magneticMedia', 1], ['desensitize', 1], ['transactionDate', DATE]] },
  '10': { name: 'checkinResponse', fixed: [['ok', 1], ['resensitize', 1], ['magneticMedia', 1], ['alert', 1], ['transactionDate', DATE]] },
  '30': { name: 'renewResponse', fixed: [['ok', 1], ['renewalOk', 1], ['magneticMedia', 1], ['desensitize', 1], ['transactionDate', DATE]] },
  '66': { name: 'renewAllResponse', fixed: [['ok', 1], ['renewedCount', 4], ['unrenewedCount', 4], ['transactionDate', DATE]] },
  '18': { name: 'itemInformationResponse', fixed: [['circulationStatus', 2], ['securityMarker', 2], ['feeType', 2], ['transactionDate', DATE]] },
  '16': { name: 'holdResponse', fixed: [['ok', 1], ['available', 1], ['transactionDate', DATE]] },
  '38': { name: 'feePaidResponse', fixed: [['paymentAccepted', 1], ['transactionDate', DATE]] },
  '36': { name: 'endSessionResponse', fixed: [['endSession', 1], ['transactionDate', DATE]] },
  '20': { name: 'itemStatusUpdateResponse', fixed: [['itemPropertiesOk', 1], ['transactionDate', DATE]] },
  '26': { name: 'patronEnableResponse', fixed: [['patronStatus', 14], ['language', 3], ['transactionDate', DATE]] },
  '96': { name: 'requestScResend', fixed: [] },
};

export const REQUEST_CODES = ['93', '99', '23', '63', '11', '09', '29', '65', '17', '15', '37', '35', '97', '01', '19', '25'] as const;
export type RequestCode = (typeof REQUEST_CODES)[number];

export interface Message {
  code: string;
  fixed: Record<string, string>;
  /** Variable fields in the order received; an id may repeat (AF, AS, …). */
  fields: [id: string, value: string][];
  /** Sequence number (AY), when error detection is on. */
  sequence?: number;
  /** Checksum (AZ) as received, when error detection is on. */
  checksum?: string;
}

export type ParseFailure =
  | 'empty' | 'control_characters' | 'unknown_code' | 'short_fixed_fields' | 'bad_checksum' | 'malformed_fields' | 'oversize';

export type ParseResult = { ok: true; message: Message } | { ok: false; reason: ParseFailure; code?: string; sequence?: number };

/** First value of a variable field, or undefined. */
export function field(m: Message, id: string): string | undefined {
  return m.fields.find(([f]) => f === id)?.[1];
}

export function fieldsOf(m: Message, id: string): string[] {
  return m.fields.filter(([f]) => f === id).map(([, v]) => v);
}

/** Required variable fields that the message lacks. */
export function missingRequired(m: Message): string[] {
  return (LAYOUTS[m.code]?.required ?? []).filter((id) => field(m, id) === undefined);
}

export function decodeFrame(bytes: Buffer): string {
  // fatal: true throws on invalid UTF-8, which then reads as ISO-8859-1 (every byte is valid there)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

// C0 controls (the terminator is already gone), DEL and C1 controls never belong in a message:
// such a frame is line noise or a binary probe.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SUFFIX = /(?:AY(\d))?AZ([0-9A-Fa-f]{4})$/;

export function parse(bytes: Buffer): ParseResult {
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: 'oversize' };
  const text = decodeFrame(bytes);
  if (!text.length) return { ok: false, reason: 'empty' };
  if (CONTROL.test(text)) return { ok: false, reason: 'control_characters' };

  let body = text;
  let sequence: number | undefined;
  let sum: string | undefined;
  const suffix = SUFFIX.exec(text);
  if (suffix) {
    sequence = suffix[1] === undefined ? undefined : Number(suffix[1]);
    sum = suffix[2]!.toUpperCase();
    // the checksum covers the raw bytes up to and including "AZ"; the 4 hex digits are ASCII,
    // so they are the last 4 bytes whatever the encoding
    if (checksum(bytes.subarray(0, bytes.length - 4)) !== sum) {
      return { ok: false, reason: 'bad_checksum', code: text.slice(0, 2), sequence };
    }
    body = text.slice(0, suffix.index);
  }

  const code = body.slice(0, 2);
  const layout = LAYOUTS[code];
  if (!/^\d\d$/.test(code) || !layout) return { ok: false, reason: 'unknown_code', code, sequence };
  const fixed: Record<string, string> = {};
  let at = 2;
  for (const [name, length] of layout.fixed) {
    if (at + length > body.length) return { ok: false, reason: 'short_fixed_fields', code, sequence };
    fixed[name] = body.slice(at, at + length);
    at += length;
  }
  const rest = body.slice(at);
  const fields: [string, string][] = [];
  if (rest.length) {
    // the last field's "|" is sometimes left out; every field id is two upper-case letters or digits
    const parts = rest.split('|');
    if (parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) {
      if (!/^[A-Z0-9]{2}/.test(part)) return { ok: false, reason: 'malformed_fields', code, sequence };
      fields.push([part.slice(0, 2), part.slice(2)]);
    }
  }
  return { ok: true, message: { code, fixed, fields, ...(sequence !== undefined ? { sequence } : {}), ...(sum ? { checksum: sum } : {}) } };
}

// ---------------------------------------------------------------------------------------------
// Writing messages.

/** A variable field's value may not contain the separator or a terminator. */
export function clean(value: string): string {
  return value.replace(/[|\r\n]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

export interface EncodeOptions {
  /** Append AY (when given) and AZ: error detection, used when the request carried a checksum. */
  errorDetection?: boolean;
  sequence?: number;
  encoding?: Encoding;
}

export function encode(m: Pick<Message, 'code' | 'fixed' | 'fields'>, options: EncodeOptions = {}): Buffer {
  const layout = LAYOUTS[m.code];
  if (!layout) throw new Error(`no SIP2 layout for message ${m.code}`);
  let text = m.code;
  for (const [name, length] of layout.fixed) {
    const value = m.fixed[name];
    if (value === undefined || value.length !== length) {
      throw new Error(`SIP2 ${m.code} fixed field ${name} must be ${length} characters, got ${JSON.stringify(value)}`);
    }
    text += value;
  }
  for (const [id, value] of m.fields) text += `${id}${clean(value)}|`;
  const encoding = options.encoding ?? 'latin1';
  if (!options.errorDetection) return toBytes(text, encoding);
  if (options.sequence !== undefined) text += `AY${options.sequence}`;
  text += 'AZ';
  const head = toBytes(text, encoding);
  return Buffer.concat([head, Buffer.from(checksum(head), 'ascii')]);
}

// What a Latin-1 screen can show instead of common characters it lacks (ISO-8859-1 has no euro sign).
const LATIN1_SUBSTITUTES: Record<string, string> = {
  '€': 'EUR', '–': '-', '—': '-', '‘': "'", '’': "'", '‚': "'", '“': '"', '”': '"', '„': '"', '…': '...', '•': '*',
};

/** Text for an ISO-8859-1 screen: substitutes, then accents dropped (ő → o), then "?" for the rest. */
export function toLatin1(text: string): string {
  return text.replace(/[^\u0000-\u00ff]/g, (c) => {
    if (LATIN1_SUBSTITUTES[c]) return LATIN1_SUBSTITUTES[c];
    const bare = c.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    return /^[\u0000-\u00ff]+$/.test(bare) ? bare : '?';
  });
}

function toBytes(text: string, encoding: Encoding): Buffer {
  return encoding === 'utf8' ? Buffer.from(text, 'utf8') : Buffer.from(toLatin1(text), 'latin1');
}

// ---------------------------------------------------------------------------------------------
// Field values.

const amsterdam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** YYYYMMDDZZZZHHMMSS in Dutch local time; ZZZZ is four blanks, which the spec reads as local time. */
export function sipDate(date: Date): string {
  const p = Object.fromEntries(amsterdam.formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}    ${p.hour}${p.minute}${p.second}`;
}

/** Reads a SIP2 date (local or "   Z" UTC); null for blanks or nonsense. */
export function readSipDate(value: string): { date: string; time: string; utc: boolean } | null {
  const m = /^(\d{8})(    |   Z)(\d{6})$/.exec(value);
  return m ? { date: m[1]!, time: m[3]!, utc: m[2] === '   Z' } : null;
}

export const yn = (b: boolean): 'Y' | 'N' => (b ? 'Y' : 'N');

/** A count in a fixed field of 4 digits (the spec's width; larger counts are capped). */
export function count4(n: number): string {
  return String(Math.max(0, Math.min(9999, Math.trunc(n)))).padStart(4, '0');
}

/** An amount in euros with two decimals ("12.50"): the BV field. */
export function amount(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** Parses a BV amount ("3.50", "3,50", "3") into cents; null when it is not an amount. */
export function parseAmount(value: string): number | null {
  const m = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/** SIP2 language codes (spec appendix): 001 English, 005 Dutch. Everything else reads as Dutch. */
export function languageOf(code: string | undefined): 'nl' | 'en' | null {
  if (code === '001') return 'en';
  if (code === '005') return 'nl';
  return null;
}
export const languageCode = (lang: 'nl' | 'en'): string => (lang === 'en' ? '001' : '005');

/** Patron status: 14 positions, each "Y" when the privilege is denied or the limit reached. */
export const PATRON_STATUS = {
  chargeDenied: 0, renewalDenied: 1, recallDenied: 2, holdDenied: 3, cardLost: 4, tooManyCharged: 5,
  tooManyOverdue: 6, tooManyRenewals: 7, tooManyClaimsReturned: 8, tooManyLost: 9, excessiveFines: 10,
  excessiveFees: 11, recallOverdue: 12, tooManyBilled: 13,
} as const;

export function patronStatus(flags: Partial<Record<keyof typeof PATRON_STATUS, boolean>>): string {
  const chars = Array<string>(14).fill(' ');
  for (const [name, on] of Object.entries(flags)) if (on) chars[PATRON_STATUS[name as keyof typeof PATRON_STATUS]] = 'Y';
  return chars.join('');
}
