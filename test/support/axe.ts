// axe-core in the page under test, for the WCAG 2.1 AA norm of architecture §7.
//
// How axe gets into the page: the site's CSP is `script-src 'self'`, so page.addScriptTag with
// inline content is refused by the browser. We do not use a context with bypassCSP either: that
// would also let inline styles apply and so test a page that visitors never see. page.evaluate
// runs through the DevTools protocol, which the page's CSP does not govern, so the page stays
// exactly as served while axe runs in it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.1 level A and AA rules: the legal norm for Dutch public bodies. */
export const WCAG21AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function axeViolations(page: Page, tags: string[] = WCAG21AA): Promise<Result[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(
    (runOnly) => (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe
      .run(document, { runOnly: { type: 'tag', values: runOnly }, resultTypes: ['violations'] }),
    tags,
  );
  return results.violations;
}

/** One line per failing element: rule, impact, CSS target and axe's own summary of what to fix. */
export function formatViolations(violations: Result[]): string {
  return violations.flatMap((v) => [
    `${v.id} (${v.impact ?? 'n/a'}): ${v.help}`,
    ...v.nodes.map((n) => `    ${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, ' ')}`),
  ]).join('\n');
}
