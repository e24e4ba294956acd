// Every request gets a language and a service context (see platform/context.ts).
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Ctx } from '../context.ts';
import type { Database } from '../db/database.ts';
import { LANG_COOKIE, resolveLang, type Lang } from '../i18n.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    ctx: Ctx;
  }
}

export function installRequestContext(app: FastifyInstance, config: Config, db: Kysely<Database>): void {
  app.decorateRequest('lang', 'nl');
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.addHook('onRequest', async (req, reply) => {
    const { lang, fromQuery } = resolveLang(req);
    req.lang = lang;
    // `?lang=en` on any page switches the language and keeps it for the next pages (no JS needed).
    if (fromQuery && req.cookies?.[LANG_COOKIE] !== lang) {
      reply.setCookie(LANG_COOKIE, lang, {
        path: '/', sameSite: 'lax', httpOnly: true, secure: config.publicUrl.startsWith('https:'), maxAge: 60 * 60 * 24 * 365,
      });
    }
    req.ctx = { db, config, requestId: req.id, lang, actor: { kind: 'anonymous' } };
    reply.header('x-request-id', req.id);
  });
}
