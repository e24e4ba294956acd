// The membership pages without JavaScript: forms post, redirect, and show errors inline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';

let t: TestApp;
before(async () => { t = await testApp(); });
after(async () => { await t.close(); });

const html = { accept: 'text/html' };

/** Loads a page like a browser: keeps cookies and reads the form's CSRF token. */
class Browser {
  cookies: Record<string, string> = {};
  async get(url: string) {
    const res = await t.app.inject({ url, headers: html, cookies: this.cookies });
    this.keep(res);
    return res;
  }
  async post(url: string, form: Record<string, string>) {
    const res = await t.app.inject({
      method: 'POST', url, headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      cookies: this.cookies, payload: new URLSearchParams(form).toString(),
    });
    this.keep(res);
    return res;
  }
  keep(res: { cookies: { name: string; value: string; maxAge?: number; expires?: Date }[] }) {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
  }
}

const csrf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1]!;
let n = 0;

describe('sign-up and sign-in pages', () => {
  test('the postcode decides the library and the page says why; the form creates a member', async () => {
    const b = new Browser();
    const step1 = await b.get('/utrecht/aanmelden');
    assert.equal(step1.statusCode, 200);
    const step2 = await b.get('/utrecht/aanmelden?postcode=3512+JK');
    assert.match(step2.body, /Uw gemeente Utrecht valt onder Bibliotheek Utrecht/);
    assert.match(step2.body, /name="plan"/);
    const email = `pagina${process.pid}x${n++}@example.org`;
    const res = await b.post('/utrecht/aanmelden', {
      _csrf: csrf(step2.body), postcode: '3512 JK', plan: 'volwassen', givenName: 'Piet', familyName: 'Pagina', email,
      password: 'mijn lange geheime zin', birthDate: '1970-01-01', street: 'Neude', houseNumber: '11', city: 'Utrecht', pin: '5830',
      consent_newsletter: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/utrecht/aanmelden/verstuurd');
    const account = await t.db.kysely.selectFrom('account').select('id').where('email', '=', email).executeTakeFirst();
    assert.ok(account);
  });

  test('a postcode of another municipality points to that library', async () => {
    const page = await new Browser().get('/utrecht/aanmelden?postcode=1011');
    assert.match(page.body, /Uw gemeente Amsterdam valt onder Bibliotheek Amsterdam/);
    assert.match(page.body, /href="http:\/\/localhost:\d+\/amsterdam\/aanmelden\?postcode=1011"/);
  });

  test('errors appear next to the fields, typed values stay, secrets are not echoed, nothing is created', async () => {
    const b = new Browser();
    const form = await b.get('/utrecht/aanmelden?postcode=3512+JK');
    const email = `fout${process.pid}x${n++}@example.org`;
    const res = await b.post('/utrecht/aanmelden', {
      _csrf: csrf(form.body), postcode: '3512 JK', plan: 'volwassen', givenName: 'Els', familyName: '', email,
      password: 'kort', pin: '0000', birthDate: '1980-02-02', street: 'Neude', houseNumber: '1', city: 'Utrecht',
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /id="familyName-error"/);
    assert.match(res.body, /id="password-error"[^>]*>Kies een wachtwoord van minstens 12 tekens/);
    assert.match(res.body, /id="pin-error"/);
    assert.match(res.body, /aria-describedby="[^"]*familyName-error/);
    assert.match(res.body, /value="Els"/);
    assert.doesNotMatch(res.body, /value="kort"|value="0000"/);
    assert.equal((await t.db.kysely.selectFrom('account').select('id').where('email', '=', email).execute()).length, 0);
  });

  test('a form without a valid CSRF token is refused', async () => {
    const b = new Browser();
    await b.get('/utrecht/aanmelden?postcode=3512+JK');
    const res = await b.post('/utrecht/aanmelden', { _csrf: 'forged-token-value-abcdefghijkl', postcode: '3512 JK', plan: 'verbonden', email: 'x@example.org', password: 'x', givenName: 'x', familyName: 'x' });
    assert.equal(res.statusCode, 403);
  });

  test('sign in, see Mijn bibliotheek with the card barcode, change consents, sign out', async () => {
    const email = `mijn${process.pid}x${n++}@example.org`;
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
      postcode: '3512 JK', plan: 'volwassen', email, password: 'mijn lange geheime zin', givenName: 'Mia', familyName: 'Mijn',
      birthDate: '1990-01-01', street: 'Neude', houseNumber: '2', city: 'Utrecht', pin: '2468',
    } });
    assert.equal(api.statusCode, 202);
    const b = new Browser();
    assert.equal((await b.get('/utrecht/mijn')).statusCode, 303, 'signed-out visitors are sent to the login page');
    const login = await b.get('/utrecht/inloggen');
    const wrong = await b.post('/utrecht/inloggen', { _csrf: csrf(login.body), method: 'email', email, password: 'verkeerd wachtwoord hier' });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /Deze combinatie van gegevens klopt niet/);
    const ok = await b.post('/utrecht/inloggen', { _csrf: csrf(wrong.body), method: 'email', email, password: 'mijn lange geheime zin' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/utrecht/mijn');
    const mine = await b.get('/utrecht/mijn');
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, /Mia Mijn/);
    assert.match(mine.body, /<svg [^>]*role="img" aria-labelledby="barcode-title"/);
    const saved = await b.post('/utrecht/mijn/toestemmingen', { _csrf: csrf(mine.body), consent_research: 'yes' });
    assert.equal(saved.statusCode, 303);
    const after = await b.get('/utrecht/mijn?bericht=toestemmingen');
    assert.match(after.body, /id="consent_research" value="yes" checked/);
    assert.match(after.body, /gelden meteen/);
    const download = await b.get('/utrecht/mijn/gegevens.json');
    assert.equal(JSON.parse(download.body).account.email, email);
    const out = await b.post('/utrecht/uitloggen', { _csrf: csrf(after.body) });
    assert.equal(out.statusCode, 303);
    assert.equal((await b.get('/utrecht/mijn')).statusCode, 303);
  });
});

describe('staff pages', () => {
  test('desk staff search, are asked a reason, and the view is audited', async () => {
    const { buildAccount, grantStaff, signIn } = await import('../../../test/support/auth.ts');
    const email = `balie${process.pid}x${n++}@example.org`;
    await t.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { postcode: '3512', plan: 'verbonden', email, password: 'mijn lange geheime zin', givenName: 'Gerda', familyName: 'Zoekbaar' } });
    const member = await t.db.kysely.selectFrom('account').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const desk = await buildAccount(t, { librarySlug: 'utrecht' });
    await grantStaff(t, desk.id, 'utrecht', 'desk');
    const b = new Browser();
    b.cookies = await signIn(t, desk.id);
    const search = await b.get('/utrecht/staff?q=zoekbaar');
    assert.equal(search.statusCode, 200);
    assert.match(search.body, new RegExp(`href="/utrecht/staff/leden/${member.id}"`));
    const ask = await b.get(`/utrecht/staff/leden/${member.id}`);
    assert.match(ask.body, /Waarom bekijkt u dit lid\?/);
    assert.doesNotMatch(ask.body, new RegExp(email));
    const view = await b.get(`/utrecht/staff/leden/${member.id}?reden=desk_question`);
    assert.equal(view.statusCode, 200);
    assert.match(view.body, new RegExp(email));
    const events = await t.db.kysely.selectFrom('auditEvent').select(['action', 'reasonCode']).where('actorAccountId', '=', desk.id).execute();
    assert.deepEqual(events.map((e) => e.action).sort(), ['member.search', 'member.view']);
    const member2 = new Browser();
    member2.cookies = await signIn(t, member.id);
    assert.equal((await member2.get('/utrecht/staff?q=zoekbaar')).statusCode, 403);
  });

  test('a library admin enrols a second factor before reading the audit trail', async () => {
    const { buildAccount, grantStaff, signIn } = await import('../../../test/support/auth.ts');
    const { totp } = await import('../../shared/totp.ts');
    const admin = await buildAccount(t, { librarySlug: 'utrecht' });
    await grantStaff(t, admin.id, 'utrecht', 'library_admin');
    const b = new Browser();
    b.cookies = await signIn(t, admin.id);
    const first = await b.get('/utrecht/staff/audit');
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/utrecht/mijn/tweestaps');
    const enrol = await b.get('/utrecht/mijn/tweestaps');
    const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(enrol.body)![1]!;
    const wrong = await b.post('/utrecht/mijn/tweestaps', { _csrf: csrf(enrol.body), secret, code: '000000' === totp(secret) ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /id="code-error"/);
    const ok = await b.post('/utrecht/mijn/tweestaps', { _csrf: csrf(enrol.body), secret, code: totp(secret) });
    assert.equal(ok.statusCode, 303);
    const audit = await b.get('/utrecht/staff/audit');
    assert.equal(audit.statusCode, 200);
    assert.match(audit.body, /<caption class="utrecht-table__caption">/);
  });
});
