// Importing activities from an iCalendar feed URL, against a real HTTP server on loopback that
// serves the calendars in test/fixtures/icalendar, plus hostile answers: an oversized feed (with
// and without Content-Length), an HTML page, a 404, a redirect loop, a server that never
// finishes. By default the platform refuses loopback and private addresses (SSRF); the tests
// that fetch switch that off through config, as development does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { libraryId } from '../../../test/support/activities.ts';
import { systemCtx } from '../../platform/context.ts';
import { isPrivateAddress } from '../../platform/http/outbound.ts';
import { activitiesCommand } from '../../cli.ts';
import { importCalendarFromUrl } from './activities.service.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/icalendar');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

// ---------------------------------------------------------------------------------------------
// The feed server: every request is counted, so a refused URL can be shown never to have left.

let server: http.Server;
let origin: string;
const hits: string[] = [];

function startFeedServer(): Promise<void> {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    hits.push(url);
    const feed = /^\/feeds\/([a-z0-9._-]+\.ics)$/.exec(url);
    if (feed && fs.existsSync(path.join(fixtures, feed[1]!))) {
      res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' });
      return res.end(fixture(feed[1]!));
    }
    switch (url) {
      case '/plain.ics': // served as text/plain with a byte order mark, as some tools do
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`\uFEFF${fixture('icaljs-samples-minimal.ics')}`);
      case '/verhuisd':
        res.writeHead(302, { location: '/feeds/icaljs-samples-daily_recur.ics' });
        return res.end();
      case '/rondje':
        res.writeHead(302, { location: '/rondje' });
        return res.end();
      case '/pagina':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<!doctype html><html><body><h1>Inloggen</h1></body></html>');
      case '/groot-gemeld.ics': // honest Content-Length over the limit: refused before reading
        res.writeHead(200, { 'content-type': 'text/calendar', 'content-length': String(50 * 1024 * 1024) });
        return res.end();
      case '/groot.ics': { // chunked, no length: an endless stream of events, cut off at the limit
        res.writeHead(200, { 'content-type': 'text/calendar' });
        res.write('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n');
        let i = 0;
        const more = () => {
          while (i < 200_000) {
            const ok = res.write(`BEGIN:VEVENT\r\nUID:groot-${i}\r\nSUMMARY:Vulling ${i}\r\nDTSTART:20300101T100000Z\r\nEND:VEVENT\r\n`);
            i++;
            if (!ok) return void res.once('drain', more);
          }
          res.end('END:VCALENDAR\r\n');
        };
        res.on('close', () => { i = Number.POSITIVE_INFINITY; });
        return more();
      }
      case '/hangt': // headers, a first line, and then nothing ever again
        res.writeHead(200, { 'content-type': 'text/calendar' });
        res.write('BEGIN:VCALENDAR\r\n');
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('niet gevonden');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  }));
}

// Two apps on two test databases: one as configured in production (private addresses refused),
// one as in development (OUTBOUND_PRIVATE_ADDRESSES=true), both fetching from the feed server.
let dev: TestApp;
let prod: TestApp;
before(async () => {
  await startFeedServer();
  dev = await testApp({ outboundPrivateAddresses: true });
  prod = await testApp();
});
after(async () => {
  await dev.close();
  await prod.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function librarian(t: TestApp) {
  const p = await buildAccount(t);
  await grantStaff(t, p.id, 'utrecht', 'librarian');
  return signIn(t, p.id);
}

const importUrl = '/api/v1/libraries/utrecht/activities/import';
const sansIds = (report: { imported: { id: string }[]; skipped: unknown[] }) => ({
  imported: report.imported.map(({ id: _id, ...rest }) => rest), skipped: report.skipped,
});

describe('import from a feed URL (development: loopback allowed)', () => {
  test('a feed gives the same per-event report as the same calendar pasted as a file', async () => {
    const cookies = await librarian(dev);
    const byUrl = await dev.app.inject({ method: 'POST', url: importUrl, cookies, payload: { url: `${origin}/feeds/libical-2445.ics`, statutoryFunctions: ['meeting_debate'] } });
    assert.equal(byUrl.statusCode, 200, byUrl.body);
    assert.ok(byUrl.json().imported.length >= 3);
    assert.ok(byUrl.json().skipped.some((s: { reason: string }) => s.reason === 'no UID'));
    // the same file into another library (UIDs are per library) through the file import
    const other = await buildAccount(dev);
    await grantStaff(dev, other.id, 'amsterdam', 'librarian');
    const byFile = await dev.app.inject({
      method: 'POST', url: '/api/v1/libraries/amsterdam/activities/import', cookies: await signIn(dev, other.id),
      payload: { calendar: fixture('libical-2445.ics'), statutoryFunctions: ['meeting_debate'] },
    });
    assert.equal(byFile.statusCode, 200);
    assert.deepEqual(sansIds(byUrl.json()), sansIds(byFile.json()));
    // a second run of the feed skips what it imported
    const again = (await dev.app.inject({ method: 'POST', url: importUrl, cookies, payload: { url: `${origin}/feeds/libical-2445.ics`, statutoryFunctions: ['meeting_debate'] } })).json();
    assert.equal(again.imported.length, 0);
  });

  test('redirects are followed, recurring events expand; a text/plain feed with a BOM is read', async () => {
    const cookies = await librarian(dev);
    const moved = await dev.app.inject({ method: 'POST', url: importUrl, cookies, payload: { url: `${origin}/verhuisd`, statutoryFunctions: ['knowledge_information'] } });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().imported[0].sessions, 200);
    const plain = await dev.app.inject({ method: 'POST', url: importUrl, cookies, payload: { url: `${origin}/plain.ics`, statutoryFunctions: ['art_culture'] } });
    assert.equal(plain.statusCode, 200, plain.body);
    assert.equal(plain.json().imported.length + plain.json().skipped.length >= 1, true);
  });

  test('a hostile calendar is reported event by event, never a crash', async () => {
    const cookies = await librarian(dev);
    for (const name of ['libical-stresstest.ics', 'libical-recur-errors.ics']) {
      const res = await dev.app.inject({ method: 'POST', url: importUrl, cookies, payload: { url: `${origin}/feeds/${name}`, statutoryFunctions: ['art_culture'] } });
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`);
      assert.ok(res.json().skipped.length >= 1, name);
    }
  });

  test('oversized, non-calendar, missing and looping feeds answer 422 with a code and import nothing', async () => {
    const cookies = await librarian(dev);
    const before = await dev.db.kysely.selectFrom('activity').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const cases: [string, string, RegExp][] = [
      ['/groot.ics', 'ACTIVITIES_FEED_TOO_LARGE', /larger than 4096 kB/],
      ['/groot-gemeld.ics', 'ACTIVITIES_FEED_TOO_LARGE', /larger than/],
      ['/pagina', 'ACTIVITIES_FEED_NOT_CALENDAR', /text\/html/],
      ['/bestaat-niet.ics', 'ACTIVITIES_FEED_UNAVAILABLE', /HTTP 404/],
      ['/rondje', 'ACTIVITIES_FEED_UNAVAILABLE', /redirects/],
    ];
    for (const [p, code, title] of cases) {
      const res = await dev.app.inject({ method: 'POST', url: `${importUrl}?lang=en`, cookies, payload: { url: `${origin}${p}`, statutoryFunctions: ['art_culture'] } });
      assert.equal(res.statusCode, 422, `${p}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, code, p);
      assert.match(res.json().title, title, p);
    }
    const afterwards = await dev.db.kysely.selectFrom('activity').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterwards.n), Number(before.n));
  });

  test('a server that never finishes its answer is given up at the deadline', async () => {
    const lib = await libraryId(dev.db, 'utrecht');
    const ctx = systemCtx(dev.db.kysely, dev.config, 'test');
    await assert.rejects(importCalendarFromUrl(ctx, lib, `${origin}/hangt`, { statutoryFunctions: ['art_culture'] }, { timeoutMs: 300 }),
      (e: Error & { code?: string }) => e.code === 'ACTIVITIES_FEED_UNAVAILABLE' && /within 0.3 s/.test(e.message));
  });

  test('the staff page imports from a URL and shows the report; a bad URL is an inline error', async () => {
    const cookies = await librarian(dev);
    const page = await dev.app.inject({ url: '/utrecht/beheer/activiteiten/importeren', headers: { accept: 'text/html' }, cookies });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<input[^>]+id="url"[^>]+type="url"/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (fields: Record<string, string>) => {
      const form = new URLSearchParams({ _csrf: csrf, ...fields });
      form.append('statutoryFunctions', 'reading_literature');
      return dev.app.inject({
        method: 'POST', url: '/utrecht/beheer/activiteiten/importeren', cookies,
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString(),
      });
    };
    const ok = await post({ url: `${origin}/feeds/icaljs-samples-recur_instances_finite.ics` });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.match(ok.body, /1 activiteiten geïmporteerd/);
    const html = await post({ url: `${origin}/pagina` });
    assert.equal(html.statusCode, 422);
    assert.match(html.body, /id="url-error"[^>]*>Op dit adres staat geen iCalendar-agenda \(het antwoord is text\/html\)/);
    assert.match(html.body, /aria-invalid="true"/);
    const both = await post({ url: `${origin}/feeds/icaljs-samples-minimal.ics`, calendar: fixture('icaljs-samples-minimal.ics') });
    assert.equal(both.statusCode, 422);
    assert.match(both.body, /niet allebei/);
  });

  test('the command line imports from a URL or a file and prints the report', async () => {
    const lines: string[] = [];
    const config = { ...dev.config, outboundPrivateAddresses: false };
    // private addresses are refused unless the command says otherwise
    assert.equal(await activitiesCommand(dev.db, config, ['import', '--library', 'utrecht', '--url', `${origin}/feeds/icaljs-samples-multiple_rrules.ics`, '--function', 'meeting_debate'], (l) => lines.push(l)), 1);
    assert.match(lines.at(-1)!, /internal or local network/);
    lines.length = 0;
    assert.equal(await activitiesCommand(dev.db, config, ['import', '--library', 'utrecht', '--url', `${origin}/feeds/icaljs-samples-multiple_rrules.ics`, '--function', 'meeting_debate', '--publish', '--allow-private-addresses'], (l) => lines.push(l)), 0);
    assert.match(lines.join('\n'), /^imported {2}.+\(\d+ sessions?\) [0-9a-f-]{36}$/m);
    assert.match(lines.at(-1)!, /^1 imported, 0 skipped$/);
    const row = await dev.db.kysely.selectFrom('activity').select(['status', 'statutoryFunctions']).where('id', '=', /([0-9a-f-]{36})$/m.exec(lines.join('\n'))![1]!).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'published', statutoryFunctions: ['meeting_debate'] });
    lines.length = 0;
    assert.equal(await activitiesCommand(dev.db, config, ['import', '--library', 'utrecht', '--file', path.join(fixtures, 'icaljs-samples-multiple_rrules.ics'), '--function', 'meeting_debate'], (l) => lines.push(l)), 0);
    assert.match(lines.at(-1)!, /^0 imported, 1 skipped$/, 'the same UID again');
    assert.equal(await activitiesCommand(dev.db, config, ['import', '--library', 'utrecht', '--function', 'meeting_debate'], () => {}), 2, 'neither --file nor --url');
    assert.equal(await activitiesCommand(dev.db, config, ['import', '--library', 'utrecht', '--file', 'x.ics', '--function', 'dancing'], () => {}), 2);
  });
});

describe('import from a feed URL (production: internal addresses refused)', () => {
  test('loopback, private, link-local and non-http URLs are refused before any request is made', async () => {
    const cookies = await librarian(prod);
    const port = new URL(origin).port;
    const seen = hits.length;
    const refused: [string, RegExp][] = [
      [`${origin}/feeds/icaljs-samples-minimal.ics`, /internal or local network/],
      [`http://localhost:${port}/feeds/icaljs-samples-minimal.ics`, /internal or local network/],
      [`http://[::1]:${port}/feeds/icaljs-samples-minimal.ics`, /internal or local network/],
      [`http://[::ffff:127.0.0.1]:${port}/feeds/icaljs-samples-minimal.ics`, /internal or local network/],
      ['http://169.254.169.254/latest/meta-data/', /internal or local network/],
      ['http://10.1.2.3/agenda.ics', /internal or local network/],
      ['http://2130706433/agenda.ics', /internal or local network/], // 127.0.0.1 written as a number
      [`file://${path.join(fixtures, 'icaljs-samples-minimal.ics')}`, /http or https/],
      ['ftp://example.org/agenda.ics', /http or https/],
      ['gewoon tekst', /http or https/],
    ];
    for (const [url, message] of refused) {
      const res = await prod.app.inject({ method: 'POST', url: `${importUrl}?lang=en`, cookies, payload: { url, statutoryFunctions: ['art_culture'] } });
      assert.equal(res.statusCode, 422, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'ACTIVITIES_FEED_REFUSED', url);
      assert.match(res.json().title, message, url);
      assert.equal(res.json().errors[0].field, 'url');
    }
    assert.equal(hits.length, seen, 'the feed server was never contacted');
  });

  test('only a librarian can make the server fetch a URL', async () => {
    const seen = hits.length;
    const anonymous = await dev.app.inject({ method: 'POST', url: importUrl, payload: { url: `${origin}/feeds/icaljs-samples-minimal.ics`, statutoryFunctions: ['art_culture'] } });
    assert.equal(anonymous.statusCode, 401);
    const p = await buildAccount(dev);
    const member = await dev.app.inject({ method: 'POST', url: importUrl, cookies: await signIn(dev, p.id), payload: { url: `${origin}/feeds/icaljs-samples-minimal.ics`, statutoryFunctions: ['art_culture'] } });
    assert.equal(member.statusCode, 403);
    const neither = await dev.app.inject({ method: 'POST', url: importUrl, payload: { statutoryFunctions: ['art_culture'] } });
    assert.equal(neither.statusCode, 401, 'authorisation before validation');
    assert.equal(hits.length, seen);
  });

  test('the address check knows the special-purpose ranges', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd12:3456::1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', 'not-an-ip']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['145.97.39.155', '8.8.8.8', '172.32.0.1', '2001:610:1908::1', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });
});
