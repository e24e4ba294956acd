// Platform services over real HTTP handling: problem+json errors, limits, security headers,
// health, metrics, the committed OpenAPI document and log privacy.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openApiText } from '../../src/platform/http/openapi.ts';
import { testApp, type TestApp } from '../support/app.ts';

let t: TestApp;
before(async () => { t = await testApp({ bodyLimitBytes: 2048 }); });
after(async () => { await t.close(); });

describe('errors', () => {
  test('unknown API routes are a 404 problem', async () => {
    const res = await t.app.inject({ url: '/api/v1/nothing-here' });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
    assert.deepEqual(Object.keys(res.json()).sort(), ['code', 'instance', 'status', 'title', 'type']);
    assert.equal(res.json().code, 'NOT_FOUND');
  });

  test('an oversize body is a 413 problem and a malformed one a 400', async () => {
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/route', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'a'.repeat(5000) }) });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'PAYLOAD_TOO_LARGE');
    const broken = await t.app.inject({ method: 'POST', url: '/api/v1/route', headers: { 'content-type': 'application/json' }, payload: '{"x":' });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().code, 'MALFORMED_REQUEST');
    const form = await t.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: `q=${'a'.repeat(5000)}` });
    assert.equal(form.statusCode, 413);
    assert.match(form.headers['content-type'] as string, /text\/html/);
  });

  test('an unexpected error answers a plain message with the request id, never a stack or SQL', async () => {
    const app = (await import('../../src/app.ts')).build;
    const local = await app(t.config, t.db);
    local.get('/api/v1/explode', { config: { auth: 'public' } }, async () => {
      throw new Error('relation "secret_table" does not exist at /work/src/x.ts:1');
    });
    await local.ready();
    const res = await local.inject({ url: '/api/v1/explode' });
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().code, 'INTERNAL_ERROR');
    assert.doesNotMatch(res.body, /secret_table|\.ts:|at /);
    assert.ok(res.headers['x-request-id']);
    const page = await local.inject({ url: '/api/v1/explode', headers: { accept: 'text/html' } });
    assert.doesNotMatch(page.body, /secret_table/);
    await local.close();
  });
});

describe('security headers', () => {
  test('a strict Content-Security-Policy without inline script or style', async () => {
    const res = await t.app.inject({ url: '/utrecht/', headers: { accept: 'text/html' } });
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    // and the pages indeed carry no inline script other than JSON-LD data, and no style attribute
    assert.doesNotMatch(res.body, /<script(?![^>]*application\/ld\+json)[^>]*>[^<]/);
    assert.doesNotMatch(res.body, / style="/);
  });

  test('rate limiting answers 429 problem+json', async () => {
    const limited = await testApp({ rateLimitPerMinute: 3 });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await limited.app.inject({ url: '/api/v1/route?postcode=3511' })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 429, 429]);
      const res = await limited.app.inject({ url: '/api/v1/route?postcode=3511' });
      assert.equal(res.json().code, 'TOO_MANY_REQUESTS');
      assert.equal((await limited.app.inject({ url: '/healthz' })).statusCode, 200, 'health checks are not limited');
    } finally {
      await limited.close();
    }
  });
});

describe('operations', () => {
  test('/healthz and /readyz', async () => {
    assert.deepEqual((await t.app.inject({ url: '/healthz' })).json(), { status: 'ok' });
    assert.deepEqual((await t.app.inject({ url: '/readyz' })).json(), { status: 'ready' });
  });

  test('/readyz reports pending migrations', async () => {
    await t.db.kysely.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0002_network' as never).execute();
    try {
      const res = await t.app.inject({ url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json().pending, ['0002_network']);
    } finally {
      await t.db.kysely.insertInto('kysely_migration' as never).values({ name: '0002_network', timestamp: new Date().toISOString() } as never).execute();
    }
  });

  test('/metrics has request histograms per route pattern', async () => {
    await t.app.inject({ url: '/utrecht/vestigingen', headers: { accept: 'text/html' } });
    const text = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(text, /http_request_duration_seconds_bucket\{[^}]*route="\/:slug\/vestigingen"[^}]*\}/);
    assert.doesNotMatch(text, /route="\/utrecht/);
  });
});

describe('the API contract', () => {
  test('the committed openapi.json is the generated document (run npm run openapi after API changes)', async () => {
    const committed = fs.readFileSync(path.resolve(import.meta.dirname, '../../openapi.json'), 'utf8');
    assert.equal(committed, openApiText(t.app));
  });

  test('/api/v1/openapi.json is OpenAPI 3.1 with problem responses, and the docs page lists operations', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/route'].get.responses['404']);
    const docs = await t.app.inject({ url: '/api/v1/docs', headers: { accept: 'text/html' } });
    assert.match(docs.body, /GET \/api\/v1\/route/);
  });
});

describe('privacy', () => {
  test('no postcode, query string or cookie reaches the logs', async () => {
    t.logs.length = 0;
    await t.app.inject({ url: '/api/v1/route?postcode=3512QX', headers: { cookie: 'eb_lang=en; secret=abc' } });
    await t.app.inject({ url: '/?postcode=3513+KW', headers: { accept: 'text/html' } });
    const text = t.logs.join('\n');
    assert.ok(t.logs.length > 0, 'requests are logged');
    assert.doesNotMatch(text, /QX|KW|secret=abc|postcode/);
  });
});
