// Checks every page owes its visitors in a real browser (STYLE.md, Pages), shared by the browser
// tests: where the keyboard focus is, reaching an element with Tab alone, and the page basics
// (one h1, a language, a working skip link, one <main>, no skipped heading levels).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export interface Focused { tag: string; id: string; type: string; href: string | null; text: string; outline: string; checked: boolean | null }

export async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      type: el?.getAttribute('type') ?? '',
      href: el?.getAttribute('href') ?? null,
      text: el?.textContent?.trim() ?? '',
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : '',
      checked: el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? el.checked : null,
    };
  });
}

/**
 * The focus after a page loaded with an `autofocus` field: Chromium moves the focus there at its
 * next rendering step, which can come after the load event on a busy machine, so this waits (up
 * to `ms`) for the focus to leave <body> before reading it. A page without autofocus still fails
 * the caller's assertion, only later.
 */
export async function autofocused(page: Page, ms = 3000): Promise<Focused> {
  await page.waitForFunction(() => document.activeElement !== null && document.activeElement !== document.body, null, { timeout: ms })
    .catch(() => {});
  return focused(page);
}

/** WCAG 2.4.7: the keyboard user must see where the focus is. */
export function assertFocusVisible(f: Focused, what: string): void {
  assert.doesNotMatch(f.outline, /^none|\b0px$/, `${what}: focus is visible (outline ${f.outline})`);
}

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `max`. */
export async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, max = 80): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (match(f)) {
      assertFocusVisible(f, what);
      return f;
    }
  }
  throw new Error(`${what}: not reached with ${max} presses of Tab`);
}

/** What every page owes its visitors (STYLE.md, Pages): one h1, a language, a working skip link. */
export async function assertPageBasics(page: Page, path: string): Promise<void> {
  const basics = await page.evaluate(() => {
    const skip = document.querySelector('body > a.eb-skip-link');
    const target = skip?.getAttribute('href')?.startsWith('#') ? document.getElementById(skip.getAttribute('href')!.slice(1)) : null;
    return {
      h1s: document.querySelectorAll('h1').length,
      lang: document.documentElement.getAttribute('lang'),
      skipFirst: skip !== null && skip === document.body.querySelector('a, button, input, select, textarea, [tabindex]'),
      skipTarget: target?.tagName.toLowerCase() ?? null,
      mains: document.querySelectorAll('main').length,
      headings: Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'), (h) => Number(h.tagName[1])),
    };
  });
  assert.equal(basics.h1s, 1, `${path}: exactly one <h1>`);
  assert.match(basics.lang ?? '', /^(nl|en)$/, `${path}: <html lang>`);
  assert.ok(basics.skipFirst, `${path}: a skip link is the first focusable element`);
  assert.equal(basics.skipTarget, 'main', `${path}: the skip link leads to <main>`);
  assert.equal(basics.mains, 1, `${path}: exactly one <main>`);
  // screen reader users navigate by headings; a skipped level reads as a missing section (WCAG 1.3.1)
  assert.equal(basics.headings[0], 1, `${path}: the first heading is the <h1> (levels ${basics.headings.join(' ')})`);
  const skipped = basics.headings.findIndex((level, i) => i > 0 && level > basics.headings[i - 1]! + 1);
  assert.equal(skipped, -1, `${path}: heading levels ${basics.headings.join(' ')} skip a level`);
}
