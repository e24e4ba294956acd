// The platform on a real socket for browser tests, with its public URL set to that address
// (redirects, mails and the OIDC issuer carry it), and a Chromium to drive it.
import type { Browser } from 'playwright-core';
import type { Config } from '../../src/platform/config.ts';
import { testApp, type TestApp } from './app.ts';
import { launchBrowser } from './browser.ts';

export interface BrowserApp {
  t: TestApp;
  origin: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserApp(overrides: Partial<Config> = {}): Promise<BrowserApp> {
  const t = await testApp(overrides);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  t.config.publicUrl = origin;
  const { browser, close } = await launchBrowser();
  return {
    t, origin, browser,
    async close() {
      await close();
      await t.close();
    },
  };
}
