// The network end to end over HTTP (app.inject): postcode routing for every PC4 area, the demo
// network's coverage, the national finder and the branded portal shell.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { brandProblems } from './branding.ts';

let t: TestApp;
before(async () => { t = await testApp(); });
after(async () => { await t.close(); });

const html = { accept: 'text/html' };

describe('postcode routing', () => {
  test('every one of the 4,074 PC4 areas routes to its library, or gets a clear 404 when it has no municipality', async () => {
    const areas = await t.db.kysely.selectFrom('postcodeArea').select(['pc4', 'municipalityCode']).execute();
    assert.equal(areas.length, 4074);
    const served = new Map((await t.db.kysely.selectFrom('libraryServiceArea as s').innerJoin('library as l', 'l.id', 's.libraryId')
      .select(['s.municipalityCode', 'l.slug']).execute()).map((r) => [r.municipalityCode, r.slug]));
    let routed = 0;
    for (const area of areas) {
      const res = await t.app.inject({ url: `/api/v1/route?postcode=${area.pc4}` });
      if (area.municipalityCode) {
        assert.equal(res.statusCode, 200, `PC4 ${area.pc4}`);
        const body = res.json();
        assert.equal(body.municipality.code, area.municipalityCode);
        assert.equal(body.library.slug, served.get(area.municipalityCode));
        routed++;
      } else {
        assert.equal(res.statusCode, 404, `PC4 ${area.pc4}`);
        assert.equal(res.json().code, 'NETWORK_POSTCODE_NOT_RESIDENTIAL');
      }
    }
    assert.equal(routed, 4053);
  });

  test('3511AB, 3511 ab, " 3511 " and 3511 give the same answer', async () => {
    const answers = await Promise.all(['3511AB', '3511%20ab', '%203511%20', '3511'].map(async (p) =>
      (await t.app.inject({ url: `/api/v1/route?postcode=${p}` })).json()));
    for (const a of answers) {
      assert.equal(a.library.slug, 'utrecht');
      assert.deepEqual(a.municipality, { code: 'GM0344', name: 'Utrecht' });
      assert.equal(a.library.url, `${t.config.publicUrl}/utrecht/`);
    }
    assert.equal(answers[0].postcode, '3511 AB');
    assert.equal(answers[3].postcode, '3511');
  });

  test('merged municipalities route by their 2023 code (Weesp → Amsterdam, Haaren split per PC4)', async () => {
    const weesp = (await t.app.inject({ url: '/api/v1/route?postcode=1381' })).json();
    assert.equal(weesp.municipality.code, 'GM0363');
    assert.equal(weesp.library.slug, 'amsterdam');
    const helvoirt = (await t.app.inject({ url: '/api/v1/route?postcode=5268' })).json();
    assert.equal(helvoirt.municipality.name, 'Vught');
  });

  test('malformed postcodes are a 400 problem naming the field; unknown ones a 404', async () => {
    for (const bad of ['', 'abc', '0123', '12345', '3511SA', '3511 ABC', '<script>']) {
      const res = await t.app.inject({ url: `/api/v1/route?postcode=${encodeURIComponent(bad)}` });
      assert.equal(res.statusCode, 400, bad);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      const body = res.json();
      assert.equal(body.code, 'NETWORK_POSTCODE_INVALID');
      assert.equal(body.errors[0].field, 'postcode');
    }
    const missing = await t.app.inject({ url: '/api/v1/route' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'VALIDATION_FAILED');
    const unknown = await t.app.inject({ url: '/api/v1/route?postcode=1000' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'NETWORK_POSTCODE_UNKNOWN');
    const english = await t.app.inject({ url: '/api/v1/route?postcode=1000&lang=en' });
    assert.match(english.json().title, /We do not know postcode 1000/);
  });
});

describe('the demo network', () => {
  test('every municipality of the Netherlands is served by exactly one library', async () => {
    const { rows } = await sql<{ code: string; n: number }>`
      select m.code, count(s.library_id)::int as n from municipality m
      left join library_service_area s on s.municipality_code = m.code group by m.code`.execute(t.db.kysely);
    assert.equal(rows.length, 342);
    assert.deepEqual(rows.filter((r) => r.n !== 1), []);
  });

  test('each library has 1–8 branches, all in its own municipalities, and a brand that passes contrast', async () => {
    const libraries = await t.db.kysely.selectFrom('library').select(['id', 'slug', 'brand', 'logoSvg']).execute();
    assert.ok(libraries.length >= 12);
    const brands = new Set<string>();
    for (const l of libraries) {
      const { rows } = await sql<{ n: number; outside: number }>`
        select count(*)::int as n,
          count(*) filter (where b.municipality_code not in (select municipality_code from library_service_area where library_id = b.library_id))::int as outside
        from branch b where b.library_id = ${l.id}`.execute(t.db.kysely);
      assert.ok(rows[0]!.n >= 1 && rows[0]!.n <= 8, `${l.slug}: ${rows[0]!.n} branches`);
      assert.equal(rows[0]!.outside, 0, `${l.slug}: branches outside its area`);
      assert.deepEqual(brandProblems(l.brand), [], l.slug);
      assert.match(l.logoSvg, /^<svg [^>]*aria-hidden="true"/);
      brands.add(l.brand.primary);
    }
    assert.equal(brands.size, libraries.length, 'every library has its own colour');
  });

  test('municipal inhabitants come from the PC4 areas (CBS)', async () => {
    const amsterdam = await t.db.kysely.selectFrom('municipality').selectAll().where('code', '=', 'GM0363').executeTakeFirstOrThrow();
    assert.ok(amsterdam.inhabitants! > 800_000 && amsterdam.inhabitants! < 1_000_000, String(amsterdam.inhabitants));
  });
});

describe('the national entry', () => {
  test('lists every library and filters by library or municipality name', async () => {
    const all = await t.app.inject({ url: '/', headers: html });
    assert.equal(all.statusCode, 200);
    assert.equal((all.body.match(/class="utrecht-link" href="http:\/\/localhost:\d+\/[a-z-]+\/"/g) ?? []).length, 22);
    const weesp = await t.app.inject({ url: '/?q=weesp', headers: html });
    assert.match(weesp.body, /Bibliotheek Amsterdam/);
    assert.doesNotMatch(weesp.body, /Bibliotheek Rotterdam/);
    const frysl = await t.app.inject({ url: '/?q=fryslan', headers: html });
    assert.match(frysl.body, /Bibliotheek Fryslân/);
  });

  test('a postcode sends the visitor to the local portal', async () => {
    const res = await t.app.inject({ url: '/?postcode=3511+AB', headers: html });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${t.config.publicUrl}/utrecht/`);
  });

  test('a bad postcode is explained next to the field, keeping what was typed', async () => {
    const res = await t.app.inject({ url: '/?postcode=35x', headers: html });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="postcode-error"[^>]*>Vul een geldige postcode in/);
    assert.match(res.body, /aria-invalid="true"/);
    assert.match(res.body, /value="35x"/);
    const boxOnly = await t.app.inject({ url: '/?postcode=1099', headers: html });
    assert.equal(boxOnly.statusCode, 404);
    assert.match(boxOnly.body, /postbus- of bedrijvenpostcode/);
  });

  test('an unknown library is a 404 page in the national style with a link to the finder', async () => {
    const res = await t.app.inject({ url: '/bibliotheek-nergens/', headers: html });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /Openbare bibliotheken in Nederland/);
    assert.match(res.body, /href="\/"[^>]*>Vind uw bibliotheek/);
    assert.doesNotMatch(res.body, /theme\.css/);
  });
});

describe('the branded portal', () => {
  test("every library's home, branches and branch pages render in its own brand", async () => {
    const { libraries } = (await t.app.inject({ url: '/api/v1/libraries' })).json();
    for (const l of libraries) {
      const home = await t.app.inject({ url: `/${l.slug}/`, headers: html });
      assert.equal(home.statusCode, 200, l.slug);
      assert.match(home.body, new RegExp(`<h1 class="utrecht-heading-1">${l.name}</h1>`));
      assert.match(home.body, new RegExp(`href="/${l.slug}/theme.css"`));
      const detail = (await t.app.inject({ url: `/api/v1/libraries/${l.slug}` })).json();
      assert.ok(detail.branches.length >= 1);
      const branch = await t.app.inject({ url: `/${l.slug}/vestigingen/${detail.branches[0].slug}`, headers: html });
      assert.equal(branch.statusCode, 200);
      assert.match(branch.body, /application\/ld\+json/);
      const css = await t.app.inject({ url: `/${l.slug}/theme.css` });
      assert.match(css.body, new RegExp(`--eb-primary: ${detail.brand.primary}`));
    }
  });

  test('branch pages show weekly hours, today\'s state and holiday exceptions', async () => {
    const detail = (await t.app.inject({ url: '/api/v1/libraries/utrecht' })).json();
    const b = detail.branches[0];
    assert.ok(b.weekly.length >= 5);
    assert.equal(typeof b.openNow, 'boolean');
    const page = await t.app.inject({ url: `/utrecht/vestigingen/${b.slug}`, headers: html });
    assert.match(page.body, /Openingstijden per week/);
    assert.match(page.body, /maandag/);
    assert.match(page.body, /Nu (open|gesloten)|Vandaag gesloten/);
  });

  test('the language switch keeps the page and sticks through a cookie', async () => {
    const res = await t.app.inject({ url: '/utrecht/vestigingen?lang=en', headers: html });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="en">/);
    assert.match(res.body, /Branches and opening hours/);
    assert.match(res.body, /href="\/utrecht\/vestigingen\?lang=nl"/);
    const cookie = res.cookies.find((c) => c.name === 'eb_lang');
    assert.equal(cookie?.value, 'en');
    const next = await t.app.inject({ url: '/utrecht/', headers: html, cookies: { eb_lang: 'en' } });
    assert.match(next.body, /<html lang="en">/);
  });

  test('footer links to privacy statement, accessibility statement and contact, which exist', async () => {
    const home = await t.app.inject({ url: '/amsterdam/', headers: html });
    for (const path of ['privacy', 'toegankelijkheid', 'contact']) {
      assert.match(home.body, new RegExp(`href="/amsterdam/${path}"`));
      const page = await t.app.inject({ url: `/amsterdam/${path}`, headers: html });
      assert.equal(page.statusCode, 200, path);
    }
  });

  test('an unknown branch is a 404 page in the library brand', async () => {
    const res = await t.app.inject({ url: '/utrecht/vestigingen/nergens', headers: html });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /Bibliotheek Utrecht/);
    assert.match(res.body, /href="\/utrecht\/theme.css"/);
  });
});

describe('a library on its own host name', () => {
  test('serves the same portal at / with links without the slug', async () => {
    const own = await testApp({ hostLibraries: { 'www.bieb-utrecht.example': 'utrecht' } });
    try {
      const home = await own.app.inject({ url: '/', headers: { ...html, host: 'www.bieb-utrecht.example' } });
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /<h1 class="utrecht-heading-1">Bibliotheek Utrecht<\/h1>/);
      assert.match(home.body, /href="\/vestigingen"/);
      assert.match(home.body, /href="\/theme.css"/);
      const branches = await own.app.inject({ url: '/vestigingen?lang=en', headers: { ...html, host: 'www.bieb-utrecht.example' } });
      assert.equal(branches.statusCode, 200);
      assert.match(branches.body, /href="\/vestigingen\?lang=nl"/);
      const api = await own.app.inject({ url: '/api/v1/route?postcode=3511', headers: { host: 'www.bieb-utrecht.example' } });
      assert.equal(api.json().library.url, 'http://www.bieb-utrecht.example/');
      // other hosts still get the national entry
      const national = await own.app.inject({ url: '/', headers: html });
      assert.match(national.body, /Vind uw bibliotheek/);
    } finally {
      await own.close();
    }
  });
});

describe('joining from the national entry', () => {
  test('"Lid worden" with a postcode goes straight to the sign-up of the home library', async () => {
    const res = await t.app.inject({ url: '/?postcode=1011+AB&doel=aanmelden', headers: html });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${t.config.publicUrl}/amsterdam/aanmelden?postcode=1011%20AB`);
  });
});
