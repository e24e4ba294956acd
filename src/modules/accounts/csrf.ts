// CSRF protection for forms. Signed-in: the session's secret; anonymous forms (login, sign-up):
// a double-submit cookie. Every POST form carries `_csrf`; `verifyCsrf` compares in constant
// time. The JSON API is not reachable from cross-site forms: its write routes accept only
// application/json (see accounts index), which a form cannot send without CORS.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defineError } from '../../platform/errors.ts';
import { isSecure, randomToken } from './session.ts';

export const CSRF_COOKIE = 'eb_csrf';

export const CsrfFailed = defineError('ACCOUNTS_CSRF_FAILED', 403, () => ({
  nl: 'Het formulier is verlopen of kwam niet van deze website. Probeer het opnieuw.',
  en: 'The form has expired or did not come from this website. Please try again.',
}));

export function csrfToken(req: FastifyRequest, reply: FastifyReply): string {
  if (req.session) return req.session.csrfSecret;
  let token = req.cookies?.[CSRF_COOKIE];
  if (!token || token.length < 20) {
    token = randomToken(24);
    reply.setCookie(CSRF_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: isSecure(req.ctx.config) });
    req.cookies[CSRF_COOKIE] = token;
  }
  return token;
}

export function verifyCsrf(req: FastifyRequest): void {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  const expected = req.session ? req.session.csrfSecret : req.cookies?.[CSRF_COOKIE];
  if (typeof sent !== 'string' || !expected) throw CsrfFailed();
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw CsrfFailed();
}
