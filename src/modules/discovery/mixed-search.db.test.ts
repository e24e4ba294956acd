// One search over titles, activities and services (issue #4 item 4, issue #5 item 6) on a real
// database: the kind facet, the activity facets combining with each other and with words, shared
// activities in other portals, what must not be found, mixed pages and sorts, bad input, the
// results page without JavaScript, related activities on title pages, and the header search box.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../../../test/support/app.ts';
import { buildTitle } from '../../../test/support/catalogue-factory.ts';
import { buildActivity, libraryId } from '../../../test/support/activities.ts';
import { sortKey } from './activity-search.ts';

let t: TestApp;
let utrecht: string;
let amsterdam: string;
let branches: { id: string; slug: string }[];
const DAY = 86_400_000;
/** The Amsterdam day of an activity built `n` days ahead (the factory puts it at 18:00 UTC). */
const dayIn = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

before(async () => {
  t = await testApp();
  utrecht = await libraryId(t.db, 'utrecht');
  amsterdam = await libraryId(t.db, 'amsterdam');
  branches = await t.db.kysely.selectFrom('branch').select(['id', 'slug']).where('libraryId', '=', utrecht).orderBy('slug').execute();
});
after(async () => { await t.close(); });

interface Result { kind: string; id: string; title: string; score: number; year?: number | null; startsAt?: string; shared?: boolean; branch?: { slug: string } | null }
interface Body {
  total: number;
  totalExact: boolean;
  results: Result[];
  facets: Record<string, { value: string; count: number; selected: boolean }[]>;
  code?: string;
}

async function search(query: string, slug = 'utrecht'): Promise<{ status: number; body: Body; type: string }> {
  const r = await t.app.inject({ url: `/api/v1/libraries/${slug}/search?${query}` });
  return { status: r.statusCode, body: r.json() as Body, type: String(r.headers['content-type']) };
}

const counts = (b: Body, facet: string) => Object.fromEntries((b.facets[facet] ?? []).map((f) => [f.value, f.count]));
const titles = (b: Body) => b.results.map((r) => r.title).sort();

describe('titles, activities and services in one search', () => {
  test('one query finds all three kinds, with a kind facet that counts each', async () => {
    await buildTitle(t.db.kysely, { title: 'Kwispelkoor: liederen', popularity: 5 });
    const event = await buildActivity(t.db, utrecht, { title: 'Kwispelkoor zingt', kind: 'event' });
    const service = await buildActivity(t.db, utrecht, { title: 'Spreekuur', description: 'Vragen over het kwispelkoor', kind: 'service', registrationRequired: false });
    const all = await search('q=kwispelkoor');
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 3);
    assert.deepEqual(counts(all.body, 'kind'), { title: 1, activity: 1, service: 1 });
    assert.deepEqual(all.body.results.map((r) => r.kind).sort(), ['activity', 'service', 'title']);
    assert.equal(all.body.results.find((r) => r.kind === 'activity')!.id, event.id);
    assert.equal(all.body.results.find((r) => r.kind === 'service')!.id, service.id);

    // choosing a kind keeps the other kinds' counts on offer (values of one facet combine with OR)
    const onlyActivities = await search('q=kwispelkoor&kind=activity');
    assert.equal(onlyActivities.body.total, 1);
    assert.deepEqual(counts(onlyActivities.body, 'kind'), { title: 1, activity: 1, service: 1 });
    assert.ok(onlyActivities.body.facets.kind!.find((k) => k.value === 'activity')!.selected);
    const both = await search('q=kwispelkoor&kind=activity&kind=service');
    assert.equal(both.body.total, 2);
  });

  test('activities are found by words in their description, themes and partner, Dutch-stemmed and accent-folded', async () => {
    await buildActivity(t.db, utrecht, { title: 'Middag A', description: 'We maken samen gedichten over de zeeën.' });
    await buildActivity(t.db, utrecht, { title: 'Middag B', themes: ['origamivouwen'] });
    await buildActivity(t.db, utrecht, { title: 'Middag C', partner: 'Stichting Zwaluwstaart' });
    assert.ok(titles((await search('q=zeeen&kind=activity')).body).includes('Middag A'), 'accents folded');
    assert.ok(titles((await search('q=gedicht+zeeen&kind=activity')).body).includes('Middag A'), 'stemmed: gedicht finds gedichten');
    assert.deepEqual(titles((await search('q=origamivouwen')).body), ['Middag B']);
    assert.deepEqual(titles((await search('q=zwaluwstaart')).body), ['Middag C']);
  });

  test('a title word ranks an activity above the same word in its description', async () => {
    await buildActivity(t.db, utrecht, { title: 'Over iets', description: 'Alles over de pimpelmees.' });
    await buildActivity(t.db, utrecht, { title: 'Pimpelmees kijken' });
    const r = await search('q=pimpelmees');
    assert.deepEqual(r.body.results.map((x) => x.title), ['Pimpelmees kijken', 'Over iets']);
  });
});

describe('activity facets', () => {
  // four activities and one title about "zonnewijzer"
  const ids: Record<string, string> = {};
  before(async () => {
    await buildTitle(t.db.kysely, { title: 'De zonnewijzer', popularity: 3 });
    ids.a = (await buildActivity(t.db, utrecht, {
      title: 'Zonnewijzer A', statutoryFunctions: ['reading_literature'], audience: ['children'], branchSlug: branches[0]!.slug, startsInDays: 3,
    })).id;
    ids.b = (await buildActivity(t.db, utrecht, {
      title: 'Zonnewijzer B', statutoryFunctions: ['art_culture'], audience: ['adults'], priceCents: 500, online: true, startsInDays: 20,
    })).id;
    ids.c = (await buildActivity(t.db, utrecht, {
      title: 'Zonnewijzer C', kind: 'service', statutoryFunctions: ['knowledge_information'], audience: ['seniors', 'youth'],
      branchSlug: branches[1]!.slug, registrationRequired: false, startsInDays: 10,
    })).id;
    ids.d = (await buildActivity(t.db, utrecht, {
      title: 'Zonnewijzer D', statutoryFunctions: ['reading_literature', 'meeting_debate'], audience: ['adults'], startsInDays: 40, language: 'en',
    })).id;
  });

  test('statutory function: values combine with OR, the facet keeps counting the other values', async () => {
    const r = await search('q=zonnewijzer&function=reading_literature');
    assert.deepEqual(titles(r.body), ['Zonnewijzer A', 'Zonnewijzer D']);
    assert.deepEqual(counts(r.body, 'function'), { reading_literature: 2, art_culture: 1, knowledge_information: 1, meeting_debate: 1 });
    // a filter only activities have leaves titles out, also in the kind facet
    assert.deepEqual(counts(r.body, 'kind'), { activity: 2 });
    const two = await search('q=zonnewijzer&function=reading_literature&function=art_culture');
    assert.deepEqual(titles(two.body), ['Zonnewijzer A', 'Zonnewijzer B', 'Zonnewijzer D']);
  });

  test('facets combine with AND: function and audience, free, date range', async () => {
    assert.deepEqual(titles((await search('q=zonnewijzer&function=reading_literature&audience=children')).body), ['Zonnewijzer A']);
    const free = await search('q=zonnewijzer&free=true');
    assert.deepEqual(titles(free.body), ['Zonnewijzer A', 'Zonnewijzer C', 'Zonnewijzer D']);
    assert.deepEqual(counts(free.body, 'free'), { true: 3 });
    // the audience facet counts within free activities only; youth is the catalogue's young_adults
    assert.deepEqual(counts(free.body, 'audience'), { children: 1, adults: 1, seniors: 1, young_adults: 1 });
    const range = await search(`q=zonnewijzer&from=${dayIn(5)}&to=${dayIn(20)}`);
    assert.deepEqual(titles(range.body), ['Zonnewijzer B', 'Zonnewijzer C']);
    const rangeFree = await search(`q=zonnewijzer&from=${dayIn(5)}&to=${dayIn(20)}&free=true`);
    assert.deepEqual(titles(rangeFree.body), ['Zonnewijzer C']);
    // one day: the activity on that day only
    assert.deepEqual(titles((await search(`q=zonnewijzer&from=${dayIn(3)}&to=${dayIn(3)}`)).body), ['Zonnewijzer A']);
  });

  test('branch or online: a branch finds the titles held and the activities held there; online finds online activities', async () => {
    const online = await search('q=zonnewijzer&branch=online');
    assert.deepEqual(titles(online.body), ['Zonnewijzer B']);
    const branch = await search(`q=zonnewijzer&branch=${branches[0]!.slug}&kind=activity&kind=service`);
    assert.deepEqual(titles(branch.body), ['Zonnewijzer A']);
    const either = await search(`q=zonnewijzer&branch=${branches[1]!.slug}&branch=online`);
    assert.deepEqual(titles(either.body), ['Zonnewijzer B', 'Zonnewijzer C']);
    const c = counts(either.body, 'branch');
    assert.equal(c.online, 1);
    assert.equal(c[branches[0]!.slug], 1);
  });

  test('language is one facet for both kinds (an activity in English counts as eng)', async () => {
    const r = await search('q=zonnewijzer');
    const c = counts(r.body, 'language');
    assert.equal(c.eng, 1);
    assert.equal(c.dut, 4, 'three Dutch activities and the Dutch title');
    assert.deepEqual(titles((await search('q=zonnewijzer&language=eng')).body), ['Zonnewijzer D']);
  });

  test('a filter only titles have leaves activities out', async () => {
    const r = await search('q=zonnewijzer&format=book');
    assert.deepEqual(titles(r.body), ['De zonnewijzer']);
    assert.deepEqual(counts(r.body, 'kind'), { title: 1 });
    assert.deepEqual(r.body.facets.function, []);
  });

  test('the facets without a filter count every kind', async () => {
    const r = await search('q=zonnewijzer');
    assert.equal(r.body.total, 5);
    assert.deepEqual(counts(r.body, 'kind'), { title: 1, activity: 3, service: 1 });
    assert.deepEqual(counts(r.body, 'free'), { true: 3 });
  });
});

describe('what a portal shows', () => {
  test('a shared online activity appears in every portal; an own activity only in its library', async () => {
    const shared = await buildActivity(t.db, utrecht, {
      title: 'Netwerklezing over sterrenkijkers', online: true, sharedNetwork: true, onlineUrl: 'https://meet.example.org/sterren',
    });
    await buildActivity(t.db, utrecht, { title: 'Sterrenkijkers in de Domstad' });
    const here = await search('q=sterrenkijkers');
    assert.equal(here.body.total, 2);
    assert.equal(here.body.results.find((r) => r.id === shared.id)!.shared, false, 'organised here');
    for (const slug of ['amsterdam', 'groningen']) {
      const there = await search('q=sterrenkijkers', slug);
      assert.deepEqual(there.body.results.map((r) => r.id), [shared.id]);
      assert.equal(there.body.results[0]!.shared, true);
      assert.deepEqual(counts(there.body, 'branch'), { online: 1 });
    }
    // under the portal's brand: the result links to the activity page of the portal searched in
    const page = await t.app.inject({ url: '/amsterdam/zoeken?q=sterrenkijkers', headers: { accept: 'text/html' } });
    assert.match(page.body, new RegExp(`href="/amsterdam/activiteiten/${shared.id}"`));
    assert.match(page.body, /\/amsterdam\/theme\.css/);
    const activityPage = await t.app.inject({ url: `/amsterdam/activiteiten/${shared.id}` });
    assert.equal(activityPage.statusCode, 200);
  });

  test('drafts, cancelled and past activities are not found; nor a shared draft elsewhere', async () => {
    await buildActivity(t.db, utrecht, { title: 'Grutto concept', status: 'draft' });
    await buildActivity(t.db, utrecht, { title: 'Grutto afgelast', status: 'cancelled' });
    await buildActivity(t.db, utrecht, { title: 'Grutto geweest', startsInDays: -3 });
    await buildActivity(t.db, utrecht, { title: 'Grutto netwerk concept', status: 'draft', online: true, sharedNetwork: true });
    const live = await buildActivity(t.db, utrecht, { title: 'Grutto straks' });
    assert.deepEqual((await search('q=grutto')).body.results.map((r) => r.id), [live.id]);
    assert.equal((await search('q=grutto', 'amsterdam')).body.total, 0);
  });

  test("a course is on offer until its first meeting, like in the agenda; another library's activity is not", async () => {
    const now = Date.now();
    const meeting = (d: number) => ({ startsAt: new Date(now + d * DAY), endsAt: new Date(now + d * DAY + 3_600_000) });
    await buildActivity(t.db, utrecht, { title: 'Kievitcursus begonnen', kind: 'course', sessions: [meeting(-7), meeting(7)] });
    const coming = await buildActivity(t.db, utrecht, { title: 'Kievitcursus nieuw', kind: 'course', sessions: [meeting(3), meeting(10)] });
    await buildActivity(t.db, amsterdam, { title: 'Kievit in Amsterdam' });
    const r = await search('q=kievitcursus');
    assert.deepEqual(r.body.results.map((x) => x.id), [coming.id]);
    assert.equal(titles((await search('q=kievit')).body).includes('Kievit in Amsterdam'), false);
  });
});

describe('mixed pages and sorts', () => {
  before(async () => {
    for (const [i, year] of [[1, 1990], [2, 2005], [3, 2020]] as const) {
      await buildTitle(t.db.kysely, { title: `Boek ${i} over de reigerkolonie`, year, popularity: i * 40 });
    }
    for (const [i, days] of [[1, 2], [2, 30], [3, 60]] as const) {
      await buildActivity(t.db, utrecht, { title: `Activiteit ${i}`, description: 'Wandeling langs de reigerkolonie.', startsInDays: days });
    }
  });

  for (const sort of ['relevance', 'newest', 'title'] as const) {
    test(`pages do not overlap and together hold every result (sort ${sort})`, async () => {
      const seen: string[] = [];
      for (let page = 1; page <= 4; page++) {
        const r = await search(`q=reigerkolonie&sort=${sort}&pageSize=2&page=${page}`);
        assert.equal(r.body.total, 6);
        seen.push(...r.body.results.map((x) => x.id));
      }
      assert.equal(seen.length, 6);
      assert.equal(new Set(seen).size, 6);
      const one = await search(`q=reigerkolonie&sort=${sort}&pageSize=6`);
      assert.deepEqual(one.body.results.map((x) => x.id), seen, 'the pages follow the order of one long page');
    });
  }

  test('relevance puts results of both kinds in order of their score', async () => {
    const r = await search('q=reigerkolonie&pageSize=6');
    const scores = r.body.results.map((x) => x.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    assert.deepEqual(new Set(r.body.results.map((x) => x.kind)), new Set(['title', 'activity']));
  });

  test('newest: a title by its year, an activity by its next session', async () => {
    const r = await search('q=reigerkolonie&sort=newest&pageSize=6');
    const when = r.body.results.map((x) => (x.kind === 'title' ? Date.UTC(x.year!, 0, 1) : Date.parse(x.startsAt!)));
    assert.deepEqual(when, [...when].sort((a, b) => b - a));
    assert.equal(r.body.results.at(-1)!.title, 'Boek 1 over de reigerkolonie');
  });

  test('title: alphabetical over both kinds', async () => {
    const r = await search('q=reigerkolonie&sort=title&pageSize=6');
    assert.deepEqual(r.body.results.map((x) => x.title), [
      'Activiteit 1', 'Activiteit 2', 'Activiteit 3',
      'Boek 1 over de reigerkolonie', 'Boek 2 over de reigerkolonie', 'Boek 3 over de reigerkolonie',
    ]);
    assert.equal(sortKey('De Één'), 'een');
  });

  test('browsing without words mixes kinds too and stays within the bounds', async () => {
    const r = await search('kind=activity&kind=service&pageSize=50');
    assert.equal(r.status, 200);
    assert.ok(r.body.total >= 8, 'the demo activities');
    assert.ok(r.body.results.every((x) => x.kind === 'activity' || x.kind === 'service'));
    const all = await search('');
    assert.ok(counts(all.body, 'kind').activity! > 0);
    assert.ok(counts(all.body, 'kind').title! > 1000);
  });
});

describe('bad input', () => {
  test('unknown activity facet values or impossible dates are a 400 problem, never a 500', async () => {
    for (const query of ['function=gardening', 'free=maybe', 'from=2026-13-01', 'to=2026-02-30', 'from=yesterday', 'audience=pets', 'kind=event']) {
      const r = await search(query);
      assert.equal(r.status, 400, query);
      assert.match(r.type, /application\/problem\+json/);
      assert.equal(r.body.code, 'VALIDATION_FAILED', query);
    }
  });

  test('a reversed date range is turned round; combinations that cannot match give an empty result', async () => {
    const reversed = await search(`q=zonnewijzer&from=${dayIn(20)}&to=${dayIn(5)}`);
    assert.deepEqual(titles(reversed.body), ['Zonnewijzer B', 'Zonnewijzer C']);
    for (const query of ['format=book&function=art_culture', 'kind=title&free=true', 'avi=E3&branch=online', 'yearFrom=1990&from=2030-01-01']) {
      const r = await search(query);
      assert.equal(r.status, 200, query);
      assert.equal(r.body.total, 0, query);
    }
  });

  test('the results page names a bad filter value and still searches', async () => {
    const r = await t.app.inject({ url: '/utrecht/zoeken?q=zonnewijzer&function=gardening&from=2026-99-99', headers: { accept: 'text/html' } });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /role="alert"/);
    assert.match(r.body, /gardening/);
    assert.match(r.body, /resultaten<\/h2>/);
  });
});

describe('the results page without JavaScript', () => {
  const page = async (query: string) => (await t.app.inject({ url: `/utrecht/zoeken?${query}`, headers: { accept: 'text/html' } })).body;

  test('activity facets are fieldsets of checkboxes and date fields in the same GET form', async () => {
    const html = await page('q=zonnewijzer&function=reading_literature');
    assert.match(html, /<legend[^>]*>Soort<\/legend>/);
    assert.match(html, /<legend[^>]*>Bibliotheekfunctie<\/legend>/);
    assert.match(html, /<input[^>]*type="checkbox"[^>]*id="f-function-reading_literature"[^>]*checked/);
    assert.match(html, /<label[^>]*for="f-function-art_culture"/);
    assert.match(html, /<legend[^>]*>Datum van de activiteit<\/legend>/);
    assert.match(html, /<input[^>]*id="from" name="from" type="date"/);
    // an activity result links to its page and says when
    assert.match(html, /href="\/utrecht\/activiteiten\/[0-9a-f-]{36}">Zonnewijzer A<\/a>/);
    assert.match(html, /<time datetime="[^"]+">/);
  });

  test('the branch fieldset offers online, and free is a checkbox', async () => {
    const html = await page('q=zonnewijzer');
    assert.match(html, /<legend[^>]*>Vestiging of online<\/legend>/);
    assert.match(html, /id="f-branch-online"/);
    assert.match(html, /<input[^>]*id="f-free-true"[^>]*name="free" value="true"/);
    assert.match(html, /<label[^>]*for="f-free-true"[^>]*>Gratis/);
  });

  test('a mixed page shows titles and activities, in English when asked', async () => {
    const html = await page('q=reigerkolonie&lang=en&pageSize=6');
    assert.match(html, /href="\/utrecht\/titels\/[0-9a-f-]{36}">Boek 3 over de reigerkolonie/);
    assert.match(html, /href="\/utrecht\/activiteiten\/[0-9a-f-]{36}">Activiteit 1/);
    assert.match(html, /6 results/);
  });
});

describe('title pages link related activities', () => {
  test('an upcoming activity about the book, or another format of the work, is on the title page', async () => {
    const book = await buildTitle(t.db.kysely, { title: 'De ijsvogel', popularity: 1 });
    const ebook = await buildTitle(t.db.kysely, { title: 'De ijsvogel', format: 'ebook', workId: book.workId, openAccessUrl: 'https://example.org/ijsvogel.epub' });
    const club = await buildActivity(t.db, utrecht, { title: 'Leesclub De ijsvogel', relatedTitleIds: [book.id] });
    await buildActivity(t.db, utrecht, { title: 'Leesclub voorbij', relatedTitleIds: [book.id], startsInDays: -2 });
    await buildActivity(t.db, utrecht, { title: 'Leesclub concept', relatedTitleIds: [book.id], status: 'draft' });
    const shared = await buildActivity(t.db, utrecht, {
      title: 'Online leesclub De ijsvogel', relatedTitleIds: [ebook.id], online: true, sharedNetwork: true,
    });
    for (const id of [book.id, ebook.id]) {
      const html = (await t.app.inject({ url: `/utrecht/titels/${id}` })).body;
      assert.match(html, /Activiteiten over dit boek/);
      assert.match(html, new RegExp(`href="/utrecht/activiteiten/${club.id}"`));
      assert.match(html, new RegExp(`href="/utrecht/activiteiten/${shared.id}"`));
      assert.doesNotMatch(html, /Leesclub voorbij|Leesclub concept/);
    }
    // another portal: only the shared one, under its own brand
    const elsewhere = (await t.app.inject({ url: `/amsterdam/titels/${book.id}` })).body;
    assert.match(elsewhere, new RegExp(`href="/amsterdam/activiteiten/${shared.id}"`));
    assert.doesNotMatch(elsewhere, new RegExp(club.id));
    // a title nobody made an activity for has no such section
    const lonely = await buildTitle(t.db.kysely, { title: 'Zonder club' });
    assert.doesNotMatch((await t.app.inject({ url: `/utrecht/titels/${lonely.id}` })).body, /Activiteiten over dit boek/);
  });
});

describe('the search box in the header of every portal page', () => {
  test('every portal page has the search box, wired to the completions endpoint and the script file', async () => {
    for (const url of ['/utrecht/', '/utrecht/vestigingen', '/utrecht/activiteiten', '/groningen/zoeken']) {
      const html = (await t.app.inject({ url })).body;
      const slug = url.split('/')[1];
      assert.match(html, /<form class="eb-search" role="search" method="get" action="\/[a-z]+\/zoeken">/, url);
      assert.match(html, new RegExp(`id="eb-search-q"[^>]*data-completions="/api/v1/libraries/${slug}/search/completions"`), url);
      assert.match(html, /<script src="\/static\/search-completions\.js" defer><\/script>/, url);
      assert.doesNotMatch(html, /<script>(?!<)/, 'no inline script');
    }
    const script = await t.app.inject({ url: '/static/search-completions.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
  });

  test('the completions endpoint answers JSON for a library and 404 for an unknown one', async () => {
    const r = await t.app.inject({ url: '/api/v1/libraries/groningen/search/completions?q=multat' });
    assert.equal(r.statusCode, 200);
    assert.ok(r.json().completions.includes('multatuli'));
    assert.equal((await t.app.inject({ url: '/api/v1/libraries/atlantis/search/completions?q=multat' })).statusCode, 404);
  });
});
