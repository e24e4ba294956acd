// One OpenAPI 3.1 document generated from the route schemas (TypeBox), served at
// /api/v1/openapi.json and committed as openapi.json with sorted keys so API changes show in
// review. A test fails when the committed document is out of date (`npm run openapi` rewrites it).
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Eenbieb API',
        version: '1',
        description:
          'The open API of the Eenbieb library network. Everything the portals do goes through it, so a library can build its own front-end. Errors are RFC 9457 problem+json with stable codes.',
        license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'network', description: 'Libraries, branches and postcode routing' },
        { name: 'accounts', description: 'Signing in and out, passwords, second factor, sessions' },
        { name: 'membership', description: 'Plans, sign-up, my account and data, staff member lookup and audit' },
        { name: 'catalogue', description: 'Titles, formats, copies and MARCXML export' },
        { name: 'discovery', description: 'One search over the collection, with facets and suggestions' },
        { name: 'activities', description: 'Events, courses and services: agenda, registrations, waitlists, check-in, iCalendar' },
        { name: 'lending', description: 'Loans, returns, renewals, holds, digital lending and access, the desk' },
      ],
      components: {
        schemas: {},
      },
    },
    hideUntagged: true,
  });
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The document as committed: sorted keys, two-space indentation, trailing newline. */
export function openApiText(app: FastifyInstance): string {
  return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`;
}
