// A fresh database for one test file, started from the run's template (see template.ts).
import fs from 'node:fs';
import { openDatabase, type Db } from '../../src/platform/db/connection.ts';
import { adminQuery, serverUrl } from './template.ts';

let counter = 0;

export async function testDatabase(options: { poolSize?: number } = {}): Promise<Db> {
  if (process.env.DATABASE_URL) {
    const template = process.env.EENBIEB_TEST_PG_TEMPLATE;
    if (!template) throw new Error('run the tests with npm test (test/run.ts prepares the template database)');
    const name = `eenbieb_t${process.ppid}_${process.pid}_${counter++}`;
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    const db = await openDatabase({ databaseUrl: serverUrl(name), poolSize: options.poolSize ?? 10 });
    const close = db.close.bind(db);
    return Object.assign(db, {
      async close() {
        await close();
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    });
  }
  const file = process.env.EENBIEB_TEST_PGLITE_TEMPLATE;
  if (!file) throw new Error('run the tests with npm test (test/run.ts prepares the template database)');
  return openDatabase({ databaseUrl: null, dataDir: 'memory://', loadDataDir: new Blob([fs.readFileSync(file)]) });
}
