// `npm test`: prepares one template database for the run (PGlite, or PostgreSQL when
// DATABASE_URL is set), then runs every test file with node:test. Node 20's runner needs explicit
// file paths, so this script finds them. Browser tests run when Chromium is found; otherwise one
// "skipped" line — except under CI=true, where a missing browser is a failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './support/browser.ts';
import { prepareTemplate } from './support/template.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function find(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) find(full, out);
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(path.relative(root, full));
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...find(path.join(root, 'src')), ...find(path.join(root, 'test'))].sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));

const ci = /^(1|true)$/i.test(process.env.CI ?? '');
const browserFiles = files.filter((f) => f.includes('.browser.test.'));
if (browserFiles.length && !findChromium()) {
  if (ci) {
    process.stderr.write('CI=true but Chromium was not found: browser tests may not be skipped\n');
    process.exit(1);
  }
  process.stdout.write(`# skipped: ${browserFiles.length} browser test file(s), Chromium not found (install Debian's chromium or set CHROMIUM_PATH)\n`);
  files = files.filter((f) => !browserFiles.includes(f));
}
// Tests of real parallel transactions need a server; PGlite has a single connection.
const serverOnly = files.filter((f) => f.includes('.pg.test.'));
if (serverOnly.length && !process.env.DATABASE_URL) {
  process.stdout.write(`# ${serverOnly.length} PostgreSQL concurrency test file(s) run in the DATABASE_URL run (PGlite has one connection)\n`);
  files = files.filter((f) => !serverOnly.includes(f));
}

const engine = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite';
process.stdout.write(`# engine: ${engine}; ${files.length} test files\n`);
const started = Date.now();
const template = await prepareTemplate();
process.stdout.write(`# template database ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files,
], { cwd: root, stdio: 'inherit', env: { ...process.env, ...template.env, NODE_ENV: 'test' } });

const code: number = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await template.cleanup();
process.exit(code);
