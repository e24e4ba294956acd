// The discovery module: one search over everything a library offers — today the catalogue's
// physical and digital titles; activities and services join as further result kinds. Other
// modules use it only through what this file exports.
import type { FastifyInstance } from 'fastify';
import { discoveryRoutes } from './discovery.routes.ts';
import { registerDiscoveryPages } from './discovery.pages.tsx';
import { registerOpdsRoutes } from './opds.routes.ts';

export { search, type SearchResult, type SearchResultItem, type TitleResult, type FacetValue } from './discovery.service.ts';
export { parseSearchRequest, searchQueryString, type SearchRequest } from './query.ts';

export async function discoveryModule(app: FastifyInstance): Promise<void> {
  await discoveryRoutes(app);
  await registerDiscoveryPages(app);
  await registerOpdsRoutes(app);
}
