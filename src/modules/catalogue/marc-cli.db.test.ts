// `eenbieb import marc` and `eenbieb export marc` end to end: real processes on an embedded
// database in a temporary folder, their summaries, per-record reports and exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../platform/db/connection.ts';
import { readMarcXml } from './marc-reader.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (f: string) => path.join(root, 'test/fixtures/marc21', f);
let dir: string;
let env: NodeJS.ProcessEnv;

// Generous limits: each call starts Node, tsx and an embedded database, which on a busy shared
// machine took up to two minutes; the test checks outputs and exit codes, never durations.
function eenbieb(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), ...args], { encoding: 'utf8', env, cwd: root, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenbieb-marc-cli-'));
  env = { ...process.env, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' };
  for (const k of Object.keys(env)) if (k.startsWith('EENBIEB_TEST')) delete env[k];
  delete env.DATABASE_URL;
});
after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

describe('eenbieb import marc / export marc', { timeout: 3_600_000 }, () => {
  test('usage errors are exit code 2 and name what is wrong', () => {
    assert.equal(eenbieb('import', 'marc', fixture('marc4j/chabon.mrc')).status, 2);
    const both = eenbieb('import', 'marc', fixture('marc4j/chabon.mrc'), '--national', '--library', 'utrecht');
    assert.equal(both.status, 2);
    assert.match(both.stdout, /usage: eenbieb import marc <file> \(--library <slug> \| --national\)/);
    assert.equal(eenbieb('export', 'marc').status, 2);
  });

  test('imports with a summary, re-imports as updates, reports bad records by position, and exports MARCXML', () => {
    assert.equal(eenbieb('migrate').status, 0);
    const first = eenbieb('import', 'marc', fixture('marc4j/chabon.mrc'), '--national');
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /chabon\.mrc: 2 records read; imported 2, updated 0, failed 0\n$/);
    const again = eenbieb('import', 'marc', fixture('marc4j/chabon.xml'), '--national');
    assert.match(again.stdout, /chabon\.xml: 2 records read; imported 0, updated 2, failed 0\n$/);

    const bad = eenbieb('import', 'marc', fixture('pymarc/bad_records.mrc'), '--national');
    assert.equal(bad.status, 0, 'some records could be read');
    assert.match(bad.stdout, /^failed: record 4 \(byte 381\): directory length 13 is not a multiple of 12 \(bad directory\)$/m);
    assert.match(bad.stdout, /^failed: record 6 \(byte 637\): leader base address "f0037" is not a number$/m);
    assert.match(bad.stdout, /^warning: record 2 \(byte 127\) \[sha256:[0-9a-f]{32}\]: leader base address 99937 is wrong/m);
    // the file repeats one record four times: imported once, then updated
    assert.match(bad.stdout, /bad_records\.mrc: 5 records read; imported 1, updated 3, failed 4; 10 warnings\n$/);

    const unreadable = eenbieb('import', 'marc', fixture('ruby-marc/cp866_multirecord.marc'), '--national');
    assert.equal(unreadable.status, 1, 'nothing could be read');
    assert.match(unreadable.stdout, /failed: record 1 \(byte 0\): unknown character coding in leader\/09/);
    assert.equal(eenbieb('import', 'marc', path.join(dir, 'missing.mrc'), '--national').status, 1);
    const unknown = eenbieb('import', 'marc', fixture('marc4j/chabon.mrc'), '--library', 'nergenshuizen');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stdout, /unknown library "nergenshuizen"/);
  });

  test('export marc --title writes the imported title as MARCXML that reads back', async () => {
    const db = await openDatabase({ databaseUrl: null, dataDir: path.join(dir, 'data') });
    let title: { id: string; title: string };
    try {
      title = await db.kysely.selectFrom('title').select(['id', 'title']).where('source', '=', 'marc').where('sourceId', '=', '11939876').executeTakeFirstOrThrow();
    } finally {
      await db.close();
    }
    const out = path.join(dir, 'export.xml');
    const r = eenbieb('export', 'marc', '--title', title.id, '--out', out);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /1 MARCXML records written to/);
    const records = [];
    for await (const x of readMarcXml(fs.createReadStream(out))) records.push(x);
    assert.equal(records.length, 1);
    const f245 = records[0]!.record!.fields.find((f) => f.tag === '245');
    assert.ok(f245 && 'subfields' in f245);
    assert.equal(f245.subfields.find(([c]) => c === 'a')?.[1], title.title);
    const missing = eenbieb('export', 'marc', '--title', '00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, '');
  });
});
