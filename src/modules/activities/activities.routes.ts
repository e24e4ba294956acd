// REST API of activities: the agenda, activity detail, registration and cancellation, and the
// librarian's tools (create, edit, publish, duplicate, registration lists, check-in).
import { Type, type Static, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../platform/context.ts';
import { problem } from '../../platform/http/problem-schema.ts';
import { LoginRequired } from '../accounts/index.ts';
import { getLibrary, libraryUrl, type Library } from '../network/index.ts';
import * as activities from './activities.service.ts';
import { ACTIVITY_KINDS, AUDIENCES, STATUTORY_FUNCTIONS } from './activities.tables.ts';
import { amsterdamToUtc } from './amsterdam-time.ts';
import { registrationsCsv } from './registrations-csv.ts';

const tags = ['activities'];
const Uuid = Type.String({ format: 'uuid' });
const Slug = Type.String({ pattern: '^[a-z0-9-]{1,60}$' });
const LibParams = Type.Object({ slug: Slug });
const ActivityParams = Type.Object({ slug: Slug, id: Uuid });
const RegistrationParams = Type.Object({ slug: Slug, id: Uuid, registrationId: Uuid });

// Spelled out (not mapped from the constant lists) so TypeBox infers the literal types.
const Fn = Type.Union([
  Type.Literal('knowledge_information'), Type.Literal('development_education'), Type.Literal('reading_literature'),
  Type.Literal('meeting_debate'), Type.Literal('art_culture'),
], { description: 'Statutory library function (Wsob art. 5)' });
const AudienceT = Type.Union([Type.Literal('children'), Type.Literal('youth'), Type.Literal('adults'), Type.Literal('seniors'), Type.Literal('families')]);
const Kind = Type.Union([Type.Literal('event'), Type.Literal('course'), Type.Literal('service')]);
// compile-time check that the schemas and the constant lists agree
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _agree: [Same<Static<typeof Fn>, (typeof STATUTORY_FUNCTIONS)[number]>, Same<Static<typeof AudienceT>, (typeof AUDIENCES)[number]>,
  Same<Static<typeof Kind>, (typeof ACTIVITY_KINDS)[number]>] = [true, true, true];
void _agree;
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('cancelled')]);

const BranchRef = Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]);

const Session = Type.Object({
  id: Uuid,
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('cancelled')]),
  capacity: Type.Union([Type.Integer(), Type.Null()], { description: 'Seats; null = no limit' }),
  seatsAvailable: Type.Union([Type.Integer(), Type.Null()]),
  waitlisted: Type.Integer(),
});

const Activity = Type.Object({
  id: Uuid,
  kind: Kind,
  title: Type.String(),
  description: Type.String(),
  audience: Type.Array(AudienceT),
  language: Type.String(),
  statutoryFunctions: Type.Array(Fn),
  themes: Type.Array(Type.String()),
  relatedTitleIds: Type.Array(Uuid, { description: 'Titles this activity is about; their title pages link to it' }),
  branch: BranchRef,
  room: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  online: Type.Boolean(),
  onlineUrl: Type.Union([Type.String(), Type.Null()], { description: 'The joining link: only for people with a seat, and staff' }),
  partner: Type.Union([Type.String(), Type.Null()]),
  priceCents: Type.Integer(),
  free: Type.Boolean(),
  registrationRequired: Type.Boolean(),
  cutoffMinutes: Type.Integer(),
  status: Status,
  url: Type.String({ format: 'uri' }),
  sessions: Type.Array(Session),
  myRegistrations: Type.Array(Type.Object({
    id: Uuid, sessionId: Uuid, status: Type.String(), position: Type.Union([Type.Integer(), Type.Null()]),
  })),
});

const AgendaItem = Type.Object({
  activityId: Uuid,
  sessionId: Uuid,
  kind: Kind,
  title: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  sessionCount: Type.Integer(),
  branch: BranchRef,
  online: Type.Boolean(),
  free: Type.Boolean(),
  priceCents: Type.Integer(),
  audience: Type.Array(AudienceT),
  statutoryFunctions: Type.Array(Fn),
  registrationRequired: Type.Boolean(),
  seatsAvailable: Type.Union([Type.Integer(), Type.Null()]),
  url: Type.String({ format: 'uri' }),
});

const ActivityBody = Type.Object({
  kind: Kind,
  title: Type.String({ minLength: 2, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 10000 })),
  audience: Type.Optional(Type.Array(AudienceT, { maxItems: 5 })),
  language: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
  branch: Type.Optional(Type.Union([Slug, Type.Null()])),
  room: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Null()])),
  location: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  online: Type.Optional(Type.Boolean()),
  onlineUrl: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  partner: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  priceCents: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000 })),
  registrationRequired: Type.Optional(Type.Boolean()),
  cutoffMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 43200 })),
  statutoryFunctions: Type.Array(Fn, { minItems: 1, maxItems: 5 }),
  themes: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })),
  relatedTitleIds: Type.Optional(Type.Array(Uuid, { maxItems: 20, description: 'Titles of the catalogue this activity is about (a reading club\'s book)' })),
  capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()])),
  sessions: Type.Array(Type.Object({ startsAt: Type.String({ format: 'date-time' }), endsAt: Type.String({ format: 'date-time' }) }), { minItems: 1, maxItems: 200 }),
  sharedNetwork: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

type ActivityBodyT = Static<typeof ActivityBody>;

function inputFrom(body: ActivityBodyT): activities.ActivityInput {
  const { branch, ...rest } = body;
  return { ...rest, branchSlug: branch ?? null, branchId: null };
}

export function activityJson(ctx: Pick<Ctx, 'config'>, library: Library, a: activities.ActivityDetail) {
  return {
    id: a.id, kind: a.kind, title: a.title, description: a.description, audience: a.audience, language: a.language,
    statutoryFunctions: a.statutoryFunctions, themes: a.themes, relatedTitleIds: a.relatedTitleIds,
    branch: a.branchSlug ? { slug: a.branchSlug, name: a.branchName! } : null,
    room: a.room, location: a.location, online: a.online, onlineUrl: a.onlineUrl, partner: a.partner,
    priceCents: a.priceCents, free: a.priceCents === 0, registrationRequired: a.registrationRequired, cutoffMinutes: a.cutoffMinutes,
    status: a.status,
    url: `${libraryUrl(ctx, library.slug)}activiteiten/${a.id}`,
    sessions: a.sessions.map((s) => ({
      id: s.id, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), status: s.status, capacity: s.capacity,
      seatsAvailable: s.capacity === null ? null : Math.max(0, s.capacity - s.seatsTaken), waitlisted: s.waitlisted,
    })),
    myRegistrations: a.mine.map((r) => ({ id: r.id, sessionId: r.sessionId, status: r.status, position: r.waitlistPosition })),
  };
}

export function agendaJson(ctx: Pick<Ctx, 'config'>, library: Library, e: activities.AgendaEntry) {
  return {
    activityId: e.id, sessionId: e.sessionId, kind: e.kind, title: e.title,
    startsAt: e.startsAt.toISOString(), endsAt: e.endsAt.toISOString(), sessionCount: e.sessionCount,
    branch: e.branchSlug ? { slug: e.branchSlug, name: e.branchName! } : null,
    online: e.online, free: e.priceCents === 0, priceCents: e.priceCents, audience: e.audience, statutoryFunctions: e.statutoryFunctions,
    registrationRequired: e.registrationRequired,
    seatsAvailable: e.capacity === null ? null : Math.max(0, e.capacity - e.seatsTaken),
    url: `${libraryUrl(ctx, library.slug)}activiteiten/${e.id}`,
  };
}

export const AgendaQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date', description: 'First day (Europe/Amsterdam); default today' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Last day, inclusive' })),
  audience: Type.Optional(AudienceT),
  function: Type.Optional(Fn),
  branch: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,80}$', description: 'A branch slug, or "online"' })),
  free: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

/** Filters from a query (API or the agenda form): dates are whole days in Amsterdam. */
export function agendaQuery(q: Static<typeof AgendaQuery>): activities.AgendaQuery {
  const nextDay = (d: string) => new Date(new Date(`${d}T12:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
  return {
    from: q.from ? amsterdamToUtc(q.from) ?? undefined : undefined,
    to: q.to ? amsterdamToUtc(nextDay(q.to)) ?? undefined : undefined,
    audience: q.audience,
    statutoryFunction: q.function,
    ...(q.branch === 'online' ? { online: true } : q.branch ? { branchSlug: q.branch } : {}),
    free: q.free,
    limit: q.limit,
  };
}

/** Name and page links of a feed. */
export function feedFor(ctx: Pick<Ctx, 'config' | 'lang'>, library: Library) {
  return {
    name: `${library.name}: ${ctx.lang === 'nl' ? 'activiteiten' : 'activities'}`,
    activityBase: `${libraryUrl(ctx, library.slug)}activiteiten/`,
  };
}

async function lib(req: FastifyRequest, slug: string): Promise<Library> {
  const library = await getLibrary(req.ctx, slug);
  req.ctx.libraryId = library.id;
  return library;
}

export async function activitiesRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/v1/libraries/:slug/activities';

  api.get(base, {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'listActivities', summary: 'The agenda: published activities, one entry per session (a course once)',
      params: LibParams, querystring: AgendaQuery,
      response: { 200: Type.Object({ activities: Type.Array(AgendaItem) }), 404: problem('No library with this slug') },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const entries = await activities.agenda(req.ctx, library.id, agendaQuery(req.query));
    return { activities: entries.map((e) => agendaJson(req.ctx, library, e)) };
  });

  const calendar = (reply: FastifyReply, text: string) =>
    reply.type('text/calendar; charset=utf-8').header('cache-control', 'public, max-age=300').send(text);

  api.get(`${base}.ics`, {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'libraryActivitiesCalendar', summary: 'iCalendar feed of the library\'s activities (Europe/Amsterdam, with VTIMEZONE)',
      params: LibParams, produces: ['text/calendar'],
      response: { 200: { description: 'text/calendar (RFC 5545)', content: { 'text/calendar': { schema: Type.String() } } }, 404: problem('No library with this slug') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    return calendar(reply, await activities.calendarFeed(req.ctx, library.id, {}, feedFor(req.ctx, library)));
  });

  api.get('/api/v1/libraries/:slug/branches/:branch/activities.ics', {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'branchActivitiesCalendar', summary: 'iCalendar feed of one branch\'s activities',
      params: Type.Object({ slug: Slug, branch: Type.String({ pattern: '^[a-z0-9-]{1,80}$' }) }), produces: ['text/calendar'],
      response: { 200: { description: 'text/calendar (RFC 5545)', content: { 'text/calendar': { schema: Type.String() } } }, 404: problem('No such library or branch') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    return calendar(reply, await activities.calendarFeed(req.ctx, library.id, { branchSlug: req.params.branch }, feedFor(req.ctx, library)));
  });

  api.get(`${base}/:id/calendar.ics`, {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'activityCalendar', summary: '"Add to my calendar": one activity with all its sessions as iCalendar',
      params: ActivityParams, produces: ['text/calendar'],
      response: { 200: { description: 'text/calendar (RFC 5545)', content: { 'text/calendar': { schema: Type.String() } } }, 404: problem('No such activity') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    return calendar(reply, await activities.calendarFeed(req.ctx, library.id, { activityId: req.params.id }, feedFor(req.ctx, library)));
  });

  api.post(`${base}/import`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'importActivities',
      summary: 'Import activities from an iCalendar file or feed URL (librarian): recurring events expand; broken events are reported and skipped',
      description: 'Give `calendar` (the text) or `url` (an http(s) feed, fetched by the server: at most 4 MiB and 15 s; internal and '
        + 'loopback addresses are refused), not both.',
      params: LibParams,
      body: Type.Object({
        calendar: Type.Optional(Type.String({ description: 'The iCalendar text (RFC 5545)' })),
        url: Type.Optional(Type.String({ maxLength: 2000, description: 'Address of an iCalendar feed (http or https)' })),
        statutoryFunctions: Type.Array(Fn, { minItems: 1, maxItems: 5, description: 'Functions the imported activities serve' }),
        kind: Type.Optional(Kind),
        publish: Type.Optional(Type.Boolean({ description: 'Publish at once (default: drafts)' })),
        capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()])),
        registrationRequired: Type.Optional(Type.Boolean()),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          imported: Type.Array(Type.Object({ uid: Type.String(), id: Uuid, title: Type.String(), sessions: Type.Integer() })),
          skipped: Type.Array(Type.Object({ uid: Type.Union([Type.String(), Type.Null()]), title: Type.Union([Type.String(), Type.Null()]), reason: Type.String() })),
        }),
        401: problem('Not signed in'), 403: problem('Not a librarian'),
        422: problem('No statutory function given; neither or both of calendar and url; the feed was refused, unreachable, too large or not a calendar'),
      },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const { calendar, url, ...options } = req.body;
    const { imported, skipped } = await activities.importFromSource(req.ctx, library.id, { calendar, url }, options);
    return { imported, skipped };
  });

  api.get(`${base}/mine`, {
    config: { auth: 'session' },
    schema: {
      tags, operationId: 'myRegistrations', summary: 'My activities: the signed-in person\'s registrations at this library',
      params: LibParams,
      response: {
        200: Type.Object({ registrations: Type.Array(Type.Object({
          id: Uuid, activityId: Uuid, sessionId: Uuid, title: Type.String(), status: Type.String(),
          position: Type.Union([Type.Integer(), Type.Null()]), startsAt: Type.String({ format: 'date-time' }), endsAt: Type.String({ format: 'date-time' }),
        })) }),
        401: problem('Not signed in'),
      },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    if (req.ctx.actor.kind !== 'account') throw LoginRequired();
    const rows = await activities.myRegistrations(req.ctx, library.id);
    return { registrations: rows.map((r) => ({
      id: r.id, activityId: r.activityId, sessionId: r.sessionId, title: r.title, status: r.status, position: r.waitlistPosition,
      startsAt: r.startsAt.toISOString(), endsAt: r.endsAt.toISOString(),
    })) };
  });

  api.get(`${base}/participation`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'sharedParticipation',
      summary: 'How many of this library\'s members registered for and attended online activities that other libraries share (counts only)',
      params: LibParams,
      response: {
        200: Type.Object({ activities: Type.Array(Type.Object({
          activityId: Uuid, title: Type.String(), organiser: Type.Object({ slug: Type.String(), name: Type.String() }),
          registered: Type.Integer(), attended: Type.Integer(),
        })) }),
        401: problem('Not signed in'), 403: problem('Not staff of this library'),
      },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const rows = await activities.sharedParticipation(req.ctx, library.id);
    return { activities: rows.map((r) => ({
      activityId: r.activityId, title: r.title, organiser: { slug: r.organiserSlug, name: r.organiserName }, registered: r.registered, attended: r.attended,
    })) };
  });

  api.post(`${base}/:id/messages`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'messageRegistrants', summary: 'Send a message to everyone registered or waiting (through the mail outbox)',
      params: ActivityParams,
      body: Type.Object({ subject: Type.String({ maxLength: 200 }), body: Type.String({ maxLength: 5000 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ sent: Type.Integer() }), 401: problem('Not signed in'), 403: problem('Not a librarian'), 404: problem('No such activity'), 422: problem('Empty subject or message') },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    return activities.messageRegistrants(req.ctx, library.id, req.params.id, req.body);
  });

  api.get(`${base}/:id`, {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'getActivity', summary: 'One activity with its sessions and seats',
      params: ActivityParams, response: { 200: Activity, 404: problem('No such (published) activity') },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    return activityJson(req.ctx, library, await activities.getActivity(req.ctx, library.id, req.params.id));
  });

  api.post(`${base}/:id/registrations`, {
    // a registration is what a flaky mobile connection retries: the key makes the retry safe
    config: { auth: 'public', idempotent: true },
    schema: {
      tags, operationId: 'registerForActivity',
      summary: 'Register for an activity: signed in, or as a guest with an e-mail address (becomes a connected user)',
      description: 'A full session puts the person on the waitlist at the next position. A course is booked once for all its meetings.',
      params: ActivityParams,
      body: Type.Object({
        sessionId: Type.Optional(Uuid),
        email: Type.Optional(Type.String({ maxLength: 254, description: 'Guests only' })),
        consent: Type.Optional(Type.Boolean({ description: 'Guests: agree that the address is used for this registration' })),
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({
          id: Uuid,
          status: Type.Union([Type.Literal('confirmed'), Type.Literal('waitlisted')]),
          position: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        404: problem('No such activity or session'),
        409: problem('Already registered, activity cancelled, no seats, walk-in only, or registration closed'),
        422: problem('Invalid e-mail address, no consent, or no session chosen'),
      },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    const r = await activities.register(req.ctx, library.id, req.params.id, req.body ?? {});
    // the code is a secret for the confirmation mail only
    return reply.code(201).send({ id: r.id, status: r.status, ...(r.position ? { position: r.position } : {}) });
  });

  api.delete(`${base}/:id/registrations/:registrationId`, {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'cancelRegistration',
      summary: 'Cancel a registration: the person signed in, staff, or anyone with the code from the confirmation mail',
      description: 'The first person on the waitlist gets the seat (and a notice). Closes at the activity\'s cut-off, except for staff.',
      params: RegistrationParams,
      headers: Type.Object({ 'registration-code': Type.Optional(Type.String({ maxLength: 64 })) }),
      response: {
        200: Type.Object({ status: Type.Literal('cancelled'), promoted: Type.Integer() }),
        404: problem('No such registration (or not yours)'),
        409: problem('Too late to cancel'),
      },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const code = req.headers['registration-code'];
    const r = await activities.cancelRegistration(req.ctx, library.id, req.params.registrationId, {
      activityId: req.params.id, ...(typeof code === 'string' ? { code } : {}),
    });
    return { status: 'cancelled' as const, promoted: r.promoted };
  });

  // Staff
  api.post(base, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'createActivity', summary: 'Create an activity (librarian); a draft unless published later',
      params: LibParams, body: ActivityBody,
      response: { 201: Type.Object({ id: Uuid }), 401: problem('Not signed in'), 403: problem('Not a librarian of this library'), 422: problem('Invalid activity') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    return reply.code(201).send(await activities.createActivity(req.ctx, library.id, inputFrom(req.body)));
  });

  api.put(`${base}/:id`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'updateActivity', summary: 'Edit an activity (librarian); dates change only while nobody has registered',
      params: ActivityParams, body: ActivityBody,
      response: { 204: Type.Null(), 401: problem('Not signed in'), 403: problem('Not a librarian'), 404: problem('No such activity'), 422: problem('Invalid activity') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    await activities.updateActivity(req.ctx, library.id, req.params.id, inputFrom(req.body));
    return reply.code(204).send(null);
  });

  api.post(`${base}/:id/status`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'setActivityStatus', summary: 'Publish, unpublish (draft) or cancel an activity',
      params: ActivityParams, body: Type.Object({ status: Status }, { additionalProperties: false }),
      response: { 204: Type.Null(), 401: problem('Not signed in'), 403: problem('Not a librarian'), 404: problem('No such activity') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    await activities.setStatus(req.ctx, library.id, req.params.id, req.body.status);
    return reply.code(204).send(null);
  });

  api.post(`${base}/:id/duplicate`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'duplicateActivity', summary: 'Copy an activity as a draft, dates shifted (default one week)',
      params: ActivityParams, body: Type.Optional(Type.Object({ shiftDays: Type.Optional(Type.Integer({ minimum: -3650, maximum: 3650 })) })),
      response: { 201: Type.Object({ id: Uuid }), 401: problem('Not signed in'), 403: problem('Not a librarian'), 404: problem('No such activity') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    return reply.code(201).send(await activities.duplicateActivity(req.ctx, library.id, req.params.id, req.body?.shiftDays ?? 7));
  });

  api.get(`${base}/:id/registrations`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'listRegistrations', summary: 'Registration list of an activity (staff; audited). Accept text/csv for a CSV export.',
      params: ActivityParams,
      response: {
        200: Type.Object({
          sessions: Type.Array(Type.Object({ id: Uuid, startsAt: Type.String({ format: 'date-time' }), capacity: Type.Union([Type.Integer(), Type.Null()]),
            registered: Type.Integer(), waitlisted: Type.Integer(), attended: Type.Integer(), cancelled: Type.Integer() })),
          registrations: Type.Array(Type.Object({
            id: Uuid, sessionId: Uuid, status: Type.String(), position: Type.Union([Type.Integer(), Type.Null()]),
            email: Type.Union([Type.String(), Type.Null()]), name: Type.Union([Type.String(), Type.Null()]),
            registeredAt: Type.String({ format: 'date-time' }), checkedInAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          })),
        }),
        401: problem('Not signed in'), 403: problem('Not staff of this library'), 404: problem('No such activity'),
      },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    const wantsCsv = (req.headers.accept ?? '').includes('text/csv');
    const list = await activities.listRegistrations(req.ctx, library.id, req.params.id, wantsCsv ? 'export' : 'list');
    if (wantsCsv) {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="aanmeldingen.csv"')
        .header('cache-control', 'no-store').send(registrationsCsv(list.registrations));
    }
    return {
      sessions: list.sessions.map((s) => ({ id: s.id, startsAt: s.startsAt.toISOString(), capacity: s.capacity,
        registered: s.seatsTaken, waitlisted: s.waitlisted, attended: s.attended, cancelled: s.cancelled })),
      registrations: list.registrations.map((r) => ({
        id: r.id, sessionId: r.sessionId, status: r.status, position: r.waitlistPosition, email: r.email,
        name: r.givenName ? `${r.givenName} ${r.familyName}` : null,
        registeredAt: r.createdAt.toISOString(), checkedInAt: r.checkedInAt ? r.checkedInAt.toISOString() : null,
      })),
    };
  });

  api.post(`${base}/:id/check-ins`, {
    config: { auth: 'staff' },
    schema: {
      tags, operationId: 'checkIn', summary: 'Check a person in at the door: by registration id (from the list) or by the QR code of the confirmation',
      params: ActivityParams,
      body: Type.Object({ registrationId: Type.Optional(Uuid), code: Type.Optional(Type.String({ maxLength: 64 })), sessionId: Type.Optional(Uuid) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ id: Uuid, status: Type.Literal('attended'), alreadyCheckedIn: Type.Boolean() }),
        401: problem('Not signed in'), 403: problem('Not staff'), 404: problem('No such registration'), 409: problem('Cancelled or waitlisted'),
      },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    return activities.checkIn(req.ctx, library.id, req.params.id, req.body);
  });
}
