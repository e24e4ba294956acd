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
  assert.equal(c.sip2.port, null, 'the SIP2 server is off unless SIP2_PORT is set');
});

test('the SIP2 server listens where SIP2_PORT and SIP2_HOST say, with TLS when both files are given', () => {
  const c = loadConfig({ HOST: '0.0.0.0', SIP2_PORT: '6001', SIP2_TLS_CERT: 'package.json', SIP2_TLS_KEY: 'package.json', SIP2_IDLE_TIMEOUT_SECONDS: '60' });
  assert.equal(c.sip2.port, 6001);
  assert.equal(c.sip2.host, '0.0.0.0');
  assert.match(c.sip2.tlsCert!, /\/package\.json$/);
  assert.equal(c.sip2.idleTimeoutMs, 60_000);
  assert.equal(loadConfig({ SIP2_PORT: '6001', SIP2_HOST: '127.0.0.2' }).sip2.host, '127.0.0.2');
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
    [{ SIP2_PORT: 'sip' }, /^SIP2_PORT must be a whole number/],
    [{ SIP2_TLS_CERT: '/nonexistent/cert.pem', SIP2_TLS_KEY: '/nonexistent/key.pem' }, /^SIP2_TLS_CERT must name a readable file/],
    [{ SIP2_TLS_CERT: 'package.json' }, /^SIP2_TLS_CERT and SIP2_TLS_KEY must be set together/],
    [{ SIP2_IDLE_TIMEOUT_SECONDS: '1' }, /^SIP2_IDLE_TIMEOUT_SECONDS must be between 5 and 86400/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
  }
});
