// REST API of discovery: one search over everything a library offers.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problem } from '../../platform/http/problem-schema.ts';
import { AVI_LEVELS, FORMATS } from '../catalogue/index.ts';
import { STATUTORY_FUNCTIONS } from '../activities/index.ts';
import { getLibrary } from '../network/index.ts';
import * as discovery from './discovery.service.ts';
import {
  AVAILABILITY, KINDS, MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_LENGTH, MAX_YEAR, MIN_YEAR, SEARCH_AUDIENCES, SORTS, parseSearchRequest,
} from './query.ts';
import type { SearchResult } from './discovery.service.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const many = <T extends string>(values: readonly T[], description: string) =>
  Type.Optional(Type.Array(literals(values), { maxItems: 20, description: `${description} (repeat the parameter for several; values of one facet combine with OR, facets with AND)` }));
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: MAX_QUERY_LENGTH, description: 'Words to find. Dutch stemming and accent folding; "quotes" for a phrase, -word to exclude. Empty: browse by popularity.' })),
  kind: many(KINDS, 'What to find'),
  format: many(FORMATS, 'Formats'),
  availability: many(AVAILABILITY, 'available: a copy on the shelf (at the chosen branches); digital: readable online now; on_loan: copies, none on the shelf'),
  branch: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9-]{1,80}$' }), { maxItems: 20, description: 'Branch slugs: titles held and activities held at these branches; "online": online activities' })),
  language: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z]{3}$' }), { maxItems: 20, description: 'ISO 639-2/B codes' })),
  audience: many(SEARCH_AUDIENCES, 'Audience (titles and activities; seniors and families: activities only)'),
  avi: many(AVI_LEVELS, 'AVI reading level (titles only)'),
  yearFrom: Type.Optional(Type.Integer({ minimum: MIN_YEAR, maximum: MAX_YEAR, description: 'Titles only' })),
  yearTo: Type.Optional(Type.Integer({ minimum: MIN_YEAR, maximum: MAX_YEAR, description: 'Titles only' })),
  function: many(STATUTORY_FUNCTIONS, 'Statutory library functions served (activities only)'),
  free: Type.Optional(Type.Boolean({ description: 'true: free activities only (activities only)' })),
  from: Type.Optional(Type.String({ format: 'date', description: 'Activities with a session on or after this day (Europe/Amsterdam; activities only)' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Activities with a session on or before this day (activities only)' })),
  sort: Type.Optional(literals(SORTS)),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })),
  lang: Type.Optional(literals(['nl', 'en'] as const)),
});

const FacetValue = Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer(), selected: Type.Boolean() });

const TitleResult = Type.Object({
  kind: Type.Literal('title'),
  id: Type.String({ format: 'uuid', description: 'The title that best represents the work in this search' }),
  workId: Type.String({ format: 'uuid' }),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  contributors: Type.String(),
  year: Type.Union([Type.Integer(), Type.Null()]),
  yearDisplay: Nullable(Type.String()),
  language: Nullable(Type.String()),
  audience: Nullable(Type.String()),
  aviLevel: Nullable(Type.String()),
  series: Nullable(Type.String()),
  seriesNumber: Nullable(Type.String()),
  genres: Type.Array(Type.String()),
  formats: Type.Array(Type.Object({
    titleId: Type.String({ format: 'uuid' }),
    format: literals(FORMATS),
    digital: Type.Boolean(),
    year: Type.Union([Type.Integer(), Type.Null()]),
    openAccessUrl: Nullable(Type.String()),
    availability: Type.Ref('Availability'),
  })),
  score: Type.Number(),
});

const ActivityResult = Type.Object({
  kind: Type.Union([Type.Literal('activity'), Type.Literal('service')], { description: 'activity: an event or course; service: a service such as the Taalhuis' }),
  id: Type.String({ format: 'uuid', description: 'The activity: its page is /<slug>/activiteiten/<id>' }),
  activityKind: literals(['event', 'course', 'service'] as const),
  title: Type.String(),
  description: Type.String({ description: 'The start of the description (at most 300 characters)' }),
  startsAt: Type.String({ format: 'date-time', description: 'The next session (in the date range when one is asked); a course: its first meeting' }),
  endsAt: Type.String({ format: 'date-time' }),
  upcomingSessions: Type.Integer(),
  branch: Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]),
  online: Type.Boolean(),
  free: Type.Boolean(),
  priceCents: Type.Integer(),
  audience: Type.Array(literals(SEARCH_AUDIENCES)),
  statutoryFunctions: Type.Array(literals(STATUTORY_FUNCTIONS)),
  themes: Type.Array(Type.String()),
  shared: Type.Boolean({ description: 'Organised by another library and shared with the whole network' }),
  score: Type.Number(),
});

const SearchResponse = Type.Object({
  query: Type.String(),
  total: Type.Integer(),
  totalExact: Type.Boolean({ description: 'false: the candidate bound was reached and there are at least `total` results' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  results: Type.Array(Type.Union([TitleResult, ActivityResult]), { description: 'Titles, activities and services in one order, told apart by `kind`' }),
  facets: Type.Object({
    kind: Type.Array(FacetValue),
    format: Type.Array(FacetValue),
    availability: Type.Array(FacetValue),
    branch: Type.Array(FacetValue),
    language: Type.Array(FacetValue),
    audience: Type.Array(FacetValue),
    avi: Type.Array(FacetValue),
    year: Type.Object({
      min: Type.Union([Type.Integer(), Type.Null()]),
      max: Type.Union([Type.Integer(), Type.Null()]),
      from: Type.Union([Type.Integer(), Type.Null()]),
      to: Type.Union([Type.Integer(), Type.Null()]),
    }),
    function: Type.Array(FacetValue),
    free: Type.Array(FacetValue),
    date: Type.Object({ from: Nullable(Type.String({ format: 'date' })), to: Nullable(Type.String({ format: 'date' })) }),
  }),
  suggestion: Nullable(Type.String({ description: 'Corrected query ("Bedoelde u") when the words look misspelled' })),
});

export async function discoveryRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/v1/libraries/:slug/search', {
    config: { auth: 'public' },
    schema: {
      tags: ['discovery'],
      operationId: 'search',
      summary: 'One search over everything the library offers: physical and digital titles, activities and services',
      description: 'Results of every kind in one order (see the architecture notes on how relevance is merged). A filter that only one kind has (format, availability, avi, year; function, free, from/to) leaves the other kinds out; kind, audience, language and branch apply to both.',
      params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,60}$' }) }),
      querystring: SearchQuery,
      response: {
        200: SearchResponse,
        400: problem('A query longer than 500 characters, an unknown facet value or branch, or a page out of range'),
        404: problem('No library with this slug'),
      },
    },
  }, async (req) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    req.ctx.libraryId = library.id;
    // the schema has checked every value; this only normalises (the results page shares it)
    const { request } = parseSearchRequest(req.query as Record<string, unknown>);
    return searchJson(await discovery.search(req.ctx, request));
  });

  api.get('/api/v1/libraries/:slug/search/completions', {
    config: { auth: 'public' },
    schema: {
      tags: ['discovery'],
      operationId: 'completeSearch',
      summary: 'Completions of a query being typed (the last word completed from the catalogue\'s words)',
      params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,60}$' }) }),
      querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }),
      response: { 200: Type.Object({ completions: Type.Array(Type.String()) }), 400: problem('A query longer than 200 characters'), 404: problem('No library with this slug') },
    },
  }, async (req, reply) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    req.ctx.libraryId = library.id;
    reply.header('cache-control', 'public, max-age=300');
    return { completions: await discovery.complete(req.ctx, req.query.q) };
  });
}

/** Instants as ISO strings on the wire. */
function searchJson(result: SearchResult) {
  return {
    ...result,
    results: result.results.map((r) => (r.kind === 'title' ? r : { ...r, startsAt: r.startsAt.toISOString(), endsAt: r.endsAt.toISOString() })),
  };
}
