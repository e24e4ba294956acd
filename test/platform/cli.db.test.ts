// The command line and the server process: configuration errors, help, and a real start with a
// graceful stop that finishes in-flight requests.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { build } from '../../src/app.ts';
import { testConfig } from '../../src/platform/config.ts';
import { testDatabase } from '../support/db.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/eenbieb.js');
const cleanEnv = () => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('EENBIEB_TEST')) delete env[k];
  return env;
};

describe('eenbieb CLI', () => {
  test('--help lists the commands', () => {
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const c of ['serve', 'migrate', 'seed', 'libraries', 'route', 'activities', 'openapi']) assert.match(r.stdout, new RegExp(`^  ${c}`, 'm'));
  });

  test('a bad configuration value is one clear line and exit code 1, never a stack trace', () => {
    const r = spawnSync(process.execPath, [bin, 'serve'], { encoding: 'utf8', env: { ...cleanEnv(), PORT: 'abc' } });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'eenbieb: configuration error: PORT must be a whole number, got "abc"\n');
    assert.equal(r.stdout, '');
  });

  test('every periodic job runs once on a database through the same services', async () => {
    const { JOBS, runJobOnce } = await import('../../src/jobs.ts');
    const db = await testDatabase();
    try {
      const config = testConfig();
      assert.equal(await runJobOnce('expire-idempotency-keys', db.kysely, config), 0);
      assert.equal(await runJobOnce('erase-due-accounts', db.kysely, config), 0);
      for (const name of Object.keys(JOBS) as (keyof typeof JOBS)[]) {
        assert.equal(typeof await runJobOnce(name, db.kysely, config), 'number', name);
      }
    } finally {
      await db.close();
    }
    const r = spawnSync(process.execPath, [bin, 'job', 'nonsense'], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /unknown job "nonsense": one of erase-due-accounts, activity-reminders, expire-idempotency-keys, search-statistics, lending-due-reminders, lending-overdue-notices, lending-hold-expiry, lending-digital-expiry, lending-history-anonymisation/);
  });

  test('the worker command needs a PostgreSQL server; the help lists every job', () => {
    const help = spawnSync(process.execPath, [bin, 'help'], { encoding: 'utf8', env: cleanEnv() });
    for (const name of ['lending-due-reminders', 'lending-history-anonymisation', 'erase-due-accounts']) assert.match(help.stdout, new RegExp(`^ +${name} `, 'm'));
    const r = spawnSync(process.execPath, [bin, 'worker'], { encoding: 'utf8', env: { ...cleanEnv(), DATABASE_URL: '' } });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /eenbieb worker needs DATABASE_URL/);
  });

  test('an unknown command shows the help with exit code 2', () => {
    const r = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /unknown command "frobnicate"/);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('the server process', () => {
  test('npm start path: first start migrates and seeds embedded PGlite, answers, and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenbieb-serve-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...cleanEnv(), DATA_DIR: path.join(dataDir, 'data'), PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'serve'], { env, cwd: root });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    try {
      await new Promise<void>((resolve, reject) => {
        // the timeout stops the polling too, so a slow start fails the test instead of hanging the file
        const timer = setTimeout(() => { clearInterval(check); reject(new Error(`no ready line:\n${out}`)); }, 100_000);
        const check = setInterval(() => {
          if (/Eenbieb is ready/.test(out)) { clearInterval(check); clearTimeout(timer); resolve(); }
          if (child.exitCode !== null) { clearInterval(check); clearTimeout(timer); reject(new Error(out)); }
        }, 100);
      });
      assert.match(out, /demo network seeded: 22 libraries/);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/route?postcode=1011`);
      assert.equal((await res.json()).library.slug, 'amsterdam');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200);
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
      assert.match(out, /SIGTERM received/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('closing the server lets an in-flight request finish', async () => {
    const db = await testDatabase();
    const app = await build(testConfig({ logLevel: 'silent', rateLimitPerMinute: 0 }), db);
    let started!: () => void;
    const inHandler = new Promise<void>((r) => { started = r; });
    app.get('/api/v1/slow', { config: { auth: 'public' } }, async () => {
      started();
      await new Promise((r) => setTimeout(r, 300));
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as net.AddressInfo;
    const pending = fetch(`http://127.0.0.1:${port}/api/v1/slow`).then((r) => r.json());
    await inHandler; // close only once the request is really in flight
    await app.close();
    assert.deepEqual(await pending, { done: true });
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    await db.close();
  });
});
