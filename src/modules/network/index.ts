// The network module: municipalities, postcode routing, libraries, branches and the branded
// portal shell. Other modules use it only through what this file exports.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppError } from '../../platform/errors.ts';
import { LibraryNotFound } from './network.errors.ts';
import { networkRoutes } from './network.routes.ts';
import { registerFinderPage, registerPortalPages, renderErrorPage } from './network.pages.tsx';
import * as network from './network.service.ts';
import type { PortalInfo } from './portal.tsx';

declare module 'fastify' {
  interface FastifyRequest {
    portal: PortalInfo | null;
  }
}

export { PortalPage, NationalPage, portalInfo, type PortalInfo } from './portal.tsx';
export { seedReferenceData, seedDemoNetwork, hasLibraries } from './network.seed.ts';
export { getLibrary, findLibrary, listLibraries, libraryUrl, routePostcode, forgetLibraryCache, branchDirectory, type Library } from './network.service.ts';

/** Marks raw requests that reached a portal through its own host name (see app.ts rewriteUrl). */
export const HOST_PORTAL = Symbol('eenbieb.hostPortal');

async function resolvePortal(req: FastifyRequest, slug: string): Promise<PortalInfo | null> {
  const library = await network.findLibrary(req.ctx, slug);
  if (!library) return null;
  const viaHost = (req.raw as unknown as Record<symbol, unknown>)[HOST_PORTAL] === slug;
  const path = req.url;
  return {
    library,
    base: viaHost ? '' : `/${library.slug}`,
    lang: req.lang,
    // the language switch keeps the page; on a library's own host the slug is not in its URL
    url: viaHost && path.startsWith(`/${slug}`) ? path.slice(slug.length + 1) || '/' : path,
  };
}

/**
 * Registers portal routes (`/:slug/...`) in an encapsulated scope whose requests know their
 * library (`req.portal`). An unknown slug is a 404 in the national style.
 */
export async function registerPortalRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => void | Promise<void>): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('preHandler', async (req) => {
      const slug = (req.params as { slug?: string }).slug ?? '';
      const portal = await resolvePortal(req, slug);
      if (!portal) throw LibraryNotFound();
      req.portal = portal;
      req.ctx.libraryId = portal.library.id;
    });
    await routes(scope);
  });
}

/** Error pages in the brand of the portal the URL points into, else national. */
export async function errorPage(req: FastifyRequest, error: AppError): Promise<string> {
  if (!req.portal && req.ctx) {
    const first = req.url.split('?')[0]!.split('/')[1] ?? '';
    if (first) req.portal = await resolvePortal(req, first).catch(() => null);
  }
  return renderErrorPage(req, error);
}

export async function networkModule(app: FastifyInstance, options: { installedPages: Set<string> }): Promise<void> {
  app.decorateRequest('portal', null);
  await networkRoutes(app);
  registerFinderPage(app);
  await registerPortalRoutes(app, (scope) => registerPortalPages(scope, options.installedPages));
}
