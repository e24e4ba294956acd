// REST API of the catalogue: a title with all formats of its work and availability per branch,
// and a library's copies.
// TODO(#4): staff endpoints to add and edit local titles and items (ISBN and barcode validation is
// ready in isbn.ts / identifiers.ts) wait for staff sessions from the membership work.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem } from '../../platform/http/problem-schema.ts';
import { getLibrary } from '../network/index.ts';
import * as catalogue from './catalogue.service.ts';
import { AUDIENCES, AVI_LEVELS, FORMATS, ITEM_STATUSES } from './formats.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const AvailabilitySchema = Type.Object({
  copies: Type.Integer({ description: 'Copies at this library that can be borrowed or reserved' }),
  available: Type.Integer({ description: 'Copies on the shelf now' }),
  branches: Type.Array(Type.Object({
    branchSlug: Type.String(),
    branchName: Type.String(),
    copies: Type.Integer(),
    available: Type.Integer(),
    shelves: Type.Array(Type.String()),
  })),
}, { $id: 'Availability' });

const Format = Type.Object({
  id: Type.String({ format: 'uuid' }),
  format: literals(FORMATS),
  digital: Type.Boolean(),
  title: Type.String(),
  year: Type.Union([Type.Integer(), Type.Null()]),
  yearDisplay: Nullable(Type.String()),
  edition: Nullable(Type.String()),
  publisher: Nullable(Type.String()),
  isbn: Nullable(Type.String()),
  language: Nullable(Type.String()),
  local: Type.Boolean({ description: 'A local-only title of this library' }),
  openAccessUrl: Nullable(Type.String({ description: 'Open-access content anyone may read now' })),
  availability: Type.Ref('Availability'),
});

const TitleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  workId: Type.String({ format: 'uuid' }),
  format: literals(FORMATS),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  contributors: Type.Array(Type.Object({ name: Type.String(), sortName: Type.String(), role: Type.String({ description: 'MARC relator code (aut, ill, trl …)' }) })),
  language: Nullable(Type.String({ description: 'ISO 639-2/B' })),
  year: Type.Union([Type.Integer(), Type.Null()]),
  yearDisplay: Nullable(Type.String()),
  edition: Nullable(Type.String()),
  publisher: Nullable(Type.String()),
  series: Nullable(Type.String()),
  seriesNumber: Nullable(Type.String()),
  genres: Type.Array(Type.String()),
  subjects: Type.Array(Type.String()),
  audience: Type.Union([literals(AUDIENCES), Type.Null()]),
  aviLevel: Type.Union([literals(AVI_LEVELS), Type.Null()]),
  isbn: Nullable(Type.String({ description: 'ISBN-13' })),
  ppn: Nullable(Type.String()),
  description: Nullable(Type.String()),
  local: Type.Boolean(),
  formats: Type.Array(Format, { description: 'Every format and edition of the work this library offers, this title first' }),
});

const ItemSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  titleId: Type.String({ format: 'uuid' }),
  barcode: Type.String(),
  shelf: Type.String(),
  status: literals(ITEM_STATUSES),
  branchSlug: Type.String(),
  branchName: Type.String(),
});

const Slug = Type.String({ pattern: '^[a-z0-9-]{1,60}$' });

async function inLibrary(req: FastifyRequest, slug: string) {
  const library = await getLibrary(req.ctx, slug);
  req.ctx.libraryId = library.id;
  return library;
}

const MARCXML = 'application/marcxml+xml';

export async function catalogueRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(AvailabilitySchema);

  api.get('/api/v1/libraries/:slug/titles/:id', {
    config: { auth: 'public' },
    schema: {
      tags: ['catalogue'],
      operationId: 'getTitle',
      summary: 'A title with every format of its work and availability per branch at this library',
      params: Type.Object({ slug: Slug, id: Type.String({ format: 'uuid' }) }),
      response: { 200: TitleSchema, 400: problem('Malformed id'), 404: problem('No such library, or a title this library does not offer') },
    },
  }, async (req) => {
    await inLibrary(req, req.params.slug);
    return catalogue.getTitle(req.ctx, req.params.id);
  });

  api.get('/api/v1/libraries/:slug/titles/:id/items', {
    config: { auth: 'public' },
    schema: {
      tags: ['catalogue'],
      operationId: 'listTitleItems',
      summary: "This library's physical copies of a title",
      params: Type.Object({ slug: Slug, id: Type.String({ format: 'uuid' }) }),
      response: { 200: Type.Object({ items: Type.Array(ItemSchema) }), 400: problem('Malformed id'), 404: problem('No such library or title') },
    },
  }, async (req) => {
    await inLibrary(req, req.params.slug);
    return { items: await catalogue.listItems(req.ctx, req.params.id) };
  });

  api.get('/api/v1/libraries/:slug/items/:id', {
    config: { auth: 'public' },
    schema: {
      tags: ['catalogue'],
      operationId: 'getItem',
      summary: 'One physical copy: branch, shelf and status',
      params: Type.Object({ slug: Slug, id: Type.String({ format: 'uuid' }) }),
      response: {
        200: Type.Intersect([ItemSchema, Type.Object({ title: Type.String(), format: literals(FORMATS) })]),
        400: problem('Malformed id'),
        404: problem('No such library or copy'),
      },
    },
  }, async (req) => {
    await inLibrary(req, req.params.slug);
    return catalogue.getItem(req.ctx, req.params.id);
  });

  api.get('/api/v1/libraries/:slug/marcxml', {
    config: { auth: 'public' },
    schema: {
      tags: ['catalogue'],
      operationId: 'exportMarcXml',
      summary: 'MARC 21 records (MARCXML) of one or more titles, with this library\'s copies as 852 holdings',
      params: Type.Object({ slug: Slug }),
      querystring: Type.Object({ id: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100, description: 'Title ids (repeat for a set)' }) }),
      response: {
        200: { description: 'A MARCXML collection', content: { [MARCXML]: { schema: Type.String() } } },
        400: problem('No id, more than 100, or a malformed one'),
        404: problem('No such library, or a title this library does not offer'),
      },
    },
  }, async (req, reply) => {
    const library = await inLibrary(req, req.params.slug);
    const body = await catalogue.exportMarcXml(req.ctx, req.query.id, library.name);
    return reply.type(`${MARCXML}; charset=utf-8`).send(body);
  });
}
