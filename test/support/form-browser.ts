// A visitor without JavaScript, for page tests over app.inject(): asks for HTML, keeps cookies
// between requests, and posts forms url-encoded with the page's CSRF token, as a browser would.
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';

const html = { accept: 'text/html' };

/** The CSRF token of the (first) form on a page; fails the test when the page has none. */
export function csrfOf(body: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(body);
  assert.ok(m, 'the page carries a CSRF token');
  return m[1]!;
}

export function formBrowser(t: TestApp, initial: Record<string, string> = {}) {
  const jar: Record<string, string> = { ...initial };
  return {
    jar,
    async get(url: string) {
      const res = await t.app.inject({ url, headers: html, cookies: jar });
      for (const c of res.cookies) jar[c.name] = c.value;
      return res;
    },
    async post(url: string, form: Record<string, string>) {
      const res = await t.app.inject({
        method: 'POST', url, cookies: jar,
        headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      });
      for (const c of res.cookies) jar[c.name] = c.value;
      return res;
    },
    /** Submits a form of `page` (found by its action) with the CSRF token of the page. */
    async submit(page: string, action: string, form: Record<string, string> = {}) {
      const p = await this.get(page);
      assert.ok(p.body.includes(`action="${action}"`), `${page} has a form posting to ${action}`);
      return this.post(action, { _csrf: csrfOf(p.body), ...form });
    },
  };
}
