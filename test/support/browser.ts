// Real Chromium (Debian's) through playwright-core. `findChromium()` is null when there is none;
// test/run.ts then leaves the browser tests out with one "skipped" line (never under CI=true).
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
}

export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found (set CHROMIUM_PATH)');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    // launch() gives every run a fresh, temporary profile (--user-data-dir) and removes it after
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
