// REST API of the catalogue: a title with all formats of its work and availability per branch,
// and a library's copies; for the library's librarians, adding and editing its local titles and
// its copies (national titles are read-only for libraries).
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem } from '../../platform/http/problem-schema.ts';
import { getLibrary } from '../network/index.ts';
import * as catalogue from './catalogue.service.ts';
import { AUDIENCES, AVI_LEVELS, FORMATS, ITEM_STATUSES } from './formats.ts';
import { STAFF_ITEM_STATUSES } from './catalogue.service.ts';

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
const Uuid = Type.String({ format: 'uuid' });
const OptionalText = (maxLength: number, description?: string) =>
  Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength, ...(description ? { description } : {}) })]));

const titleFields = {
  title: Type.String({ minLength: 1, maxLength: 1000 }),
  subtitle: OptionalText(1000),
  format: literals(FORMATS),
  contributors: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 300 }),
    role: Type.Optional(Type.String({ pattern: '^[a-z]{3}$', description: 'MARC relator code (aut, ill, trl, edt, nrt …); default aut' })),
  }, { additionalProperties: false }), { maxItems: 30 })),
  isbn: OptionalText(40, 'ISBN-10 or ISBN-13 in any written form; stored as ISBN-13 after the check digit is verified'),
  ppn: OptionalText(40, 'Pica Production Number (GGC), check character verified'),
  language: Type.Optional(Type.Union([Type.Null(), Type.String({ pattern: '^[a-z]{3}$', description: 'ISO 639-2/B' })])),
  // Type.Null first: Ajv coerces, and "" or null must not become 0
  year: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 2200 })])),
  edition: OptionalText(200),
  publisher: OptionalText(300),
  series: OptionalText(300),
  seriesNumber: OptionalText(40),
  genres: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
  subjects: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })),
  audience: Type.Optional(Type.Union([Type.Null(), literals(AUDIENCES)])),
  aviLevel: Type.Optional(Type.Union([Type.Null(), literals(AVI_LEVELS)], { description: "AVI reading level; only for children's books" })),
  description: OptionalText(10000),
};
const TitleBody = Type.Object(titleFields, { additionalProperties: false });
const NewTitleBody = Type.Object({
  ...titleFields,
  workId: Type.Optional(Type.Union([Type.Null(), Uuid], { description: 'Add as another format of this work (national or own)' })),
}, { additionalProperties: false });

const ItemBody = Type.Object({
  titleId: Uuid,
  branch: Type.String({ pattern: '^[a-z0-9-]{1,80}$', description: 'Slug of a branch of this library' }),
  barcode: Type.String({ minLength: 1, maxLength: 40, description: '8 to 14 digits ending in a Luhn check digit; spaces and hyphens are ignored' }),
  shelf: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(literals(STAFF_ITEM_STATUSES)),
}, { additionalProperties: false });

const ItemChanges = Type.Object({
  branch: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,80}$' })),
  barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  shelf: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(literals(STAFF_ITEM_STATUSES)),
}, { additionalProperties: false, minProperties: 1 });

const staffProblems = {
  401: problem('Not signed in'),
  403: problem('Not a librarian of this library (library admins need a second factor), or a national title'),
};

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

  api.post('/api/v1/libraries/:slug/titles', {
    config: { auth: 'staff' },
    schema: {
      tags: ['catalogue'],
      operationId: 'createLocalTitle',
      summary: 'Add a local-only title to this library\'s catalogue (librarians; audited)',
      params: Type.Object({ slug: Slug }),
      body: NewTitleBody,
      response: {
        201: TitleSchema, 400: problem('Invalid field, ISBN or PPN'), ...staffProblems,
        404: problem('No such library, or a work this library does not offer'), 422: problem('An AVI level on a title that is not for children'),
      },
    },
  }, async (req, reply) => {
    await inLibrary(req, req.params.slug);
    const title = await catalogue.createLocalTitle(req.ctx, req.body);
    reply.code(201);
    return title;
  });

  api.put('/api/v1/libraries/:slug/titles/:id', {
    config: { auth: 'staff' },
    schema: {
      tags: ['catalogue'],
      operationId: 'updateLocalTitle',
      summary: 'Replace the description of one of this library\'s local titles (librarians; audited); national titles are read-only',
      params: Type.Object({ slug: Slug, id: Uuid }),
      body: TitleBody,
      response: {
        200: TitleSchema, 400: problem('Invalid field, ISBN or PPN'), ...staffProblems,
        404: problem('No such library, or a title this library does not offer'), 422: problem('An AVI level on a title that is not for children'),
      },
    },
  }, async (req) => {
    await inLibrary(req, req.params.slug);
    return catalogue.updateLocalTitle(req.ctx, req.params.id, req.body);
  });

  api.post('/api/v1/libraries/:slug/items', {
    config: { auth: 'staff' },
    schema: {
      tags: ['catalogue'],
      operationId: 'createItem',
      summary: 'Put a copy of a national or own local title on a branch shelf (librarians; audited)',
      params: Type.Object({ slug: Slug }),
      body: ItemBody,
      response: {
        201: ItemSchema, 400: problem('Invalid barcode (format or check digit), shelf, or a branch of another library'), ...staffProblems,
        404: problem('No such library, or a title this library does not offer'), 409: problem('The barcode is already used at this library'),
      },
    },
  }, async (req, reply) => {
    await inLibrary(req, req.params.slug);
    const item = await catalogue.addItem(req.ctx, req.body);
    reply.code(201);
    return item;
  });

  api.patch('/api/v1/libraries/:slug/items/:id', {
    config: { auth: 'staff' },
    schema: {
      tags: ['catalogue'],
      operationId: 'updateItem',
      summary: 'Move, relabel or re-shelve a copy, or mark it missing or in processing (librarians; audited)',
      params: Type.Object({ slug: Slug, id: Uuid }),
      body: ItemChanges,
      response: {
        200: ItemSchema, 400: problem('Invalid barcode, shelf or branch, or no change given'), ...staffProblems,
        404: problem('No such library or copy'), 409: problem('The barcode is already used at this library, or lending holds the copy (on loan, hold shelf, in transit)'),
      },
    },
  }, async (req) => {
    await inLibrary(req, req.params.slug);
    return catalogue.updateItem(req.ctx, req.params.id, req.body);
  });

  api.delete('/api/v1/libraries/:slug/items/:id', {
    config: { auth: 'staff' },
    schema: {
      tags: ['catalogue'],
      operationId: 'withdrawItem',
      summary: 'Withdraw a copy from the collection (librarians; audited); the barcode is never reused',
      params: Type.Object({ slug: Slug, id: Uuid }),
      response: { 204: Type.Null(), 400: problem('Malformed id'), ...staffProblems, 404: problem('No such library or copy'), 409: problem('Lending holds the copy (on loan, hold shelf, in transit)') },
    },
  }, async (req, reply) => {
    await inLibrary(req, req.params.slug);
    await catalogue.withdrawItem(req.ctx, req.params.id);
    return reply.code(204).send(null);
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
