// The whole platform on a test database, for app.inject() or a real socket.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { build } from '../../src/app.ts';
import { testConfig, type Config } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/connection.ts';
import { forgetLibraryCache } from '../../src/modules/network/index.ts';
import { testDatabase } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  /** Every log line the app wrote (JSON), for privacy checks. */
  logs: string[];
  close(): Promise<void>;
}

export async function testApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  // a pool as large as the config asks (parallel requests on PostgreSQL)
  const db = await testDatabase(overrides.databasePoolSize ? { poolSize: overrides.databasePoolSize } : {});
  const config = testConfig({ logLevel: 'info', rateLimitPerMinute: 0, ...overrides });
  const logs: string[] = [];
  // test/run.ts scans every log line of the whole run for personal data afterwards
  const runLog = process.env.EENBIEB_TEST_LOG_DIR ? path.join(process.env.EENBIEB_TEST_LOG_DIR, `${process.pid}.log`) : null;
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      if (runLog) fs.appendFileSync(runLog, String(chunk));
      cb();
    },
  });
  forgetLibraryCache();
  const app = await build(config, db, { logStream });
  await app.ready();
  return {
    app, db, config, logs,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
