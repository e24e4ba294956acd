// The OPDS 2.0 feeds of a library's digital collection, validated with Ajv against the OPDS 2.0
// and Readium JSON Schemas (loaded offline from test/fixtures/opds).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { testApp, type TestApp } from '../../../test/support/app.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/opds');

function schemaFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? schemaFiles(path.join(dir, e.name)) : e.name.endsWith('.schema.json') ? [path.join(dir, e.name)] : []);
}

let validateFeed: ValidateFunction;
let t: TestApp;
before(async () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  for (const file of schemaFiles(fixtures)) ajv.addSchema(JSON.parse(fs.readFileSync(file, 'utf8')));
  validateFeed = ajv.getSchema('https://drafts.opds.io/schema/feed.schema.json')!;
  t = await testApp();
});
after(async () => { await t.close(); });

async function feed(url: string) {
  const r = await t.app.inject({ url });
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.json() as Record<string, unknown> & { links: { rel: string; href: string; templated?: boolean }[]; publications?: { metadata: { title: string }; links: { rel: string; href: string; type: string }[] }[]; metadata: { numberOfItems?: number } } };
}

function assertValid(body: unknown) {
  const ok = validateFeed(body);
  assert.ok(ok, JSON.stringify(validateFeed.errors?.slice(0, 5), null, 1));
}

describe('OPDS 2.0 feeds', () => {
  test('the schemas accept the spec examples and refuse a feed without a self link (the validator can fail)', () => {
    for (const n of ['01', '02', '05', '06']) {
      const example = JSON.parse(fs.readFileSync(path.join(fixtures, `example-opds-2.0-${n}.json`), 'utf8'));
      assert.ok(validateFeed(example), `example ${n}`);
    }
    assert.equal(validateFeed({ metadata: { title: 'x' }, links: [{ rel: 'next', href: '/x' }], navigation: [{ href: '/y', title: 'y' }] }), false);
  });

  test('the navigation feed is valid and offers a search template', async () => {
    const r = await feed('/utrecht/opds');
    assert.equal(r.status, 200);
    assert.match(r.type, /application\/opds\+json/);
    assertValid(r.body);
    const search = r.body.links.find((l) => l.rel === 'search')!;
    assert.ok(search.templated && search.href.endsWith('/utrecht/opds/publicaties{?query}'));
  });

  test('the publications feed is valid: open-access acquisition links, facets and pagination', async () => {
    const r = await feed('/utrecht/opds/publicaties');
    assert.equal(r.status, 200);
    assertValid(r.body);
    assert.equal(r.body.publications!.length, 50);
    assert.ok(r.body.metadata.numberOfItems! > 1000);
    for (const p of r.body.publications!) {
      const acq = p.links.find((l) => l.rel === 'http://opds-spec.org/acquisition/open-access')!;
      assert.ok(acq.href.startsWith('https://www.dbnl.org/'), p.metadata.title);
      assert.match(acq.type, /^application\/(epub\+zip|pdf)$/);
    }
    assert.ok(r.body.links.some((l) => l.rel === 'next' && l.href.includes('page=2')));
    const page2 = await feed('/utrecht/opds/publicaties?page=2');
    assertValid(page2.body);
    assert.ok(page2.body.links.some((l) => l.rel === 'previous'));
  });

  test('the search template finds digital titles only, and an empty result is still a valid feed', async () => {
    const r = await feed('/utrecht/opds/publicaties?query=multatuli');
    assertValid(r.body);
    assert.ok(r.body.publications!.length > 0);
    const none = await feed('/utrecht/opds/publicaties?query=qqqxxyzzy');
    assert.equal(none.status, 200);
    assertValid(none.body);
    assert.equal(none.body.metadata.numberOfItems, 0);
  });

  test('facet and sort links keep the feed valid; an unknown value is a 400 problem', async () => {
    assertValid((await feed('/utrecht/opds/publicaties?sort=newest&audience=children')).body);
    const bad = await t.app.inject({ url: '/utrecht/opds/publicaties?sort=random' });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers['content-type']), /application\/problem\+json/);
  });
});
