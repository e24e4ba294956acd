// The authorisation matrix of the accounts and membership API: every route, every kind of actor.
// A route of these modules that is missing from the matrix fails the test, so a new route cannot
// ship without deciding who may call it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../support/app.ts';
import { buildAccount, grantStaff, signIn } from '../support/auth.ts';

let t: TestApp;
const ACTORS = ['anonymous', 'memberA', 'otherMemberA', 'memberB', 'deskA', 'deskB', 'adminA', 'networkStaff', 'municipalityViewer'] as const;
type Actor = (typeof ACTORS)[number];
const accountOf: Partial<Record<Actor, string>> = {};

async function member(slug: string, postcode: string): Promise<string> {
  const email = `matrix${process.pid}.${Math.random().toString(36).slice(2)}@example.org`;
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
    postcode, plan: 'volwassen', email, password: 'matrix wachtwoord lang genoeg', givenName: 'M', familyName: slug,
    birthDate: '1980-01-01', street: 'Straat', houseNumber: '1', city: 'Stad', pin: '5937',
  } });
  assert.equal(res.statusCode, 202, res.body);
  return (await t.db.kysely.selectFrom('account').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

before(async () => {
  t = await testApp();
  accountOf.memberA = await member('utrecht', '3512 JK');
  accountOf.otherMemberA = await member('utrecht', '3581 AB');
  accountOf.memberB = await member('amsterdam', '1011 AB');
  for (const [actor, slug, role] of [['deskA', 'utrecht', 'desk'], ['deskB', 'amsterdam', 'desk'], ['adminA', 'utrecht', 'library_admin']] as const) {
    const a = await buildAccount(t, { librarySlug: slug });
    await grantStaff(t, a.id, slug, role);
    accountOf[actor] = a.id;
  }
  const ns = await buildAccount(t, { librarySlug: 'utrecht' });
  await sql`insert into network_role (account_id, role) values (${ns.id}, 'network_staff')`.execute(t.db.kysely);
  accountOf.networkStaff = ns.id;
  const mv = await buildAccount(t, { librarySlug: 'utrecht' });
  await sql`insert into network_role (account_id, role, municipality_code) values (${mv.id}, 'municipality_viewer', 'GM0344')`.execute(t.db.kysely);
  accountOf.municipalityViewer = mv.id;
});
after(async () => { await t.close(); });

type Expect = number | Partial<Record<Actor | 'members' | 'staff' | 'accounts', number>>;
interface Case { method: string; url: string; route: string; payload?: () => object; expect: Expect }

/** Resolves the expected status of an actor: own key, then group, then the default. */
function expected(e: Expect, actor: Actor): number {
  if (typeof e === 'number') return e;
  const members = ['memberA', 'otherMemberA', 'memberB'];
  const staff = ['deskA', 'deskB', 'adminA', 'networkStaff', 'municipalityViewer'];
  const v = e[actor] ?? (members.includes(actor) ? e.members : undefined) ?? (staff.includes(actor) ? e.staff : undefined) ?? (actor !== 'anonymous' ? e.accounts : undefined);
  if (v === undefined) throw new Error(`no expectation for ${actor}`);
  return v;
}

const signedIn = (ok: number) => ({ anonymous: 401, accounts: ok });
const staffOnlyA = { anonymous: 401, members: 403, deskA: 200, deskB: 403, adminA: 200, networkStaff: 403, municipalityViewer: 403 };

const CASES: Case[] = [
  { method: 'POST', url: '/api/v1/session', route: 'POST /api/v1/session', payload: () => ({ email: `niemand${Math.random()}@example.org`, password: 'verkeerd verkeerd' }), expect: 401 },
  { method: 'DELETE', url: '/api/v1/session', route: 'DELETE /api/v1/session', expect: signedIn(204) },
  { method: 'GET', url: '/api/v1/me/sessions', route: 'GET /api/v1/me/sessions', expect: signedIn(200) },
  { method: 'DELETE', url: '/api/v1/me/sessions', route: 'DELETE /api/v1/me/sessions', expect: signedIn(200) },
  { method: 'POST', url: '/api/v1/password-reset', route: 'POST /api/v1/password-reset', payload: () => ({ email: 'iemand@example.org' }), expect: 202 },
  { method: 'POST', url: '/api/v1/password-reset/confirm', route: 'POST /api/v1/password-reset/confirm', payload: () => ({ token: 'x', password: 'een lang genoeg wachtwoord' }), expect: 410 },
  { method: 'POST', url: '/api/v1/accounts/verification', route: 'POST /api/v1/accounts/verification', payload: () => ({ token: 'x' }), expect: 410 },
  { method: 'POST', url: '/api/v1/me/second-factor', route: 'POST /api/v1/me/second-factor', payload: () => ({ code: '000000' }), expect: signedIn(400) },
  { method: 'GET', url: '/api/v1/libraries/utrecht/plans', route: 'GET /api/v1/libraries/:slug/plans', expect: 200 },
  { method: 'POST', url: '/api/v1/libraries/utrecht/plans', route: 'POST /api/v1/libraries/:slug/plans', payload: () => ({ code: 'matrix', nameNl: 'Matrix', nameEn: 'Matrix', kind: 'connected', yearlyFeeCents: 0, minAge: null, maxAge: null, maxPhysicalLoans: 0, maxDigitalLoans: 0, maxHolds: 0, loanPeriodDays: 21 }),
    expect: { anonymous: 401, members: 403, deskA: 403, deskB: 403, adminA: 201, networkStaff: 403, municipalityViewer: 403 } },
  { method: 'PUT', url: '/api/v1/libraries/utrecht/plans/basis', route: 'PUT /api/v1/libraries/:slug/plans/:code', payload: () => ({ nameNl: 'Basis', nameEn: 'Basic', kind: 'lending', yearlyFeeCents: 3000, minAge: 18, maxAge: null, maxPhysicalLoans: 5, maxDigitalLoans: 5, maxHolds: 3, loanPeriodDays: 21 }),
    expect: { anonymous: 401, members: 403, deskA: 403, deskB: 403, adminA: 204, networkStaff: 403, municipalityViewer: 403 } },
  { method: 'POST', url: '/api/v1/accounts', route: 'POST /api/v1/accounts', payload: () => ({ postcode: '3512 JK', plan: 'goud', email: 'x@example.org', password: 'lang genoeg wachtwoord', givenName: 'x', familyName: 'y' }), expect: 422 },
  { method: 'GET', url: '/api/v1/me', route: 'GET /api/v1/me', expect: signedIn(200) },
  { method: 'PUT', url: '/api/v1/me/consents', route: 'PUT /api/v1/me/consents', payload: () => ({ newsletter: true }), expect: signedIn(204) },
  { method: 'GET', url: '/api/v1/me/export', route: 'GET /api/v1/me/export', expect: signedIn(200) },
  { method: 'POST', url: '/api/v1/me/deletion', route: 'POST /api/v1/me/deletion', expect: signedIn(202) },
  { method: 'DELETE', url: '/api/v1/me/deletion', route: 'DELETE /api/v1/me/deletion', expect: signedIn(204) },
  { method: 'POST', url: '/api/v1/me/membership', route: 'POST /api/v1/me/membership', payload: () => ({ plan: 'volwassen', birthDate: '1980-01-01', pin: '5937', postcode: '3512', street: 'x', houseNumber: '1', city: 'Utrecht' }), expect: signedIn(422) },
  { method: 'POST', url: '/api/v1/me/move', route: 'POST /api/v1/me/move', payload: () => ({ postcode: '3512', street: 'x', houseNumber: '1', city: 'y' }), expect: signedIn(422) },
  // staff accounts have no membership to change (422); members stop borrowing (204) — last, it changes their plan
  { method: 'GET', url: '/api/v1/libraries/utrecht/members?q=utrecht', route: 'GET /api/v1/libraries/:slug/members', expect: staffOnlyA },
  { method: 'GET', url: '/api/v1/libraries/utrecht/members/{memberA}?reason=desk_question', route: 'GET /api/v1/libraries/:slug/members/:accountId', expect: staffOnlyA },
  { method: 'GET', url: '/api/v1/libraries/amsterdam/members/{memberA}?reason=desk_question', route: 'GET /api/v1/libraries/:slug/members/:accountId', expect: { anonymous: 401, members: 403, deskA: 403, deskB: 404, adminA: 403, networkStaff: 403, municipalityViewer: 403 } },
  { method: 'GET', url: '/api/v1/libraries/utrecht/audit', route: 'GET /api/v1/libraries/:slug/audit', expect: { anonymous: 401, members: 403, deskA: 403, deskB: 403, adminA: 200, networkStaff: 403, municipalityViewer: 403 } },
  // network staff only, and only with a second factor: networkStaff here has none (403 ACCOUNTS_SECOND_FACTOR_REQUIRED); the allowed path is in oidc.db.test.ts
  { method: 'POST', url: '/api/v1/oidc/clients', route: 'POST /api/v1/oidc/clients', payload: () => ({ name: 'Matrix', redirectUris: ['https://dienst.example/cb'] }), expect: { anonymous: 401, members: 403, staff: 403 } },
  { method: 'POST', url: '/api/v1/me/membership/stop', route: 'POST /api/v1/me/membership/stop', expect: { anonymous: 401, members: 204, staff: 422 } },
];

test('every accounts and membership API route is in the authorisation matrix', () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, { tags?: string[] }>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops)
    .filter(([, op]) => op.tags?.some((tag) => tag === 'accounts' || tag === 'membership'))
    .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  const covered = new Set(CASES.map((c) => c.route));
  assert.deepEqual(routes.filter((r) => !covered.has(r)), [], 'routes missing from the matrix');
  assert.ok(routes.length >= 20, routes.join('\n'));
});

test('each actor gets exactly the expected answer on each route', async () => {
  const failures: string[] = [];
  for (const c of CASES) {
    for (const actor of ACTORS) {
      const cookies = actor === 'anonymous' ? undefined : await signIn(t, accountOf[actor]!, { mfa: actor === 'adminA' });
      const url = c.url.replace('{memberA}', accountOf.memberA!);
      const res = await t.app.inject({ method: c.method as 'GET', url, cookies, ...(c.payload ? { payload: c.payload() } : {}) });
      const want = expected(c.expect, actor);
      if (res.statusCode !== want) failures.push(`${c.method} ${url} as ${actor}: ${res.statusCode}, expected ${want} ${res.body.slice(0, 400)}`);
    }
  }
  assert.deepEqual(failures, []);
});
