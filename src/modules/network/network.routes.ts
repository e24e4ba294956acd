// REST API of the network: postcode routing and the library directory.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problem } from '../../platform/http/problem-schema.ts';
import { hhmm } from '../../shared/opening-hours.ts';
import * as network from './network.service.ts';
import type { BranchView } from './network.service.ts';

const LibraryRef = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  url: Type.String({ format: 'uri' }),
});

const RouteResponse = Type.Object({
  postcode: Type.String({ description: 'The postcode as understood, e.g. "3511 AB" or "3511"' }),
  library: LibraryRef,
  municipality: Type.Object({ code: Type.String({ pattern: '^GM[0-9]{4}$' }), name: Type.String() }),
});

const LibrarySummary = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  shortName: Type.String(),
  kind: Type.Union([Type.Literal('city'), Type.Literal('regional')]),
  url: Type.String({ format: 'uri' }),
  municipalities: Type.Array(Type.String()),
});

const Hours = Type.Object({ opens: Type.String({ pattern: '^\\d\\d:\\d\\d$' }), closes: Type.String({ pattern: '^\\d\\d:\\d\\d$' }) });

const Branch = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  address: Type.Object({ street: Type.String(), houseNumber: Type.String(), postcode: Type.String(), city: Type.String() }),
  municipalityCode: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  openNow: Type.Boolean(),
  today: Type.Array(Hours),
  weekly: Type.Array(Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO 8601, 1 = Monday' }), opens: Type.String(), closes: Type.String() })),
  exceptions: Type.Array(Type.Object({
    date: Type.String({ format: 'date' }),
    closed: Type.Boolean(),
    hours: Type.Union([Hours, Type.Null()]),
    reason: Type.Object({ nl: Type.String(), en: Type.String() }),
  })),
});

function branchJson(b: BranchView) {
  return {
    slug: b.slug,
    name: b.name,
    address: { street: b.street, houseNumber: b.houseNumber, postcode: b.postcode, city: b.city },
    municipalityCode: b.municipalityCode,
    phone: b.phone,
    email: b.email,
    openNow: b.state.open,
    today: b.state.today.intervals.map((i) => ({ opens: hhmm(i.opens), closes: hhmm(i.closes) })),
    weekly: b.weekly.map((w) => ({ weekday: w.weekday, opens: hhmm(w.opens), closes: hhmm(w.closes) })),
    exceptions: b.upcoming.map((e) => ({
      date: e.date,
      closed: !e.opens,
      hours: e.opens && e.closes ? { opens: hhmm(e.opens), closes: hhmm(e.closes) } : null,
      reason: { nl: e.reasonNl, en: e.reasonEn },
    })),
  };
}

const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,60}$' }) });

export async function networkRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/api/v1/route', {
    config: { auth: 'public' },
    schema: {
      tags: ['network'],
      operationId: 'routePostcode',
      summary: 'Find the library that serves a postcode',
      description: 'Accepts "3511AB", "3511 ab" or "3511". The municipality of the PC4 area decides the library.',
      querystring: Type.Object({ postcode: Type.String({ maxLength: 20 }) }),
      response: {
        200: RouteResponse,
        400: problem('The postcode is not a valid Dutch postcode'),
        404: problem('Unknown postcode, or a post-box/business postcode without a municipality'),
      },
    },
  }, async (req) => network.routePostcode(req.ctx, req.query.postcode));

  api.get('/api/v1/libraries', {
    config: { auth: 'public' },
    schema: {
      tags: ['network'],
      operationId: 'listLibraries',
      summary: 'All libraries of the network with the municipalities they serve',
      response: { 200: Type.Object({ libraries: Type.Array(LibrarySummary) }) },
    },
  }, async (req) => ({ libraries: (await network.listLibraries(req.ctx)).map(({ places: _places, ...l }) => l) }));

  api.get('/api/v1/libraries/:slug', {
    config: { auth: 'public' },
    schema: {
      tags: ['network'],
      operationId: 'getLibrary',
      summary: 'One library: name, contact and brand tokens',
      params: SlugParams,
      response: {
        200: Type.Object({
          slug: Type.String(), name: Type.String(), shortName: Type.String(), url: Type.String({ format: 'uri' }),
          email: Type.String(), phone: Type.String(),
          brand: Type.Object({ primary: Type.String(), accent: Type.String(), tint: Type.String() }),
          branches: Type.Array(Branch),
        }),
        404: problem('No library with this slug'),
      },
    },
  }, async (req) => {
    const library = await network.getLibrary(req.ctx, req.params.slug);
    const branches = await network.listBranches(req.ctx, library.id);
    return {
      slug: library.slug, name: library.name, shortName: library.shortName, url: network.libraryUrl(req.ctx, library.slug),
      email: library.email, phone: library.phone, brand: library.brand, branches: branches.map(branchJson),
    };
  });

  api.get('/api/v1/libraries/:slug/branches/:branch', {
    config: { auth: 'public' },
    schema: {
      tags: ['network'],
      operationId: 'getBranch',
      summary: 'One branch with its opening hours and upcoming exceptions',
      params: Type.Object({ slug: SlugParams.properties.slug, branch: Type.String({ pattern: '^[a-z0-9-]{1,80}$' }) }),
      response: { 200: Branch, 404: problem('No such library or branch') },
    },
  }, async (req) => {
    const library = await network.getLibrary(req.ctx, req.params.slug);
    return branchJson(await network.getBranch(req.ctx, library.id, req.params.branch));
  });
}
