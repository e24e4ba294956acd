// One kiosk connection's conversation: frame in, response out. Holds the connection's state (the
// logged-in kiosk and so the library tenant, the screen language, the last response for 97) and
// turns every request into exactly one response. Nothing a kiosk sends can make it throw: bad
// frames get 96, refused requests the command's negative response with the reason in AF.
import { AppError, type LocalisedText } from '../../../platform/errors.ts';
import type { Ctx } from '../../../platform/context.ts';
import { authenticateKiosk, type Kiosk } from './kiosk.service.ts';
import { text } from './messages.ts';
import type { ItemStatus, KioskScope, Sip2Backend } from './port.ts';
import {
  amount, count4, encode, field, languageCode, languageOf, missingRequired, parse, parseAmount, patronStatus, sipDate, yn,
  type Message,
} from './protocol.ts';

/** Failed logins on one connection before it is closed (a kiosk that is misconfigured, or a guess). */
export const MAX_FAILED_LOGINS = 3;

/**
 * Wrong PINs per card, shared by every connection of the server: after 5 wrong PINs in 15 minutes
 * a card's PIN is not even checked for 15 minutes, so a kiosk cannot be used to try all 10,000
 * four-digit PINs. In process memory: one SIP2 server per process, and a restart only forgives.
 */
export class PinThrottle {
  private failures = new Map<string, { count: number; since: number }>();
  constructor(private readonly max = 5, private readonly windowMs = 15 * 60_000, private readonly capacity = 10_000) {}

  blocked(key: string, now: Date): boolean {
    const f = this.failures.get(key);
    if (!f) return false;
    if (now.getTime() - f.since > this.windowMs) {
      this.failures.delete(key);
      return false;
    }
    return f.count >= this.max;
  }

  fail(key: string, now: Date): void {
    const f = this.failures.get(key);
    if (f && now.getTime() - f.since <= this.windowMs) f.count++;
    else {
      // bounded memory: the oldest entry goes first
      if (this.failures.size >= this.capacity) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, { count: 1, since: now.getTime() });
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}

export interface SessionDeps {
  /** db and config; a request id per message is added here. */
  ctx: Omit<Ctx, 'requestId' | 'actor' | 'lang' | 'libraryId'>;
  backend: Sip2Backend;
  /** Shared by the server's connections; a session on its own gets its own. */
  pins?: PinThrottle;
  now?: () => Date;
  /** Log without personal data: message codes, outcomes and error codes only. */
  log?: (event: Record<string, unknown>) => void;
  /** Connection id for the request ids in logs. */
  connectionId?: string;
}

export interface Reply {
  bytes: Buffer;
  /** Close the connection after sending (too many failed logins). */
  close?: boolean;
}

type Fields = [string, string][];

// BX "supported messages" of the ACS status (98), in the spec's order: patron status, checkout,
// checkin, block patron, SC/ACS status, request resend, login, patron information, end patron
// session, fee paid, item information, item status update, patron enable, hold, renew, renew all.
export const SUPPORTED_MESSAGES = 'YYYNYYYYYYYNNYYY';

// Item circulation status (18): the spec's code list.
const CIRCULATION_STATUS: Record<ItemStatus, string> = {
  available: '03', on_loan: '04', in_transit: '10', on_hold_shelf: '08', in_processing: '06', missing: '13', withdrawn: '01',
};

// Media type (CK): 000 other, 001 book, 002 magazine, 005 video tape, 006 CD/CD-ROM.
export function mediaType(format: string | null): string {
  switch (format) {
    case 'book': case 'large_print': case 'sheet_music': return '001';
    case 'magazine': return '002';
    case 'audio_cd': case 'dvd': case 'bluray': case 'game': return '006';
    default: return '000';
  }
}

export class Sip2Session {
  kiosk: Kiosk | null = null;
  lang: 'nl' | 'en' = 'nl';
  failedLogins = 0;
  private lastResponse: Buffer | null = null;
  private counter = 0;
  private readonly pins: PinThrottle;

  constructor(private readonly deps: SessionDeps) {
    this.pins = deps.pins ?? new PinThrottle();
  }

  /** Card + PIN, unless this card has had too many wrong PINs lately. */
  private async pinOk(s: KioskScope, card: string, pin: string): Promise<boolean> {
    const key = `${s.kiosk.libraryId}:${card}`;
    if (this.pins.blocked(key, this.now())) {
      this.log({ event: 'sip2_pin_throttled' });
      return false;
    }
    const ok = await this.deps.backend.checkPin(s, card, pin);
    if (ok) this.pins.succeed(key);
    else this.pins.fail(key, this.now());
    return ok;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private log(event: Record<string, unknown>): void {
    this.deps.log?.({ connection: this.deps.connectionId, kiosk: this.kiosk?.id, ...event });
  }

  /** Answers one frame (without its terminator). */
  async handle(frame: Buffer): Promise<Reply> {
    const parsed = parse(frame);
    if (!parsed.ok) {
      this.log({ event: 'sip2_refused', reason: parsed.reason, code: parsed.code });
      // a request that carried a checksum expects one on every answer
      return { bytes: encode({ code: '96', fixed: {}, fields: [] }, { errorDetection: parsed.reason === 'bad_checksum' }) };
    }
    const m = parsed.message;
    if (m.code === '97') {
      return { bytes: this.lastResponse ?? encode({ code: '96', fixed: {}, fields: [] }) };
    }
    let reply: Reply;
    try {
      reply = await this.dispatch(m);
    } catch (error) {
      // a service failure must not end the conversation: the kiosk shows a plain message
      this.log({ event: 'sip2_error', code: m.code, error: error instanceof AppError ? error.code : (error as Error).name });
      reply = { bytes: this.negative(m, text.internal()) };
    }
    this.lastResponse = reply.bytes;
    return reply;
  }

  private out(m: Message, code: string, fixed: Record<string, string>, fields: Fields): Buffer {
    return encode({ code, fixed, fields }, {
      errorDetection: m.checksum !== undefined, sequence: m.sequence, encoding: this.kiosk?.encoding ?? 'latin1',
    });
  }

  private say(t: LocalisedText): string {
    return t[this.lang];
  }

  private get ao(): string {
    return this.kiosk?.institutionId ?? '';
  }

  private scope(m: Message): KioskScope {
    const kiosk = this.kiosk!;
    return {
      kiosk,
      ctx: {
        ...this.deps.ctx, lang: this.lang, libraryId: kiosk.libraryId,
        requestId: `sip2:${this.deps.connectionId ?? 'local'}:${++this.counter}:${m.code}`,
        actor: { kind: 'system', name: `kiosk:${kiosk.id}` },
      },
    };
  }

  /** The command's own "no" with the reason on the kiosk's screen. */
  private negative(m: Message, reason: LocalisedText): Buffer {
    const date = sipDate(this.now());
    const af: Fields = [['AF', this.say(reason)]];
    const aa = field(m, 'AA') ?? '';
    const ab = field(m, 'AB') ?? '';
    switch (m.code) {
      case '93': return this.out(m, '94', { ok: '0' }, []);
      case '99': return this.out(m, '98', {
        onlineStatus: 'N', checkinOk: 'N', checkoutOk: 'N', acsRenewalPolicy: 'N', statusUpdateOk: 'N', offlineOk: 'N',
        timeoutPeriod: '000', retriesAllowed: '000', dateTimeSync: date, protocolVersion: '2.00',
      }, [['AO', this.ao], ['BX', 'NNNNYYYNNNNNNNNN'], ...af]);
      case '23': case '01': case '25': return this.out(m, m.code === '25' ? '26' : '24', {
        patronStatus: patronStatus({ chargeDenied: true, renewalDenied: true, recallDenied: true, holdDenied: true }),
        language: languageCode(this.lang), transactionDate: date,
      }, [['AO', this.ao], ['AA', aa], ['AE', ''], ['BL', 'N'], ...af]);
      case '63': return this.out(m, '64', {
        patronStatus: patronStatus({ chargeDenied: true, renewalDenied: true, recallDenied: true, holdDenied: true }),
        language: languageCode(this.lang), transactionDate: date, holdItemsCount: '0000', overdueItemsCount: '0000',
        chargedItemsCount: '0000', fineItemsCount: '0000', recallItemsCount: '0000', unavailableHoldsCount: '0000',
      }, [['AO', this.ao], ['AA', aa], ['AE', ''], ['BL', 'N'], ...af]);
      case '11': case '29': return this.out(m, m.code === '11' ? '12' : '30', {
        ok: '0', renewalOk: 'N', magneticMedia: 'U', desensitize: 'N', transactionDate: date,
      }, [['AO', this.ao], ['AA', aa], ['AB', ab], ['AJ', ''], ['AH', ''], ...af]);
      case '09': return this.out(m, '10', { ok: '0', resensitize: 'N', magneticMedia: 'U', alert: 'Y', transactionDate: date },
        [['AO', this.ao], ['AB', ab], ['AQ', ''], ['AJ', ''], ...af]);
      case '65': return this.out(m, '66', { ok: '0', renewedCount: '0000', unrenewedCount: '0000', transactionDate: date }, [['AO', this.ao], ...af]);
      case '17': return this.out(m, '18', { circulationStatus: '01', securityMarker: '00', feeType: '01', transactionDate: date },
        [['AB', ab], ['AJ', ''], ...af]);
      case '15': return this.out(m, '16', { ok: '0', available: 'N', transactionDate: date }, [['AO', this.ao], ['AA', aa], ...af]);
      case '37': return this.out(m, '38', { paymentAccepted: 'N', transactionDate: date },
        [['AO', this.ao], ['AA', aa], ...(field(m, 'BK') !== undefined ? [['BK', field(m, 'BK')!] as [string, string]] : []), ...af]);
      case '35': return this.out(m, '36', { endSession: 'N', transactionDate: date }, [['AO', this.ao], ['AA', aa], ...af]);
      case '19': return this.out(m, '20', { itemPropertiesOk: '0', transactionDate: date }, [['AB', ab], ['AJ', ''], ...af]);
      default: return encode({ code: '96', fixed: {}, fields: [] }, { errorDetection: m.checksum !== undefined });
    }
  }

  private async dispatch(m: Message): Promise<Reply> {
    if (m.code === '93') return this.login(m);
    if (!this.kiosk) {
      this.log({ event: 'sip2_not_logged_in', code: m.code });
      return { bytes: this.negative(m, text.notLoggedIn()) };
    }
    const missing = missingRequired(m);
    if (missing.length) {
      this.log({ event: 'sip2_missing_fields', code: m.code, fields: missing });
      return { bytes: this.negative(m, text.missingFields(missing)) };
    }
    // the patron's language (23, 63) becomes the screen language of what follows
    const lang = languageOf(m.fixed.language);
    if (lang) this.lang = lang;
    const s = this.scope(m);
    const bytes = await this.command(m, s);
    this.log({ event: 'sip2_message', code: m.code });
    return { bytes };
  }

  private async login(m: Message): Promise<Reply> {
    const cn = field(m, 'CN');
    const co = field(m, 'CO');
    const kiosk = cn && co ? await authenticateKiosk({ ...this.deps.ctx, requestId: 'sip2:login', lang: 'nl', actor: { kind: 'anonymous' } }, cn, co) : null;
    if (!kiosk) {
      this.failedLogins++;
      this.log({ event: 'sip2_login_failed', failures: this.failedLogins });
      return { bytes: this.out(m, '94', { ok: '0' }, []), close: this.failedLogins >= MAX_FAILED_LOGINS };
    }
    this.kiosk = kiosk;
    this.failedLogins = 0;
    this.log({ event: 'sip2_login', library: kiosk.libraryId, branch: kiosk.branchId });
    return { bytes: this.out(m, '94', { ok: '1' }, []) };
  }

  /** A PIN (AD) given with a request must be right; no PIN leaves that to the kiosk's own policy. */
  private async pinRefused(m: Message, s: KioskScope, card: string): Promise<boolean> {
    const pin = field(m, 'AD');
    if (!pin) return false;
    return !(await this.pinOk(s, card, pin));
  }

  private async command(m: Message, s: KioskScope): Promise<Buffer> {
    const b = this.deps.backend;
    const date = sipDate(this.now());
    const card = (field(m, 'AA') ?? '').trim();
    const barcode = (field(m, 'AB') ?? '').trim();
    const refuse = (reason: LocalisedText) => this.negative(m, reason);
    const guard = async <T>(fn: () => Promise<T>): Promise<T | Buffer> => {
      try {
        return await fn();
      } catch (error) {
        // lending's coded errors carry the reason in both languages: that is the screen message
        if (error instanceof AppError) {
          this.log({ event: 'sip2_refused_by_lending', code: m.code, error: error.code });
          return refuse(error.text);
        }
        throw error;
      }
    };
    const patronNeeded = ['23', '63', '11', '29', '65', '15', '37'].includes(m.code);
    if (patronNeeded && !card) return refuse(text.unknownPatron());
    if (['11', '09', '17'].includes(m.code) && !barcode) return refuse(text.missingFields(['AB']));

    switch (m.code) {
      case '99': return this.out(m, '98', {
        onlineStatus: 'Y', checkinOk: 'Y', checkoutOk: 'Y', acsRenewalPolicy: 'Y', statusUpdateOk: 'N', offlineOk: 'N',
        timeoutPeriod: '030', retriesAllowed: '003', dateTimeSync: date, protocolVersion: '2.00',
      }, [['AO', this.ao], ['AM', s.kiosk.libraryName], ['BX', SUPPORTED_MESSAGES], ['AN', s.kiosk.branchName]]);

      case '23': case '63': {
        const patron = await guard(() => b.patron(s, card));
        if (Buffer.isBuffer(patron)) return patron;
        if (!patron) return refuse(text.unknownPatron());
        if (patron.lang && !languageOf(m.fixed.language)) this.lang = patron.lang;
        const pin = field(m, 'AD');
        const pinOk = pin ? await this.pinOk(s, card, pin) : null;
        if (pinOk === false) {
          // a wrong PIN learns that the card exists (CQ N), nothing of what it holds
          const fixed = { patronStatus: patronStatus({ chargeDenied: true, renewalDenied: true, recallDenied: true, holdDenied: true }), language: languageCode(this.lang), transactionDate: date };
          const fields: Fields = [['AO', this.ao], ['AA', card], ['AE', ''], ['BL', 'Y'], ['CQ', 'N'], ['AF', this.say(text.wrongPin())]];
          return m.code === '23' ? this.out(m, '24', fixed, fields) : this.out(m, '64', {
            ...fixed, holdItemsCount: '0000', overdueItemsCount: '0000', chargedItemsCount: '0000', fineItemsCount: '0000', recallItemsCount: '0000', unavailableHoldsCount: '0000',
          }, fields);
        }
        const now = this.now();
        const overdue = patron.loans.filter((l) => l.dueAt < now);
        const status = patronStatus({
          chargeDenied: !!patron.blocked, renewalDenied: !!patron.blocked, holdDenied: !!patron.blocked,
          tooManyCharged: patron.loans.length >= patron.loanLimit, tooManyOverdue: overdue.length > 0 && !!patron.blocked,
          excessiveFees: !!patron.blocked && patron.owedCents > 0,
        });
        const screen: Fields = [];
        if (patron.blocked) screen.push(['AF', this.say(patron.blocked)]);
        else screen.push(['AF', this.say(text.welcome(patron.name))]);
        if (patron.owedCents > 0 && !patron.blocked) screen.push(['AF', this.say(text.owed(patron.owedCents))]);
        const common: Fields = [['AO', this.ao], ['AA', card], ['AE', patron.name]];
        const pinField: Fields = pinOk === null ? [] : [['CQ', yn(pinOk)]];
        const fee: Fields = [['BH', 'EUR'], ['BV', amount(patron.owedCents)]];
        if (m.code === '23') {
          return this.out(m, '24', { patronStatus: status, language: languageCode(this.lang), transactionDate: date },
            [...common, ['BL', 'Y'], ...pinField, ...fee, ...screen]);
        }
        // 63: the summary asks for one list of items (position 0 holds available, 1 overdue,
        // 2 charged, 3 fines, 4 recalls, 5 unavailable holds), cut to BP..BQ (1-based)
        const summary = m.fixed.summary ?? '';
        const ready = patron.holds.filter((h) => h.ready);
        const waiting = patron.holds.filter((h) => !h.ready);
        const start = Math.max(1, Number(field(m, 'BP')) || 1);
        const end = Math.max(start, Number(field(m, 'BQ')) || start + 49);
        const cut = (xs: string[]) => xs.slice(start - 1, end);
        const items: Fields = [];
        if (summary[0] === 'Y') for (const h of cut(ready.map((h) => h.title))) items.push(['AS', h]);
        if (summary[1] === 'Y') for (const l of cut(overdue.map((l) => l.barcode))) items.push(['AT', l]);
        if (summary[2] === 'Y') for (const l of cut(patron.loans.map((l) => l.barcode))) items.push(['AU', l]);
        if (summary[3] === 'Y') for (const c of cut(patron.charges.map((c) => `${amount(c.cents)} ${c.description}`))) items.push(['AV', c]);
        if (summary[5] === 'Y') for (const h of cut(waiting.map((h) => h.title))) items.push(['CD', h]);
        return this.out(m, '64', {
          patronStatus: status, language: languageCode(this.lang), transactionDate: date,
          holdItemsCount: count4(ready.length), overdueItemsCount: count4(overdue.length), chargedItemsCount: count4(patron.loans.length),
          fineItemsCount: count4(patron.charges.length), recallItemsCount: '0000', unavailableHoldsCount: count4(waiting.length),
        }, [...common, ['BZ', count4(patron.holdLimit)], ['CB', count4(patron.loanLimit)], ['BL', 'Y'], ...pinField, ...fee, ...items, ...screen]);
      }

      case '11': {
        if (await this.pinRefused(m, s, card)) return refuse(text.wrongPin());
        const r = await guard(() => b.checkOut(s, { cardNumber: card, barcode }));
        if (Buffer.isBuffer(r)) return r;
        return this.out(m, '12', { ok: '1', renewalOk: 'N', magneticMedia: 'N', desensitize: 'Y', transactionDate: date }, [
          ['AO', this.ao], ['AA', card], ['AB', r.barcode], ['AJ', r.title], ['AH', sipDate(r.dueAt)], ['CK', mediaType(r.format)],
          ['AF', this.say(text.checkedOut(r.title, r.dueAt))],
        ]);
      }

      case '09': {
        const r = await guard(() => b.checkIn(s, { barcode }));
        if (Buffer.isBuffer(r)) return r;
        const screen: Fields = [['AF', this.say(
          r.routing === 'transit' ? text.toTransit(r.title, r.destinationBranch ?? '') : r.routing === 'hold_shelf' ? text.toHoldShelf(r.title) : text.checkedIn(r.title),
        )]];
        if (r.fineCents > 0) screen.push(['AF', this.say(text.lateFee(r.fineCents))]);
        const sortBin: Fields = r.routing === 'shelf' ? [] : [['CL', r.routing === 'transit' ? 'TRANSIT' : 'HOLD'], ['CT', r.destinationBranch ?? '']];
        return this.out(m, '10', { ok: '1', resensitize: 'Y', magneticMedia: 'N', alert: yn(r.routing !== 'shelf'), transactionDate: date }, [
          ['AO', this.ao], ['AB', barcode], ['AQ', r.homeBranch ?? ''], ['AJ', r.title], ...sortBin, ['CK', mediaType(r.format)], ...screen,
        ]);
      }

      case '29': {
        if (await this.pinRefused(m, s, card)) return refuse(text.wrongPin());
        // renewing by title (AJ) alone is ambiguous when a member has two copies: ask for the copy
        if (!barcode) return refuse(text.renewTitleOnly());
        const r = await guard(() => b.renew(s, { cardNumber: card, barcode }));
        if (Buffer.isBuffer(r)) return r;
        return this.out(m, '30', { ok: '1', renewalOk: 'Y', magneticMedia: 'N', desensitize: 'Y', transactionDate: date }, [
          ['AO', this.ao], ['AA', card], ['AB', barcode], ['AJ', r.title], ['AH', sipDate(r.dueAt)], ['CK', mediaType(r.format)],
          ['AF', this.say(text.renewed(r.title, r.dueAt))],
        ]);
      }

      case '65': {
        if (await this.pinRefused(m, s, card)) return refuse(text.wrongPin());
        const r = await guard(() => b.renewAll(s, { cardNumber: card }));
        if (Buffer.isBuffer(r)) return r;
        return this.out(m, '66', { ok: '1', renewedCount: count4(r.renewed.length), unrenewedCount: count4(r.unrenewed.length), transactionDate: date }, [
          ['AO', this.ao], ...r.renewed.map((x): [string, string] => ['BM', x]), ...r.unrenewed.map((x): [string, string] => ['BN', x]),
          ['AF', this.say(text.renewedAll(r.renewed.length, r.unrenewed.length))],
        ]);
      }

      case '17': {
        const r = await guard(() => b.itemInfo(s, { barcode }));
        if (Buffer.isBuffer(r)) return r;
        return this.out(m, '18', { circulationStatus: CIRCULATION_STATUS[r.status], securityMarker: '00', feeType: '01', transactionDate: date }, [
          ['CF', String(r.holdQueueLength).padStart(5, '0')], ...(r.dueAt ? [['AH', sipDate(r.dueAt)] as [string, string]] : []),
          ['AB', barcode], ['AJ', r.title], ['AO', this.ao], ['CK', mediaType(r.format)], ['AQ', r.homeBranch ?? ''], ['AP', r.currentBranch ?? ''],
        ]);
      }

      case '15': {
        if (await this.pinRefused(m, s, card)) return refuse(text.wrongPin());
        const mode = m.fixed.holdMode;
        if (mode === '*') return refuse(text.holdChangeUnsupported());
        if (!barcode) return refuse(text.holdNeedsItem());
        if (mode === '-') {
          const r = await guard(() => b.cancelHold(s, { cardNumber: card, barcode }));
          if (Buffer.isBuffer(r)) return r;
          return this.out(m, '16', { ok: '1', available: 'N', transactionDate: date }, [
            ['AO', this.ao], ['AA', card], ['AB', barcode], ['AJ', r.title], ['AF', this.say(text.holdCancelled(r.title))],
          ]);
        }
        const pickup = field(m, 'BS')?.trim() || null;
        const r = await guard(() => b.placeHold(s, { cardNumber: card, barcode, pickupBranchSlug: pickup }));
        if (Buffer.isBuffer(r)) return r;
        return this.out(m, '16', { ok: '1', available: yn(r.available), transactionDate: date }, [
          ['BR', String(r.position)], ['BS', r.pickupBranch], ['AO', this.ao], ['AA', card], ['AB', barcode], ['AJ', r.title],
          ['AF', this.say(text.holdPlaced(r.title, r.position))],
        ]);
      }

      case '37': {
        if (await this.pinRefused(m, s, card)) return refuse(text.wrongPin());
        if (m.fixed.currencyType !== 'EUR') return refuse(text.currency());
        const cents = parseAmount(field(m, 'BV') ?? '');
        if (!cents) return refuse(text.badAmount());
        const reference = field(m, 'BK') ?? '';
        const r = await guard(() => b.payCharges(s, { cardNumber: card, cents, reference }));
        if (Buffer.isBuffer(r)) return r;
        return this.out(m, '38', { paymentAccepted: 'Y', transactionDate: date }, [
          ['AO', this.ao], ['AA', card], ...(reference ? [['BK', reference] as [string, string]] : []),
          ['AF', this.say(text.paid(r.paidCents, r.remainingCents))],
        ]);
      }

      case '35': {
        const out = this.out(m, '36', { endSession: 'Y', transactionDate: date }, [['AO', this.ao], ['AA', card], ['AF', this.say(text.goodbye())]]);
        // the next patron starts in Dutch again
        this.lang = 'nl';
        return out;
      }

      default:
        // 01 block patron, 19 item status update, 25 patron enable: not offered (BX says N)
        return refuse(text.notSupported());
    }
  }
}
