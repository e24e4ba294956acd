// Membership end to end over the API: sign-up at the home library, e-mail confirmation, signing
// in and out, consents, export, deletion, password reset, and staff's audited look at members.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildAccount, grantStaff, signIn } from '../../../test/support/auth.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { isLuhnValid } from '../../shared/luhn.ts';
import { systemCtx } from '../../platform/context.ts';
import { EXPORTED_TABLES, eraseDueAccounts } from './membership.service.ts';
import { personalDataSources } from '../../platform/personal-data.ts';

let t: TestApp;
before(async () => { t = await testApp(); });
after(async () => { await t.close(); });

let seq = 0;
const uniqueEmail = () => `lid${process.pid}x${seq++}@example.org`;
const PASSWORD = 'een lange zin als wachtwoord';

function adult(overrides: Record<string, unknown> = {}) {
  return {
    postcode: '3511 AB', plan: 'volwassen', email: uniqueEmail(), password: PASSWORD,
    givenName: 'Anna', familyName: 'de Vries', birthDate: '1985-04-12', street: 'Oudegracht', houseNumber: '12a', city: 'Utrecht', pin: '4821',
    consents: { reading_history: true, newsletter: false },
    ...overrides,
  };
}

async function post(url: string, payload: unknown, cookies?: Record<string, string>) {
  return t.app.inject({ method: 'POST', url, payload: payload as object, cookies });
}

async function lastMail(to: string) {
  return t.db.kysely.selectFrom('notice').selectAll().where('toAddress', '=', to).orderBy('createdAt', 'desc').executeTakeFirst();
}

function cookieOf(res: { cookies: { name: string; value: string }[] }): Record<string, string> {
  const c = res.cookies.find((x) => x.name === 'eb_session');
  assert.ok(c, 'session cookie set');
  return { eb_session: c.value };
}

async function signUpAndLogin(overrides: Record<string, unknown> = {}) {
  const body = adult(overrides);
  const res = await post('/api/v1/accounts', body);
  assert.equal(res.statusCode, 202, res.body);
  const login = await post('/api/v1/session', { email: body.email, password: PASSWORD });
  assert.equal(login.statusCode, 200, login.body);
  return { body, cookies: cookieOf(login), accountId: login.json().accountId as string };
}

describe('sign-up', () => {
  test('the postcode decides the home library; the member gets a card, a fee charge, the chosen consents and a confirmation mail', async () => {
    const body = adult();
    const res = await post('/api/v1/accounts', body);
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { status: 'check_your_mail', library: { slug: 'utrecht', name: 'Bibliotheek Utrecht' }, municipality: { code: 'GM0344', name: 'Utrecht' } });
    const account = await t.db.kysely.selectFrom('account').selectAll().where('email', '=', body.email).executeTakeFirstOrThrow();
    assert.equal(account.emailVerifiedAt, null);
    assert.match(account.passwordHash!, /^\$argon2id\$/);
    const m = await t.db.kysely.selectFrom('membership').selectAll().where('accountId', '=', account.id).executeTakeFirstOrThrow();
    assert.ok(isLuhnValid(m.cardNumber), m.cardNumber);
    assert.match(m.pinHash!, /^\$argon2id\$/);
    const lib = await t.db.kysely.selectFrom('library').select(['id', 'cardPrefix']).where('slug', '=', 'utrecht').executeTakeFirstOrThrow();
    assert.equal(m.libraryId, lib.id);
    assert.ok(m.cardNumber.startsWith(lib.cardPrefix!));
    const charge = await t.db.kysely.selectFrom('charge').selectAll().where('accountId', '=', account.id).executeTakeFirstOrThrow();
    assert.equal(charge.amountCents, 5400);
    assert.equal(charge.paidAt, null);
    const consents = Object.fromEntries((await t.db.kysely.selectFrom('consent').selectAll().where('accountId', '=', account.id).execute()).map((c) => [c.purpose, c.granted]));
    assert.deepEqual(consents, { reading_history: true, reading_advice: false, newsletter: false, research: false });
    const mail = await lastMail(body.email);
    assert.equal(mail?.template, 'verify_email');
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail!.bodyText)![1]!;
    assert.match(mail!.bodyText, new RegExp(`${t.config.publicUrl}/utrecht/mijn/bevestigen\\?token=`));
    assert.equal((await post('/api/v1/accounts/verification', { token })).statusCode, 204);
    assert.ok((await t.db.kysely.selectFrom('account').select('emailVerifiedAt').where('id', '=', account.id).executeTakeFirstOrThrow()).emailVerifiedAt);
    const again = await post('/api/v1/accounts/verification', { token });
    assert.equal(again.statusCode, 410);
    assert.equal(again.json().code, 'ACCOUNTS_TOKEN_INVALID');
  });

  test('a free connected account asks only name, e-mail and postcode: no address, PIN or charge', async () => {
    const body = { postcode: '1011', plan: 'verbonden', email: uniqueEmail(), password: PASSWORD, givenName: 'Bo', familyName: 'Jansen' };
    const res = await post('/api/v1/accounts', body);
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().library.slug, 'amsterdam');
    const account = await t.db.kysely.selectFrom('account').select('id').where('email', '=', body.email).executeTakeFirstOrThrow();
    const m = await t.db.kysely.selectFrom('membership').selectAll().where('accountId', '=', account.id).executeTakeFirstOrThrow();
    assert.equal(m.pinHash, null);
    assert.equal((await t.db.kysely.selectFrom('charge').select('id').where('accountId', '=', account.id).execute()).length, 0);
    const profile = await t.db.kysely.selectFrom('memberProfile').selectAll().where('accountId', '=', account.id).executeTakeFirstOrThrow();
    assert.deepEqual([profile.birthDate, profile.street, profile.postcode], [null, null, null]);
  });

  test('a duplicate e-mail gets the same answer, and the owner a mail instead: no enumeration', async () => {
    const first = adult();
    const a = await post('/api/v1/accounts', first);
    const b = await post('/api/v1/accounts', { ...adult(), email: first.email.toUpperCase() });
    assert.equal(b.statusCode, a.statusCode);
    assert.deepEqual(b.json(), a.json());
    const accounts = await t.db.kysely.selectFrom('account').select('id').where('email', '=', first.email).execute();
    assert.equal(accounts.length, 1);
    assert.equal((await lastMail(first.email))?.template, 'signup_existing');
  });

  test('bad input is refused field by field and nothing is created', async () => {
    const before = (await sql<{ n: number }>`select count(*)::int as n from account`.execute(t.db.kysely)).rows[0]!.n;
    const cases: [Record<string, unknown>, number, string, string?][] = [
      [{ postcode: '12' }, 400, 'NETWORK_POSTCODE_INVALID'],
      [{ postcode: '1099 AB' }, 404, 'NETWORK_POSTCODE_NOT_RESIDENTIAL'],
      [{ plan: 'goud' }, 422, 'MEMBERSHIP_PLAN_NOT_FOUND'],
      [{ password: 'kort' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'password'],
      [{ password: 'qwerty123456' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'password'],
      [{ email: 'geen-adres' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'email'],
      [{ street: '' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'street'],
      [{ postcode: '3511' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'postcode'],
      [{ pin: '1234' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'pin'],
      [{ birthDate: '2030-01-01' }, 422, 'MEMBERSHIP_INVALID_DETAILS', 'birthDate'],
      [{ birthDate: '2015-06-01' }, 422, 'MEMBERSHIP_AGE_OUTSIDE_PLAN', 'birthDate'],
      [{ plan: 'jeugd', birthDate: '1990-01-01' }, 422, 'MEMBERSHIP_AGE_OUTSIDE_PLAN', 'birthDate'],
    ];
    for (const [override, status, code, field] of cases) {
      const res = await post('/api/v1/accounts', adult(override));
      assert.equal(res.statusCode, status, `${JSON.stringify(override)}: ${res.body}`);
      assert.equal(res.json().code, code);
      if (field) assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `${field} in ${res.body}`);
    }
    const extra = await post('/api/v1/accounts', { ...adult(), admin: true });
    assert.equal(extra.statusCode, 400);
    const after = (await sql<{ n: number }>`select count(*)::int as n from account`.execute(t.db.kysely)).rows[0]!.n;
    assert.equal(after, before);
  });

  test('a failure halfway (library without a card series) leaves no account behind', async () => {
    await t.db.kysely.updateTable('library').set({ cardPrefix: null }).where('slug', '=', 'breda').execute();
    const body = adult({ postcode: '4811 AB' });
    const { forgetLibraryCache } = await import('../network/index.ts');
    forgetLibraryCache();
    const res = await post('/api/v1/accounts', body);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'MEMBERSHIP_NO_CARD_SERIES');
    assert.equal((await t.db.kysely.selectFrom('account').select('id').where('email', '=', body.email).execute()).length, 0);
  });

  test('youth is free and age-checked', async () => {
    const body = adult({ plan: 'jeugd', birthDate: '2014-03-03' });
    assert.equal((await post('/api/v1/accounts', body)).statusCode, 202);
    const account = await t.db.kysely.selectFrom('account').select('id').where('email', '=', body.email).executeTakeFirstOrThrow();
    assert.equal((await t.db.kysely.selectFrom('charge').select('id').where('accountId', '=', account.id).execute()).length, 0);
  });
});

describe('signing in and out', () => {
  test('e-mail and password, then /me shows one membership covering physical and digital', async () => {
    const { cookies, body } = await signUpAndLogin();
    const me = await t.app.inject({ url: '/api/v1/me', cookies });
    assert.equal(me.statusCode, 200);
    const json = me.json();
    assert.equal(json.email, body.email);
    assert.equal(json.membership.plan, 'volwassen');
    assert.equal(json.membership.includesDigital, true);
    assert.ok(json.membership.limits.digitalLoans > 0 && json.membership.limits.physicalLoans > 0);
  });

  test('card number and PIN', async () => {
    const { accountId } = await signUpAndLogin({ pin: '7319' });
    const m = await t.db.kysely.selectFrom('membership').select('cardNumber').where('accountId', '=', accountId).executeTakeFirstOrThrow();
    const ok = await post('/api/v1/session', { cardNumber: m.cardNumber, pin: '7319' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().accountId, accountId);
    const bad = await post('/api/v1/session', { cardNumber: m.cardNumber, pin: '7318' });
    assert.equal(bad.statusCode, 401);
  });

  test('every login gets a new session id, and logout ends it', async () => {
    const { body } = await signUpAndLogin();
    const a = cookieOf(await post('/api/v1/session', { email: body.email, password: PASSWORD }));
    const b = cookieOf(await post('/api/v1/session', { email: body.email, password: PASSWORD }));
    assert.notEqual(a.eb_session, b.eb_session);
    const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: a });
    assert.equal(out.statusCode, 204);
    assert.equal((await t.app.inject({ url: '/api/v1/me', cookies: a })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/api/v1/me', cookies: b })).statusCode, 200);
  });

  test('sign out everywhere ends every session of the account', async () => {
    const { body, cookies } = await signUpAndLogin();
    const other = cookieOf(await post('/api/v1/session', { email: body.email, password: PASSWORD }));
    const list = await t.app.inject({ url: '/api/v1/me/sessions', cookies });
    assert.equal(list.json().sessions.length, 2);
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions', cookies });
    assert.deepEqual(res.json(), { ended: 2 });
    assert.equal((await t.app.inject({ url: '/api/v1/me', cookies: other })).statusCode, 401);
  });

  test('a wrong password and an unknown account get the same answer; failures are throttled with growing delays', async () => {
    const { body } = await signUpAndLogin();
    const wrong = await post('/api/v1/session', { email: body.email, password: 'niet het goede wachtwoord' });
    const unknown = await post('/api/v1/session', { email: 'niemand@example.org', password: 'niet het goede wachtwoord' });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());
    await post('/api/v1/session', { email: body.email, password: 'nog een keer fout' });
    const third = await post('/api/v1/session', { email: body.email, password: 'en nog een keer' });
    assert.equal(third.statusCode, 401);
    const blocked = await post('/api/v1/session', { email: body.email, password: PASSWORD });
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().code, 'ACCOUNTS_LOGIN_THROTTLED');
  });

  test('the JSON API refuses form bodies, so a cross-site form cannot write with a session', async () => {
    const { cookies } = await signUpAndLogin();
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/me/consents', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'newsletter=true' });
    assert.equal(res.statusCode, 415);
  });
});

describe('my data', () => {
  test('consents change at once and every change is audited', async () => {
    const { cookies, accountId } = await signUpAndLogin();
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/me/consents', cookies, payload: { newsletter: true, reading_history: false } });
    assert.equal(res.statusCode, 204);
    const me = (await t.app.inject({ url: '/api/v1/me', cookies })).json();
    assert.equal(me.consents.newsletter, true);
    assert.equal(me.consents.reading_history, false);
    const audit = await t.db.kysely.selectFrom('auditEvent').select('action').where('subjectAccountId', '=', accountId).where('action', 'like', 'consent.%').execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['consent.granted', 'consent.withdrawn']);
  });

  test('the export holds everything about me, from every table with personal data', async () => {
    const { cookies, body } = await signUpAndLogin();
    const res = await t.app.inject({ url: '/api/v1/me/export', cookies });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-disposition'] as string, /attachment/);
    const data = res.json();
    assert.equal(data.account.email, body.email);
    assert.equal(data.homeLibrary.profile.familyName, 'de Vries');
    assert.equal(data.homeLibrary.memberships.length, 1);
    assert.equal(data.homeLibrary.consents.length, 4);
    assert.ok(data.sessions.length >= 1);
    assert.ok(data.homeLibrary.mail.some((m: { template: string }) => m.template === 'verify_email'));
    assert.doesNotMatch(res.body, /argon2|pinHash|passwordHash|tokenHash|idHash|csrf/i);
  });

  test('every table that refers to an account is covered by the export', async () => {
    const { rows } = await sql<{ table: string }>`
      select distinct c.relname as table from pg_constraint k
      join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
      where k.contype = 'f' and f.relname = 'account'`.execute(t.db.kysely);
    const covered = [...EXPORTED_TABLES, ...personalDataSources().flatMap((s) => s.tables)];
    const missing = rows.map((r) => r.table).filter((x) => !covered.includes(x));
    assert.deepEqual(missing, [], 'add these tables to exportMyData');
  });

  test('deletion waits 14 days, then erases personal data but keeps anonymous counts', async () => {
    const { cookies, accountId, body } = await signUpAndLogin();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion', cookies });
    assert.equal(res.statusCode, 202);
    const ctx = systemCtx(t.db.kysely, t.config, 'test');
    assert.equal(await eraseDueAccounts(ctx, new Date()), 0, 'not before the grace period');
    assert.ok(await eraseDueAccounts(ctx, new Date(Date.now() + 15 * 86_400_000)) >= 1);
    const account = await t.db.kysely.selectFrom('account').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    assert.equal(account.status, 'erased');
    assert.notEqual(account.email, body.email);
    assert.equal(account.passwordHash, null);
    assert.equal((await t.db.kysely.selectFrom('memberProfile').select('accountId').where('accountId', '=', accountId).execute()).length, 0);
    assert.equal((await t.db.kysely.selectFrom('session').select('idHash').where('accountId', '=', accountId).execute()).length, 0);
    const memberships = await t.db.kysely.selectFrom('membership').select(['status', 'pinHash']).where('accountId', '=', accountId).execute();
    assert.deepEqual(memberships, [{ status: 'ended', pinHash: null }], 'kept for statistics, without credentials');
    assert.equal((await post('/api/v1/session', { email: body.email, password: PASSWORD })).statusCode, 401);
  });

  test('password reset: one single-use link, a new password ends old sessions', async () => {
    const { cookies, body } = await signUpAndLogin();
    const res = await post('/api/v1/password-reset', { email: body.email });
    assert.equal(res.statusCode, 202);
    const unknown = await post('/api/v1/password-reset', { email: 'onbekend@example.org' });
    assert.deepEqual(unknown.json(), res.json());
    const mail = await lastMail(body.email);
    assert.equal(mail?.template, 'password_reset');
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail!.bodyText)![1]!;
    const weak = await post('/api/v1/password-reset/confirm', { token, password: 'welkomwelkom' });
    assert.equal(weak.statusCode, 422);
    const ok = await post('/api/v1/password-reset/confirm', { token, password: 'een heel ander lang wachtwoord' });
    assert.equal(ok.statusCode, 204);
    assert.equal((await t.app.inject({ url: '/api/v1/me', cookies })).statusCode, 401);
    assert.equal((await post('/api/v1/session', { email: body.email, password: 'een heel ander lang wachtwoord' })).statusCode, 200);
    assert.equal((await post('/api/v1/password-reset/confirm', { token, password: 'nog weer een ander wachtwoord' })).statusCode, 410);
  });
});

describe('staff', () => {
  test('desk staff find and view members of their library; every view is audited with its reason', async () => {
    const member = await signUpAndLogin({ givenName: 'Zeldzame', familyName: 'Achternaamtest' });
    const desk = await buildAccount(t, { librarySlug: 'utrecht' });
    await grantStaff(t, desk.id, 'utrecht', 'desk');
    const cookies = await signIn(t, desk.id);
    const found = await t.app.inject({ url: '/api/v1/libraries/utrecht/members?q=achternaamtest', cookies });
    assert.equal(found.statusCode, 200);
    assert.equal(found.json().members.length, 1);
    assert.equal(found.json().members[0].accountId, member.accountId);
    const noReason = await t.app.inject({ url: `/api/v1/libraries/utrecht/members/${member.accountId}`, cookies });
    assert.equal(noReason.statusCode, 400);
    const view = await t.app.inject({ url: `/api/v1/libraries/utrecht/members/${member.accountId}?reason=desk_question`, cookies });
    assert.equal(view.statusCode, 200);
    assert.equal(view.json().profile.familyName, 'Achternaamtest');
    const audit = await t.db.kysely.selectFrom('auditEvent').selectAll().where('subjectAccountId', '=', member.accountId).where('action', '=', 'member.view').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actorAccountId, desk.id);
    assert.equal(audit[0]!.reasonCode, 'desk_question');
  });

  test("staff of library B cannot see library A's members, by API or even by a direct query", async () => {
    const member = await signUpAndLogin({ familyName: 'Alleenbijutrecht' });
    const deskB = await buildAccount(t, { librarySlug: 'amsterdam' });
    await grantStaff(t, deskB.id, 'amsterdam', 'desk');
    const cookies = await signIn(t, deskB.id);
    const search = await t.app.inject({ url: '/api/v1/libraries/amsterdam/members?q=alleenbijutrecht', cookies });
    assert.deepEqual(search.json().members, []);
    const view = await t.app.inject({ url: `/api/v1/libraries/amsterdam/members/${member.accountId}?reason=desk_question`, cookies });
    assert.equal(view.statusCode, 404);
    const atA = await t.app.inject({ url: '/api/v1/libraries/utrecht/members?q=alleenbijutrecht', cookies });
    assert.equal(atA.statusCode, 403);
    const amsterdam = await t.db.kysely.selectFrom('library').select('id').where('slug', '=', 'amsterdam').executeTakeFirstOrThrow();
    const direct = await inTenant(t.db.kysely, amsterdam.id, (tx) => tx.selectFrom('memberProfile').selectAll().where('accountId', '=', member.accountId).execute());
    assert.deepEqual(direct, []);
  });

  test('members cannot search members; library admins read the audit trail only after a second factor', async () => {
    const { cookies } = await signUpAndLogin();
    assert.equal((await t.app.inject({ url: '/api/v1/libraries/utrecht/members?q=anna', cookies })).statusCode, 403);
    const admin = await buildAccount(t, { librarySlug: 'utrecht' });
    await grantStaff(t, admin.id, 'utrecht', 'library_admin');
    const noMfa = await t.app.inject({ url: '/api/v1/libraries/utrecht/audit', cookies: await signIn(t, admin.id) });
    assert.equal(noMfa.statusCode, 403);
    assert.equal(noMfa.json().code, 'ACCOUNTS_SECOND_FACTOR_REQUIRED');
    const withMfa = await t.app.inject({ url: '/api/v1/libraries/utrecht/audit', cookies: await signIn(t, admin.id, { mfa: true }) });
    assert.equal(withMfa.statusCode, 200);
    assert.ok(withMfa.json().events.some((e: { action: string }) => e.action === 'account.signup'));
    const desk = await buildAccount(t, { librarySlug: 'utrecht' });
    await grantStaff(t, desk.id, 'utrecht', 'desk');
    assert.equal((await t.app.inject({ url: '/api/v1/libraries/utrecht/audit', cookies: await signIn(t, desk.id, { mfa: true }) })).statusCode, 403);
  });
});

describe('privacy of the logs', () => {
  test('no password, PIN, token, e-mail address or name appears in the logs of this file', () => {
    const text = t.logs.join('\n');
    assert.ok(text.length > 0);
    // PINs as JSON strings: bare digits also turn up by chance inside request ids and timings
    for (const secret of [PASSWORD, '"4821"', '"7319"', 'een heel ander lang wachtwoord', '@example.org', 'Achternaamtest', 'de Vries', 'token=']) {
      assert.ok(!text.includes(secret), `"${secret}" leaked into the logs`);
    }
  });
});

describe('life events', () => {
  test('a connected user becomes a member with the same card, and a fee charge', async () => {
    const email = uniqueEmail();
    await post('/api/v1/accounts', { postcode: '3512', plan: 'verbonden', email, password: PASSWORD, givenName: 'Cas', familyName: 'Connected' });
    const cookies = cookieOf(await post('/api/v1/session', { email, password: PASSWORD }));
    const before = (await t.app.inject({ url: '/api/v1/me', cookies })).json();
    assert.equal(before.membership.kind, 'connected');
    const incomplete = await t.app.inject({ method: 'POST', url: '/api/v1/me/membership', cookies, payload: { plan: 'volwassen', birthDate: '1980-01-01', pin: '5937', postcode: '3512', street: 'Neude', houseNumber: '1', city: 'Utrecht' } });
    assert.equal(incomplete.statusCode, 422);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/membership', cookies, payload: { plan: 'volwassen', birthDate: '1980-01-01', pin: '5937', postcode: '3512 JK', street: 'Neude', houseNumber: '1', city: 'Utrecht' } });
    assert.equal(res.statusCode, 204, res.body);
    const after = (await t.app.inject({ url: '/api/v1/me', cookies })).json();
    assert.equal(after.membership.kind, 'lending');
    assert.equal(after.membership.cardNumber, before.membership.cardNumber);
    assert.equal(after.charges.length, 1);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/me/membership', cookies, payload: { plan: 'basis', birthDate: '1980-01-01', pin: '5937', postcode: '3512 JK', street: 'Neude', houseNumber: '1', city: 'Utrecht' } });
    assert.equal(again.statusCode, 409);
  });

  test('moving to another library\'s area moves the membership there after confirmation; both libraries see it', async () => {
    const { cookies, accountId } = await signUpAndLogin({ consents: { reading_history: true, research: true } });
    const move = { postcode: '1011 AB', street: 'Damrak', houseNumber: '1', city: 'Amsterdam' };
    const ask = await t.app.inject({ method: 'POST', url: '/api/v1/me/move', cookies, payload: move });
    assert.deepEqual(ask.json(), { status: 'confirm_transfer', library: { slug: 'amsterdam', name: 'Bibliotheek Amsterdam' }, municipality: { code: 'GM0363', name: 'Amsterdam' } });
    const home = await t.db.kysely.selectFrom('account').select('homeLibraryId').where('id', '=', accountId).executeTakeFirstOrThrow();
    const done = await t.app.inject({ method: 'POST', url: '/api/v1/me/move', cookies, payload: { ...move, confirm: true } });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().status, 'transferred');
    const libs = Object.fromEntries((await t.db.kysely.selectFrom('library').select(['slug', 'id', 'cardPrefix']).where('slug', 'in', ['utrecht', 'amsterdam']).execute()).map((l) => [l.slug, l]));
    assert.equal(home.homeLibraryId, libs.utrecht!.id);
    const account = await t.db.kysely.selectFrom('account').select('homeLibraryId').where('id', '=', accountId).executeTakeFirstOrThrow();
    assert.equal(account.homeLibraryId, libs.amsterdam!.id);
    const memberships = await t.db.kysely.selectFrom('membership').select(['libraryId', 'status', 'cardNumber']).where('accountId', '=', accountId).orderBy('createdAt').execute();
    assert.deepEqual(memberships.map((m) => [m.libraryId, m.status]), [[libs.utrecht!.id, 'transferred'], [libs.amsterdam!.id, 'active']]);
    assert.ok(memberships[1]!.cardNumber.startsWith(libs.amsterdam!.cardPrefix!));
    const profiles = await t.db.kysely.selectFrom('memberProfile').select(['libraryId', 'city']).where('accountId', '=', accountId).execute();
    assert.deepEqual(profiles, [{ libraryId: libs.amsterdam!.id, city: 'Amsterdam' }], 'personal data lives only at the new home library');
    const consents = await t.db.kysely.selectFrom('consent').select(['libraryId', 'purpose', 'granted']).where('accountId', '=', accountId).where('granted', '=', true).execute();
    assert.deepEqual(consents.map((c) => [c.libraryId, c.purpose]).sort(), [[libs.amsterdam!.id, 'reading_history'], [libs.amsterdam!.id, 'research']]);
    const audit = await t.db.kysely.selectFrom('auditEvent').select(['libraryId', 'action']).where('subjectAccountId', '=', accountId).where('action', 'like', 'membership.transferred%').execute();
    assert.deepEqual(audit.map((a) => [a.libraryId, a.action]).sort(), [[libs.amsterdam!.id, 'membership.transferred_in'], [libs.utrecht!.id, 'membership.transferred_out']].sort());
    const charges = await t.db.kysely.selectFrom('charge').select('libraryId').where('accountId', '=', accountId).execute();
    assert.deepEqual(charges.map((c) => c.libraryId), [libs.utrecht!.id], 'open charges stay with the old library');
    // the member's own view (a new request reloads the session's home library)
    const me = (await t.app.inject({ url: '/api/v1/me', cookies })).json();
    assert.equal(me.homeLibraryId, libs.amsterdam!.id);
    assert.equal(me.profile.city, 'Amsterdam');
  });

  test('a move within the same area only changes the address', async () => {
    const { cookies, accountId } = await signUpAndLogin();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/move', cookies, payload: { postcode: '3581 AB', street: 'Biltstraat', houseNumber: '5', city: 'Utrecht' } });
    assert.deepEqual(res.json(), { status: 'address_updated' });
    const profile = await t.db.kysely.selectFrom('memberProfile').select(['street', 'postcode']).where('accountId', '=', accountId).executeTakeFirstOrThrow();
    assert.deepEqual(profile, { street: 'Biltstraat', postcode: '3581 AB' });
  });

  test('stopping borrowing keeps a free connected account', async () => {
    const { cookies } = await signUpAndLogin();
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/me/membership/stop', cookies })).statusCode, 204);
    const me = (await t.app.inject({ url: '/api/v1/me', cookies })).json();
    assert.equal(me.membership.kind, 'connected');
    assert.equal(me.membership.includesDigital, false);
  });
});

describe('plans', () => {
  const student = { code: 'student', nameNl: 'Studenten', nameEn: 'Students', kind: 'lending', yearlyFeeCents: 2500, minAge: 16, maxAge: 30, maxPhysicalLoans: 10, maxDigitalLoans: 5, maxHolds: 5, loanPeriodDays: 28 };

  test('a library admin adds and changes a plan; members can then choose it', async () => {
    const admin = await buildAccount(t, { librarySlug: 'nijmegen' });
    await grantStaff(t, admin.id, 'nijmegen', 'library_admin');
    const cookies = await signIn(t, admin.id, { mfa: true });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/nijmegen/plans', cookies, payload: student });
    assert.equal(created.statusCode, 201, created.body);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/nijmegen/plans', cookies, payload: student });
    assert.equal(again.statusCode, 409);
    const { code: _c, ...rest } = student;
    const changed = await t.app.inject({ method: 'PUT', url: '/api/v1/libraries/nijmegen/plans/student', cookies, payload: { ...rest, yearlyFeeCents: 2000 } });
    assert.equal(changed.statusCode, 204);
    const list = (await t.app.inject({ url: '/api/v1/libraries/nijmegen/plans' })).json().plans;
    const plan = list.find((p: { code: string }) => p.code === 'student');
    assert.equal(plan.yearlyFeeCents, 2000);
    assert.equal(plan.includesDigital, true);
    // other libraries do not get it
    assert.ok(!(await t.app.inject({ url: '/api/v1/libraries/utrecht/plans' })).json().plans.some((p: { code: string }) => p.code === 'student'));
    const signup = await post('/api/v1/accounts', adult({ postcode: '6511 AB', plan: 'student', birthDate: '2004-05-05' }));
    assert.equal(signup.statusCode, 202, signup.body);
  });

  test('a lending plan without digital loans is refused: there is no physical-only membership', async () => {
    const admin = await buildAccount(t, { librarySlug: 'nijmegen' });
    await grantStaff(t, admin.id, 'nijmegen', 'library_admin');
    const cookies = await signIn(t, admin.id, { mfa: true });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/libraries/nijmegen/plans', cookies, payload: { ...student, code: 'alleen-papier', maxDigitalLoans: 0 } });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().errors[0].field, 'maxDigitalLoans');
    const desk = await buildAccount(t, { librarySlug: 'nijmegen' });
    await grantStaff(t, desk.id, 'nijmegen', 'desk');
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/libraries/nijmegen/plans', cookies: await signIn(t, desk.id), payload: { ...student, code: 'balie' } })).statusCode, 403);
  });
});
