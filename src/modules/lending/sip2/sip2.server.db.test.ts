// Kiosk conversations over real TCP (and TLS) against the real server, the real lending services
// and a real database. The requests are the fixture messages (node-sip2, Evergreen) with their
// patron and item identifiers replaced by a test member's card and real barcodes, and fresh
// AY/AZ; the assertions are on the fields a kiosk reads.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testApp, type TestApp } from '../../../../test/support/app.ts';
import { buildMember, buildTitleWithCopies, type TestMember } from '../../../../test/support/lending.ts';
import { systemCtx } from '../../../platform/context.ts';
import { inTenant } from '../../../platform/db/tenant.ts';
import { hashSecret } from '../../accounts/credentials.ts';
import { Sip2Client } from './client.ts';
import { evergreenRequests, nodeSip2Messages } from './fixtures.ts';
import { addKiosk } from './kiosk.service.ts';
import { encode, field, fieldsOf, parse, readSipDate, type Message } from './protocol.ts';
import { startSip2Server, type Sip2Server } from './sip2.server.ts';
import { lendingBackend } from './backend.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/sip2');

/** Independent of protocol.ts: the byte sum including the checksum must be 0 modulo 2^16. */
function checksumHolds(raw: string): boolean {
  const at = raw.lastIndexOf('AZ');
  if (at < 0) return false;
  let sum = 0;
  for (const b of Buffer.from(raw.slice(0, at + 2), 'latin1')) sum += b;
  return ((sum + parseInt(raw.slice(at + 2), 16)) & 0xffff) === 0;
}

const fixture = (name: string) => nodeSip2Messages().find((m) => m.name === name)!.message;
const evergreen = (prefix: string) => evergreenRequests().find((l) => l.startsWith(prefix))!;

/** The patron requests (23, 63) in a chosen language: 005 Dutch, 001 English (the fixtures say 001). */
const inLanguage = (text: string, code: '001' | '005') => text.replace(/^(23|63)\d{3}/, `$1${code}`);

/** A fixture request without its AY/AZ, with some variable fields given new values. */
function adapt(message: string, values: Record<string, string>): string {
  const r = parse(Buffer.from(message.replace(/(?:AY\d)?AZ[0-9A-F]{4}$/, ''), 'latin1'));
  assert.ok(r.ok, message);
  const fields = [...r.message.fields];
  for (const [id, value] of Object.entries(values)) {
    const i = fields.findIndex(([f]) => f === id);
    if (i >= 0) fields[i] = [id, value];
    else fields.push([id, value]);
  }
  return encode({ ...r.message, fields }).toString('latin1');
}

describe('SIP2 server over TCP', () => {
  let t: TestApp;
  let server: Sip2Server;
  let kiosk: { cn: string; password: string };
  let member: TestMember;
  let other: TestMember;
  const PIN = '2580';

  before(async () => {
    t = await testApp();
    server = await startSip2Server({ db: t.db.kysely, config: t.config, backend: lendingBackend, logger: t.app.log, port: 0, host: '127.0.0.1', tlsFiles: null });
    const ctx = systemCtx(t.db.kysely, t.config, 'test');
    kiosk = await addKiosk(ctx, { librarySlug: 'utrecht', branchSlug: 'centrale-bibliotheek', login: 'zuil-1' });
    member = await buildMember(t);
    other = await buildMember(t);
    const pinHash = await hashSecret(PIN);
    await inTenant(t.db.kysely, member.libraryId, (tx) => tx.updateTable('membership').set({ pinHash })
      .where('cardNumber', 'in', [member.cardNumber, other.cardNumber]).execute());
  });
  after(async () => {
    await server.close();
    await t.close();
  });

  async function loggedIn(): Promise<Sip2Client> {
    const c = await Sip2Client.connect(server.port);
    const r = await c.request(adapt(fixture('LoginRequest'), { CN: kiosk.cn, CO: kiosk.password }), { errorDetection: true });
    assert.equal(r.raw.slice(0, 3), '941', r.raw);
    return c;
  }

  it('answers nothing but a refusal before a successful login', async () => {
    const c = await Sip2Client.connect(server.port);
    const status = await c.request(evergreen('99'));
    assert.equal(status.message.code, '98');
    assert.equal(status.message.fixed.onlineStatus, 'N');
    assert.equal(status.message.fixed.checkoutOk, 'N');
    const patron = await c.request(adapt(fixture('PatronStatusRequest'), { AA: member.cardNumber }), { errorDetection: true });
    assert.equal(patron.message.code, '24');
    assert.equal(field(patron.message, 'BL'), 'N');
    assert.equal(field(patron.message, 'AE'), '');
    assert.equal(field(patron.message, 'AF'), 'De kiosk is niet aangemeld. Vraag een medewerker om hulp.');
    const checkout = await c.request(adapt(fixture('CheckoutRequest'), { AA: member.cardNumber, AB: '12345678' }));
    assert.equal(checkout.message.code, '12');
    assert.equal(checkout.message.fixed.ok, '0');
    c.close();
  });

  it('a wrong kiosk password gets "94 0"; the third failure closes the connection', async () => {
    const c = await Sip2Client.connect(server.port);
    // the fixture's own credentials are not a kiosk here
    assert.equal((await c.request(fixture('LoginRequest').replace(/AY5AZEC7B$/, ''))).raw, '940');
    assert.equal((await c.request(adapt(fixture('LoginRequest'), { CN: kiosk.cn, CO: 'wrong' }))).raw, '940');
    assert.equal((await c.request(adapt(fixture('LoginRequest'), { CN: 'amsterdam/zuil-1', CO: kiosk.password }))).raw, '940');
    assert.equal(await c.next(), null, 'closed after three failures');
  });

  it('login then SC status: the ACS status names the institution, library, branch and supported messages', async () => {
    const c = await Sip2Client.connect(server.port);
    const login = await c.request(adapt(fixture('LoginRequest'), { CN: kiosk.cn, CO: kiosk.password }), { errorDetection: true });
    assert.match(login.raw, /^941AY0AZ[0-9A-F]{4}$/);
    assert.ok(checksumHolds(login.raw));
    // the node-sip2 fixture exactly as recorded (sequence 1, its own checksum)
    c.write(`${fixture('SCStatusRequest')}\r`);
    const raw = (await c.next())!.toString('latin1');
    assert.ok(checksumHolds(raw), raw);
    const status = parse(Buffer.from(raw, 'latin1'));
    assert.ok(status.ok);
    const m = status.message;
    assert.equal(m.code, '98');
    assert.equal(m.sequence, 1);
    assert.equal(m.fixed.onlineStatus, 'Y');
    assert.equal(m.fixed.checkinOk, 'Y');
    assert.equal(m.fixed.checkoutOk, 'Y');
    assert.equal(m.fixed.protocolVersion, '2.00');
    assert.ok(readSipDate(m.fixed.dateTimeSync!));
    assert.equal(field(m, 'AO'), 'UTRECHT');
    assert.equal(field(m, 'AM'), 'Bibliotheek Utrecht');
    assert.equal(field(m, 'BX'), 'YYYNYYYYYYYNNYYY');
    assert.match(field(m, 'AN')!, /Centrale Bibliotheek/);
    c.close();
  });

  it('a full kiosk conversation: patron, check out, item, renew, hold, check in, fees, end session, resend', async () => {
    const c = await loggedIn();
    const { items, titleId } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { title: 'De avonden', branches: ['centrale-bibliotheek'] });
    const barcode = items[0]!.barcode;
    const send = (text: string) => c.request(text, { errorDetection: true }).then((r) => {
      assert.ok(checksumHolds(r.raw), r.raw);
      return r.message;
    });

    // 23 patron status with the right PIN, then a wrong one
    const patronStatus = (values: Record<string, string>, lang: '001' | '005' = '005') => send(inLanguage(adapt(fixture('PatronStatusRequest'), values), lang));
    let m: Message = await patronStatus({ AA: member.cardNumber, AD: PIN });
    assert.equal(m.code, '24');
    assert.equal(m.fixed.patronStatus, ' '.repeat(14));
    assert.equal(field(m, 'AO'), 'UTRECHT');
    assert.equal(field(m, 'AA'), member.cardNumber);
    assert.match(field(m, 'AE')!, /^Test Lid/);
    assert.equal(field(m, 'BL'), 'Y');
    assert.equal(field(m, 'CQ'), 'Y');
    assert.equal(field(m, 'BV'), '0.00');
    m = await patronStatus({ AA: member.cardNumber, AD: '9999' });
    assert.equal(field(m, 'CQ'), 'N');
    assert.equal(field(m, 'AE'), '', 'a wrong PIN learns no name');
    assert.equal(field(m, 'AF'), 'De pincode klopt niet.');
    // language 001 (English) in the patron request switches the screen messages
    m = await patronStatus({ AA: member.cardNumber, AD: '9999' }, '001');
    assert.equal(field(m, 'AF'), 'The PIN is not correct.');
    m = await patronStatus({ AA: member.cardNumber, AD: PIN }, '005');
    assert.match(field(m, 'AF')!, /^Welkom/);

    // 11 check out (node-sip2 fixture), then the same copy again
    m = await send(adapt(fixture('CheckoutRequest'), { AA: member.cardNumber, AB: barcode, AD: PIN }));
    assert.equal(m.code, '12');
    assert.equal(m.fixed.ok, '1');
    assert.equal(m.fixed.desensitize, 'Y');
    assert.equal(field(m, 'AB'), barcode);
    assert.equal(field(m, 'AJ'), 'De avonden');
    assert.equal(field(m, 'CK'), '001');
    const due = readSipDate(field(m, 'AH')!);
    assert.ok(due, field(m, 'AH'));
    assert.match(field(m, 'AF')!, /^Geleend: De avonden\. Inleveren uiterlijk /);
    const loan = await inTenant(t.db.kysely, member.libraryId, (tx) => tx.selectFrom('loan').innerJoin('branch', (j) => j.onRef('branch.id', '=', 'loan.branchId').onRef('branch.libraryId', '=', 'loan.libraryId'))
      .select(['loan.channel', 'branch.slug', 'loan.dueAt']).where('loan.titleId', '=', titleId).where('loan.status', '=', 'open').executeTakeFirstOrThrow());
    assert.equal(loan.channel, 'kiosk');
    assert.equal(loan.slug, 'centrale-bibliotheek', 'the kiosk\'s branch is the check-out branch');
    m = await send(adapt(fixture('CheckoutRequest'), { AA: other.cardNumber, AB: barcode }));
    assert.equal(m.fixed.ok, '0');
    assert.equal(m.fixed.desensitize, 'N');
    assert.equal(field(m, 'AF'), 'Dit exemplaar is al uitgeleend. Lever het eerst in.');
    m = await send(adapt(fixture('CheckoutRequest'), { AA: member.cardNumber, AB: '00000000' }));
    assert.equal(m.fixed.ok, '0');
    assert.equal(field(m, 'AF'), 'Dit exemplaar (streepjescode) kennen we niet.');
    m = await send(adapt(fixture('CheckoutRequest'), { AA: member.cardNumber, AB: barcode, AD: '1111' }));
    assert.equal(m.fixed.ok, '0');
    assert.equal(field(m, 'AF'), 'De pincode klopt niet.');

    // 63 patron information (Evergreen) asking for the charged items
    m = await send(inLanguage(adapt(evergreen('63').replace('Y         ', '  Y       '), { AA: member.cardNumber, AD: PIN }), '005'));
    assert.equal(m.code, '64');
    assert.equal(m.fixed.chargedItemsCount, '0001');
    assert.equal(m.fixed.overdueItemsCount, '0000');
    assert.deepEqual(fieldsOf(m, 'AU'), [barcode]);
    assert.equal(field(m, 'CB'), '0020');
    assert.equal(field(m, 'CQ'), 'Y');

    // 17 item information (node-sip2 fixture)
    m = await send(adapt(fixture('ItemInformationRequest'), { AB: barcode }));
    assert.equal(m.code, '18');
    assert.equal(m.fixed.circulationStatus, '04');
    assert.equal(field(m, 'AJ'), 'De avonden');
    assert.equal(field(m, 'AH'), sipDateOf(loan.dueAt));
    assert.equal(field(m, 'CF'), '00000');

    // 29 renew (Evergreen)
    m = await send(adapt(evergreen('29'), { AA: member.cardNumber, AD: PIN, AB: barcode }));
    assert.equal(m.code, '30');
    assert.equal(m.fixed.ok, '1', field(m, 'AF'));
    assert.equal(m.fixed.renewalOk, 'Y');
    assert.ok(readSipDate(field(m, 'AH')!));
    assert.match(field(m, 'AF')!, /^Verlengd: De avonden/);

    // 15 hold by another member, pickup at the kiosk's branch; then renewing is refused
    m = await send(adapt(evergreen('15+'), { AA: other.cardNumber, AD: PIN, AB: barcode, BS: '' }));
    assert.equal(m.code, '16');
    assert.equal(m.fixed.ok, '1', field(m, 'AF'));
    assert.equal(m.fixed.available, 'N');
    assert.equal(field(m, 'BR'), '1');
    assert.match(field(m, 'BS')!, /Centrale Bibliotheek/);
    m = await send(adapt(evergreen('29'), { AA: member.cardNumber, AD: PIN, AB: barcode }));
    assert.equal(m.fixed.ok, '0');
    assert.equal(field(m, 'AF'), 'Verlengen kan niet: iemand anders wacht op deze titel.');
    m = await send(adapt(fixture('ItemInformationRequest'), { AB: barcode }));
    assert.equal(field(m, 'CF'), '00001');

    // 09 check in (node-sip2 fixture): the copy is trapped for the hold at this branch
    m = await send(adapt(fixture('CheckinRequest'), { AB: barcode }));
    assert.equal(m.code, '10');
    assert.equal(m.fixed.ok, '1');
    assert.equal(m.fixed.alert, 'Y');
    assert.equal(field(m, 'AJ'), 'De avonden');
    assert.equal(field(m, 'CL'), 'HOLD');
    assert.match(field(m, 'AQ')!, /Centrale Bibliotheek/);
    assert.match(field(m, 'AF')!, /afhaalplank/);
    m = await send(adapt(fixture('ItemInformationRequest'), { AB: barcode }));
    assert.equal(m.fixed.circulationStatus, '08');

    // 15- cancels the hold (Evergreen); the copy is no longer held for anyone
    m = await send(adapt(evergreen('15-'), { AA: other.cardNumber, AB: barcode }));
    assert.equal(m.code, '16');
    assert.equal(m.fixed.ok, '1', field(m, 'AF'));
    m = await send(adapt(evergreen('15-'), { AA: other.cardNumber, AB: barcode }));
    assert.equal(m.fixed.ok, '0');

    // 65 renew all with nothing on loan
    m = await send(adapt(evergreen('65'), { AA: member.cardNumber, AD: PIN }));
    assert.equal(m.code, '66');
    assert.equal(m.fixed.ok, '1');
    assert.equal(m.fixed.renewedCount, '0000');

    // 37 fee paid: the node-sip2 fixture pays in USD (refused); in euros it pays the charge
    await inTenant(t.db.kysely, member.libraryId, (tx) => tx.insertInto('charge').values({
      libraryId: member.libraryId, accountId: member.id, kind: 'late_fee', amountCents: 250, description: 'Te laat: test',
    }).execute());
    m = await send(adapt(fixture('FeePaidRequest'), { AA: member.cardNumber }));
    assert.equal(m.code, '38');
    assert.equal(m.fixed.paymentAccepted, 'N');
    assert.equal(field(m, 'AF'), 'Betalen kan alleen in euro.');
    assert.equal(field(m, 'BK'), 'TransactionID');
    m = await send(adapt(fixture('FeePaidRequest').replace('USD', 'EUR'), { AA: member.cardNumber, BV: '2.50' }));
    assert.equal(m.fixed.paymentAccepted, 'Y', field(m, 'AF'));
    assert.equal(field(m, 'AF'), 'Betaald: EUR 2,50.', 'ISO-8859-1 has no euro sign');
    const unpaid = await inTenant(t.db.kysely, member.libraryId, (tx) => tx.selectFrom('charge').select('id').where('accountId', '=', member.id).where('paidAt', 'is', null).execute());
    assert.deepEqual(unpaid, []);

    // 35 end session, then 97 asks for that response again
    m = await send(adapt(fixture('EndPatronSessionRequest'), { AA: member.cardNumber }));
    assert.equal(m.code, '36');
    assert.equal(m.fixed.endSession, 'Y');
    assert.equal(field(m, 'AF'), 'Tot ziens!');
    const last = m;
    c.write('97\r');
    const resent = parse((await c.next())!);
    assert.ok(resent.ok);
    assert.deepEqual(resent.message, last);
    c.close();
  });

  it('an unknown card is refused with the reason; a member without a PIN check still gets status', async () => {
    const c = await loggedIn();
    let r = await c.request(inLanguage(adapt(fixture('PatronStatusRequest'), { AA: '12345678901234' }), '005'));
    assert.equal(r.message.code, '24');
    assert.equal(field(r.message, 'BL'), 'N');
    assert.equal(field(r.message, 'AF'), 'Dit pasnummer kennen we niet.');
    r = await c.request(adapt(fixture('PatronStatusRequest'), { AA: other.cardNumber, AD: '' }));
    assert.equal(field(r.message, 'BL'), 'Y');
    assert.equal(field(r.message, 'CQ'), undefined);
    c.close();
  });

  it('a blocked member cannot check out at the kiosk, and the screen says why', async () => {
    const c = await loggedIn();
    const blocked = await buildMember(t);
    await inTenant(t.db.kysely, blocked.libraryId, (tx) => tx.insertInto('charge').values({
      libraryId: blocked.libraryId, accountId: blocked.id, kind: 'other', amountCents: 5000, description: 'test',
    }).execute());
    const { items } = await buildTitleWithCopies(t.db.kysely, 'utrecht', 1, { branches: ['centrale-bibliotheek'] });
    const status = await c.request(inLanguage(adapt(fixture('PatronStatusRequest'), { AA: blocked.cardNumber }), '005'));
    assert.equal(status.message.fixed.patronStatus![0], 'Y', 'charge privileges denied');
    assert.equal(field(status.message, 'BV'), '50.00');
    assert.match(field(status.message, 'AF')!, /^Lenen kan nu niet: er staat EUR 50,00 open/);
    const out = await c.request(adapt(fixture('CheckoutRequest'), { AA: blocked.cardNumber, AB: items[0]!.barcode }));
    assert.equal(out.message.fixed.ok, '0');
    assert.match(field(out.message, 'AF')!, /^Lenen kan nu niet/);
    const loans = await inTenant(t.db.kysely, blocked.libraryId, (tx) => tx.selectFrom('loan').select('id').where('accountId', '=', blocked.id).execute());
    assert.deepEqual(loans, [], 'nothing changed');
    c.close();
  });

  it('a kiosk registered for UTF-8 gets the euro sign, with a checksum over the UTF-8 bytes', async () => {
    const utf8 = await addKiosk(systemCtx(t.db.kysely, t.config, 'test'), { librarySlug: 'utrecht', branchSlug: 'centrale-bibliotheek', login: 'zuil-utf8', encoding: 'utf8' });
    const owing = await buildMember(t);
    await inTenant(t.db.kysely, owing.libraryId, (tx) => tx.insertInto('charge').values({
      libraryId: owing.libraryId, accountId: owing.id, kind: 'other', amountCents: 125, description: 'test',
    }).execute());
    const c = await Sip2Client.connect(server.port);
    await c.request(adapt(fixture('LoginRequest'), { CN: utf8.cn, CO: utf8.password }), { errorDetection: true });
    const r = await c.request(inLanguage(adapt(fixture('PatronStatusRequest'), { AA: owing.cardNumber }), '005'), { errorDetection: true });
    assert.deepEqual(fieldsOf(r.message, 'AF'), [`Welkom, ${field(r.message, 'AE')}.`, 'Openstaand bedrag: € 1,25.']);
    assert.equal(r.message.checksum !== undefined, true, 'parse() verified the checksum over the UTF-8 bytes');
    c.close();
  });

  it('every fixture message with a wrong checksum is answered with 96, and the connection carries on', async () => {
    const c = await loggedIn();
    const bad = nodeSip2Messages().filter((m) => m.checksumValid === false);
    assert.equal(bad.length, 6);
    for (const m of bad) {
      c.write(`${m.message}\r`);
      const raw = (await c.next())!.toString('latin1');
      assert.match(raw, /^96AZ[0-9A-F]{4}$/, m.name);
      assert.ok(checksumHolds(raw));
    }
    // a valid request with one byte changed in transit
    c.write(`${fixture('PatronStatusRequest').replace('104000000105', '104000000106')}\r`);
    assert.match((await c.next())!.toString('latin1'), /^96/);
    const r = await c.request(evergreen('99'));
    assert.equal(r.message.code, '98');
    c.close();
  });

  it('malformed frames get 96 and never end the connection: garbage, unknown code, short, oversize, CRLF and LF', async () => {
    const c = await loggedIn();
    const expect96 = async (bytes: Buffer | string) => {
      c.write(bytes);
      assert.equal((await c.next())!.toString('latin1'), '96', String(bytes).slice(0, 40));
    };
    await expect96(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d]));
    await expect96('42whatever|\r');
    await expect96('11YN2006\r');
    await expect96(`${'A'.repeat(5000)}\r`);
    // a kiosk sending CRLF or LF is understood
    c.write(`${evergreen('99')}\r\n`);
    assert.equal(parse((await c.next())!).ok && 'ok', 'ok');
    c.write(`${evergreen('99')}\n`);
    const r = parse((await c.next())!);
    assert.ok(r.ok && r.message.code === '98');
    // a request without a required field gets its own negative response naming the field
    const missing = await c.request('11YN20060329    203000                  AOUTRECHT|AB12345678|AC|');
    assert.equal(missing.message.code, '12');
    assert.equal(field(missing.message, 'AF'), 'Het verzoek mist de velden AA.');
    // unsupported messages (block patron, patron enable) are refused in their own response
    const block = await c.request(evergreen('01'));
    assert.equal(block.message.code, '24');
    assert.equal(field(block.message, 'AF'), 'Dit kan niet bij deze kiosk. Vraag een medewerker om hulp.');
    c.close();
  });

  it('an idle connection is closed after the idle timeout', async () => {
    const idle = await startSip2Server({ db: t.db.kysely, config: t.config, backend: lendingBackend, port: 0, host: '127.0.0.1', idleTimeoutMs: 200, tlsFiles: null });
    try {
      const c = await Sip2Client.connect(idle.port);
      assert.equal(await c.next(), null);
      assert.ok(c.closed);
    } finally {
      await idle.close();
    }
  });

  it('speaks TLS when a certificate is configured', async () => {
    const secure = await startSip2Server({
      db: t.db.kysely, config: t.config, backend: lendingBackend, port: 0, host: '127.0.0.1',
      tlsFiles: { cert: path.join(fixtures, 'test-tls-cert.pem'), key: path.join(fixtures, 'test-tls-key.pem') },
    });
    try {
      assert.equal(secure.tls, true);
      const c = await Sip2Client.connect(secure.port, { tls: { ca: fs.readFileSync(path.join(fixtures, 'test-tls-cert.pem')), servername: 'localhost' } });
      const login = await c.request(adapt(fixture('LoginRequest'), { CN: kiosk.cn, CO: kiosk.password }));
      assert.equal(login.raw, '941');
      const status = await c.request(evergreen('99'));
      assert.equal(field(status.message, 'AO'), 'UTRECHT');
      c.close();
    } finally {
      await secure.close();
    }
  });

  it('closing the server ends open kiosk connections', async () => {
    const s = await startSip2Server({ db: t.db.kysely, config: t.config, backend: lendingBackend, port: 0, host: '127.0.0.1', tlsFiles: null });
    const c = await Sip2Client.connect(s.port);
    assert.equal((await c.request(evergreen('99'))).message.code, '98');
    await s.close();
    assert.equal(await c.next(), null);
  });

  it('logs no card number, barcode, PIN or kiosk password', () => {
    const all = t.logs.join('\n');
    assert.match(all, /sip2_login/, 'the conversation was logged');
    for (const secret of [member.cardNumber, other.cardNumber, kiosk.password, `"${PIN}"`, kiosk.cn]) {
      assert.ok(!all.includes(secret), `log contains ${secret.slice(0, 4)}…`);
    }
  });
});

function sipDateOf(d: Date): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}    ${p.hour}${p.minute}${p.second}`;
}
