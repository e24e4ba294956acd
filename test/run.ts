// `npm test`: prepares one template database for the run (PGlite, or PostgreSQL when
// DATABASE_URL is set), then runs every test file with node:test. Node 20's runner needs explicit
// file paths, so this script finds them. Browser tests run when Chromium is found; otherwise one
// "skipped" line — except under CI=true, where a missing browser is a failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenbieb-test-logs-'));
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files,
], { cwd: root, stdio: 'inherit', env: { ...process.env, ...template.env, NODE_ENV: 'test', EENBIEB_TEST_LOG_DIR: logDir } });

let code: number = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await template.cleanup();

// Privacy of the logs over the whole run: no e-mail address, password, PIN, token, session
// cookie or hash may appear in any line the platform logged during any test.
const FORBIDDEN: [string, RegExp][] = [
  ['an e-mail address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.(org|nl|example|invalid)\b/],
  ['a password hash', /\$argon2/],
  ['a password or PIN field', /"(password|pin|newPassword)"\s*:/i],
  ['a token in a URL', /[?&]token=/],
  ['a session cookie', /eb_session=|__Host-eb_session/],
  ['a postcode with letters', /\b[1-9][0-9]{3} ?[A-Z]{2}\b/],
];
let lines = 0;
const leaks: string[] = [];
for (const file of fs.readdirSync(logDir)) {
  for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
    if (!line) continue;
    lines++;
    for (const [what, re] of FORBIDDEN) if (re.test(line)) leaks.push(`${what}: ${line.slice(0, 300)}`);
  }
}
fs.rmSync(logDir, { recursive: true, force: true });
if (leaks.length) {
  process.stdout.write(`# log privacy: ${leaks.length} log line(s) with personal data or secrets:\n${leaks.slice(0, 20).map((l) => `#   ${l}`).join('\n')}\n`);
  code = code || 1;
} else {
  process.stdout.write(`# log privacy: ${lines} log lines of the whole run checked, no personal data or secrets\n`);
}
process.exit(code);
