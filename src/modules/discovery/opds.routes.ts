// OPDS 2.0 catalogue of each library's digital collection at /<slug>/opds (navigation) and
// /<slug>/opds/publicaties (publications, facets, search template `{?query}`). Reading apps
// (Thorium, Palace) consume it; it is a public feed, like the portal itself.
import type { FastifyInstance } from 'fastify';
import { libraryUrl, portalInfo, registerPortalRoutes } from '../network/index.ts';
import { DIGITAL_FORMATS } from '../catalogue/index.ts';
import { InvalidSearch } from './discovery.errors.ts';
import * as discovery from './discovery.service.ts';
import { OPDS_TYPE, navigationFeed, publicationsFeed, type OpdsContext } from './opds.ts';
import { parseSearchRequest } from './query.ts';

const PAGE_SIZE = 50;

export async function registerOpdsRoutes(app: FastifyInstance): Promise<void> {
  await registerPortalRoutes(app, (scope) => {
    const context = (req: Parameters<typeof portalInfo>[0]): OpdsContext => {
      const portal = portalInfo(req);
      return { portalUrl: libraryUrl(req.ctx, portal.library.slug), libraryName: portal.library.name, lang: portal.lang };
    };

    scope.get('/:slug/opds', { schema: { hide: true } }, async (req, reply) =>
      reply.type(OPDS_TYPE).header('cache-control', 'public, max-age=300').send(navigationFeed(context(req))));

    scope.get('/:slug/opds/publicaties', { schema: { hide: true } }, async (req, reply) => {
      const raw = { ...(req.query as Record<string, unknown>) };
      // the OPDS search template names its variable `query`
      if (raw.query !== undefined && raw.q === undefined) raw.q = raw.query;
      delete raw.query;
      const { request, problems } = parseSearchRequest({ pageSize: String(PAGE_SIZE), ...raw });
      if (problems.length) {
        throw InvalidSearch(problems.map((p) => ({ field: p.field, message: { nl: `Onbekende waarde: ${p.value}`, en: `Unknown value: ${p.value}` } })));
      }
      // the digital collection: digital formats only
      request.format = request.format.length ? request.format.filter((f) => DIGITAL_FORMATS.includes(f)) : [...DIGITAL_FORMATS];
      if (!request.format.length) request.format = [...DIGITAL_FORMATS];
      // publications only: the filters of activities do not apply to a reading app's feed
      Object.assign(request, { kind: ['title'], function: [], free: false, from: null, to: null });
      const result = await discovery.search(req.ctx, request);
      return reply.type(OPDS_TYPE).header('cache-control', 'public, max-age=60').send(publicationsFeed(context(req), request, result));
    });
  });
}
