import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults run the platform on embedded PGlite in ./data on port 3000', () => {
  const c = loadConfig({});
  assert.equal(c.databaseUrl, null);
  assert.match(c.dataDir, /\/data$/);
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.seedDemo, true);
});

test('values are parsed and validated', () => {
  const c = loadConfig({
    PORT: '8080', DATABASE_URL: 'postgres://u@db:5432/eenbieb', HOST_LIBRARIES: 'www.bieb.example=utrecht, Bieb.Two:8443=den-haag',
    SEED_DEMO: 'false', PUBLIC_URL: 'https://eenbieb.example/', LOG_LEVEL: 'warn',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, 'postgres://u@db:5432/eenbieb');
  assert.deepEqual(c.hostLibraries, { 'www.bieb.example': 'utrecht', 'bieb.two:8443': 'den-haag' });
  assert.equal(c.seedDemo, false);
  assert.equal(c.publicUrl, 'https://eenbieb.example');
});

test('a bad value is one clear message naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres:/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a valid URL/],
    [{ SEED_DEMO: 'maybe' }, /^SEED_DEMO must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ HOST_LIBRARIES: 'nonsense' }, /^HOST_LIBRARIES entry "nonsense"/],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV must be one of/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
  }
});
