// The authorisation matrix of the catalogue API: every route, every kind of actor. A catalogue
// route missing from the matrix fails the test, so a new route cannot ship without deciding who
// may call it. Staff writes belong to the library's librarians and admins (admins with a second
// factor); desk staff, members, other libraries' staff and visitors get 401/403, and another
// library's local title or copy does not exist for a library (404).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { buildAccount, grantStaff, signIn } from '../support/auth.ts';
import { buildItem, buildTitle, libraryId } from '../support/catalogue-factory.ts';
import { makeBarcodeForTest } from '../support/barcode.ts';

let t: TestApp;
const ACTORS = ['anonymous', 'memberA', 'deskA', 'librarianA', 'adminA', 'adminWithoutSecondFactorA', 'librarianB'] as const;
type Actor = (typeof ACTORS)[number];
const cookies: Partial<Record<Actor, Record<string, string>>> = {};
const ids: Record<string, string> = {};

before(async () => {
  t = await testApp();
  const staff: [Actor, string, 'desk' | 'librarian' | 'library_admin' | null][] = [
    ['memberA', 'utrecht', null], ['deskA', 'utrecht', 'desk'], ['librarianA', 'utrecht', 'librarian'], ['adminA', 'utrecht', 'library_admin'],
    ['adminWithoutSecondFactorA', 'utrecht', 'library_admin'], ['librarianB', 'amsterdam', 'librarian'],
  ];
  for (const [actor, slug, role] of staff) {
    const a = await buildAccount(t, { librarySlug: slug });
    if (role) await grantStaff(t, a.id, slug, role);
    cookies[actor] = await signIn(t, a.id, { mfa: actor === 'adminA' });
  }
  const utrecht = await libraryId(t.db.kysely, 'utrecht');
  const national = await buildTitle(t.db.kysely, { title: 'Matrixtitel' });
  const local = await buildTitle(t.db.kysely, { title: 'Lokale matrixtitel', ownerLibraryId: utrecht, source: 'local' });
  ids.national = national.id;
  ids.local = local.id;
  ids.item = (await buildItem(t.db.kysely, utrecht, { titleId: national.id })).id;
  ids.withdrawn = (await buildItem(t.db.kysely, utrecht, { titleId: national.id })).id;
});
after(async () => { await t.close(); });

type Expect = Partial<Record<Actor, number>> & { others?: number };
interface Case { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; route: string; payload?: () => object; expect: number | Expect }

/** Only the library's librarians and admins with a second factor; everyone else by kind. */
const curatorsA = (ok: number): Expect => ({ anonymous: 401, memberA: 403, deskA: 403, librarianA: ok, adminA: ok, adminWithoutSecondFactorA: 403, librarianB: 403 });
const titleBody = () => ({ title: 'Matrix lokaal', format: 'book', isbn: '0-306-40615-2' });

const CASES: Case[] = [
  { method: 'GET', url: '/api/v1/libraries/utrecht/titles/{national}', route: 'GET /api/v1/libraries/:slug/titles/:id', expect: 200 },
  { method: 'GET', url: '/api/v1/libraries/utrecht/titles/{local}', route: 'GET /api/v1/libraries/:slug/titles/:id', expect: 200 },
  { method: 'GET', url: '/api/v1/libraries/amsterdam/titles/{local}', route: 'GET /api/v1/libraries/:slug/titles/:id', expect: 404 },
  { method: 'GET', url: '/api/v1/libraries/utrecht/titles/{national}/items', route: 'GET /api/v1/libraries/:slug/titles/:id/items', expect: 200 },
  { method: 'GET', url: '/api/v1/libraries/utrecht/items/{item}', route: 'GET /api/v1/libraries/:slug/items/:id', expect: 200 },
  { method: 'GET', url: '/api/v1/libraries/amsterdam/items/{item}', route: 'GET /api/v1/libraries/:slug/items/:id', expect: 404 },
  { method: 'GET', url: '/api/v1/libraries/utrecht/marcxml?id={national}', route: 'GET /api/v1/libraries/:slug/marcxml', expect: 200 },
  { method: 'POST', url: '/api/v1/libraries/utrecht/titles', route: 'POST /api/v1/libraries/:slug/titles', payload: titleBody, expect: curatorsA(201) },
  { method: 'PUT', url: '/api/v1/libraries/utrecht/titles/{local}', route: 'PUT /api/v1/libraries/:slug/titles/:id', payload: titleBody, expect: curatorsA(200) },
  // national titles are read-only even for the library's own librarians
  { method: 'PUT', url: '/api/v1/libraries/utrecht/titles/{national}', route: 'PUT /api/v1/libraries/:slug/titles/:id', payload: titleBody, expect: curatorsA(403) },
  // Utrecht's local title through Amsterdam: Amsterdam's librarian finds nothing there
  { method: 'PUT', url: '/api/v1/libraries/amsterdam/titles/{local}', route: 'PUT /api/v1/libraries/:slug/titles/:id', payload: titleBody,
    expect: { anonymous: 401, memberA: 403, deskA: 403, librarianA: 403, adminA: 403, adminWithoutSecondFactorA: 403, librarianB: 404 } },
  { method: 'POST', url: '/api/v1/libraries/utrecht/items', route: 'POST /api/v1/libraries/:slug/items',
    payload: () => ({ titleId: ids.national, branch: 'noord', barcode: makeBarcodeForTest(), shelf: 'R MAT' }), expect: curatorsA(201) },
  { method: 'PATCH', url: '/api/v1/libraries/utrecht/items/{item}', route: 'PATCH /api/v1/libraries/:slug/items/:id', payload: () => ({ shelf: 'R MATRIX' }), expect: curatorsA(200) },
  { method: 'PATCH', url: '/api/v1/libraries/amsterdam/items/{item}', route: 'PATCH /api/v1/libraries/:slug/items/:id', payload: () => ({ shelf: 'weg' }),
    expect: { anonymous: 401, memberA: 403, deskA: 403, librarianA: 403, adminA: 403, adminWithoutSecondFactorA: 403, librarianB: 404 } },
  // withdrawing is idempotent: the second curator finds it withdrawn already (204)
  { method: 'DELETE', url: '/api/v1/libraries/utrecht/items/{withdrawn}', route: 'DELETE /api/v1/libraries/:slug/items/:id', expect: curatorsA(204) },
  { method: 'DELETE', url: '/api/v1/libraries/amsterdam/items/{item}', route: 'DELETE /api/v1/libraries/:slug/items/:id',
    expect: { anonymous: 401, memberA: 403, deskA: 403, librarianA: 403, adminA: 403, adminWithoutSecondFactorA: 403, librarianB: 404 } },
];

test('every catalogue API route is in the authorisation matrix', () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, { tags?: string[] }>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops)
    .filter(([, op]) => op.tags?.includes('catalogue'))
    .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  const covered = new Set(CASES.map((c) => c.route));
  assert.deepEqual(routes.filter((r) => !covered.has(r)), [], 'routes missing from the matrix');
  assert.ok(routes.length >= 9, routes.join('\n'));
});

test('each actor gets exactly the expected answer on each catalogue route', async () => {
  const failures: string[] = [];
  for (const c of CASES) {
    for (const actor of ACTORS) {
      const url = c.url.replace(/\{(\w+)\}/g, (_, key: string) => ids[key]!);
      const res = await t.app.inject({ method: c.method, url, cookies: cookies[actor], ...(c.payload ? { payload: c.payload() } : {}) });
      const want = typeof c.expect === 'number' ? c.expect : c.expect[actor] ?? c.expect.others;
      if (res.statusCode !== want) failures.push(`${c.method} ${url} as ${actor}: ${res.statusCode}, expected ${want} ${res.body.slice(0, 300)}`);
    }
  }
  assert.deepEqual(failures, []);
});
