// REST API of membership: plans, sign-up, my account and data, staff member lookup and audit.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problem } from '../../platform/http/problem-schema.ts';
import { getLibrary } from '../network/index.ts';
import * as membership from './membership.service.ts';
import * as life from './life-events.ts';
import * as plans from './plans.service.ts';

const Slug = Type.String({ pattern: '^[a-z0-9-]{1,60}$' });
const Consents = Type.Object({
  reading_history: Type.Optional(Type.Boolean({ description: 'Keep my reading history' })),
  reading_advice: Type.Optional(Type.Boolean({ description: 'Personalised reading advice' })),
  newsletter: Type.Optional(Type.Boolean({ description: 'Newsletter' })),
  research: Type.Optional(Type.Boolean({ description: 'Anonymous research' })),
}, { additionalProperties: false });

const PlanJson = Type.Object({
  code: Type.String(), name: Type.Object({ nl: Type.String(), en: Type.String() }), kind: Type.Union([Type.Literal('lending'), Type.Literal('connected')]),
  yearlyFeeCents: Type.Integer(), minAge: Type.Union([Type.Integer(), Type.Null()]), maxAge: Type.Union([Type.Integer(), Type.Null()]),
  includesDigital: Type.Boolean({ description: 'Every lending plan includes the national digital collection' }),
  limits: Type.Object({ physicalLoans: Type.Integer(), digitalLoans: Type.Integer(), holds: Type.Integer(), loanPeriodDays: Type.Integer() }),
});

function planJson(p: membership.Plan) {
  return {
    code: p.code, name: { nl: p.nameNl, en: p.nameEn }, kind: p.kind, yearlyFeeCents: p.yearlyFeeCents, minAge: p.minAge, maxAge: p.maxAge,
    includesDigital: p.kind === 'lending',
    limits: { physicalLoans: p.maxPhysicalLoans, digitalLoans: p.maxDigitalLoans, holds: p.maxHolds, loanPeriodDays: p.loanPeriodDays },
  };
}

export async function membershipRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/api/v1/libraries/:slug/plans', {
    config: { auth: 'public' },
    schema: { tags: ['membership'], operationId: 'listPlans', summary: 'Membership plans of a library', params: Type.Object({ slug: Slug }), response: { 200: Type.Object({ plans: Type.Array(PlanJson) }), 404: problem('No such library') } },
  }, async (req) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    return { plans: (await membership.listPlans(req.ctx, library.id)).map(planJson) };
  });

  const PlanBody = {
    nameNl: Type.String({ minLength: 2, maxLength: 80 }), nameEn: Type.String({ minLength: 2, maxLength: 80 }),
    kind: Type.Union([Type.Literal('lending'), Type.Literal('connected')]),
    yearlyFeeCents: Type.Integer({ minimum: 0, maximum: 100_000 }),
    // Null first: Fastify's Ajv coerces types, and would turn null into 0 for an integer tried first
    minAge: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 130 })]), maxAge: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 130 })]),
    maxPhysicalLoans: Type.Integer({ minimum: 0, maximum: 200 }), maxDigitalLoans: Type.Integer({ minimum: 0, maximum: 100 }), maxHolds: Type.Integer({ minimum: 0, maximum: 100 }),
    loanPeriodDays: Type.Integer({ minimum: 1, maximum: 120 }), active: Type.Optional(Type.Boolean()), sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  };

  api.post('/api/v1/libraries/:slug/plans', {
    config: { auth: 'staff' },
    schema: {
      tags: ['membership'], operationId: 'createPlan', summary: 'Library admin (second factor): add a plan; every lending plan includes digital loans',
      params: Type.Object({ slug: Slug }), body: Type.Object({ code: Type.String({ maxLength: 40 }), ...PlanBody }, { additionalProperties: false }),
      response: { 201: Type.Null(), 401: problem('Not signed in'), 403: problem('Not a library admin, or no second factor'), 409: problem('Code exists'), 422: problem('Plan rules not met') },
    },
  }, async (req, reply) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    await plans.createPlan(req.ctx, library.id, req.body);
    return reply.code(201).send(null);
  });

  api.put('/api/v1/libraries/:slug/plans/:code', {
    config: { auth: 'staff' },
    schema: {
      tags: ['membership'], operationId: 'updatePlan', summary: 'Library admin (second factor): change a plan (fees, limits, active)',
      params: Type.Object({ slug: Slug, code: Type.String({ maxLength: 40 }) }), body: Type.Object(PlanBody, { additionalProperties: false }),
      response: { 204: Type.Null(), 401: problem('Not signed in'), 403: problem('Not a library admin, or no second factor'), 422: problem('Plan rules not met, or no such plan') },
    },
  }, async (req, reply) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    await plans.updatePlan(req.ctx, library.id, req.params.code, req.body);
    return reply.code(204).send(null);
  });

  api.post('/api/v1/accounts', {
    config: { auth: 'public' },
    schema: {
      tags: ['membership'], operationId: 'signUp', summary: 'Sign up: the postcode decides the home library',
      description: 'Answers 202 "check your mail" for a new address and for one that already has an account (its owner gets a mail instead): no account enumeration.',
      body: Type.Object({
        postcode: Type.String({ maxLength: 10 }), plan: Type.String({ maxLength: 40 }), email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1000 }),
        givenName: Type.String({ maxLength: 100 }), familyName: Type.String({ maxLength: 100 }),
        birthDate: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD; required for lending plans' })),
        street: Type.Optional(Type.String({ maxLength: 120 })), houseNumber: Type.Optional(Type.String({ maxLength: 20 })), city: Type.Optional(Type.String({ maxLength: 80 })),
        phone: Type.Optional(Type.String({ maxLength: 30 })), pin: Type.Optional(Type.String({ maxLength: 10, description: 'Kiosk PIN, 4–6 digits; lending plans' })),
        consents: Type.Optional(Consents), language: Type.Optional(Type.Union([Type.Literal('nl'), Type.Literal('en')])),
      }, { additionalProperties: false }),
      response: {
        202: Type.Object({ status: Type.Literal('check_your_mail'), library: Type.Object({ slug: Type.String(), name: Type.String() }), municipality: Type.Object({ code: Type.String(), name: Type.String() }) }),
        400: problem('Invalid postcode or body'), 404: problem('Postcode unknown'), 422: problem('Details, plan, age or password not acceptable'),
      },
    },
  }, async (req, reply) => {
    const result = await membership.signUp(req.ctx, req.body, null, { verifyUrl: (lib, token) => membership.verifyLink(req.ctx, lib, token) });
    return reply.code(202).send(result);
  });

  api.get('/api/v1/me', {
    config: { auth: 'session' },
    schema: { tags: ['membership'], operationId: 'getMe', summary: 'My account, membership, consents and charges', response: { 200: Type.Any(), 401: problem('Not signed in') } },
  }, async (req) => {
    const o = await membership.myOverview(req.ctx);
    return {
      id: o.account.id, email: o.account.email, emailVerified: o.account.emailVerifiedAt !== null, language: o.account.preferredLanguage,
      status: o.account.status, homeLibraryId: o.account.homeLibraryId,
      profile: o.profile && { givenName: o.profile.givenName, familyName: o.profile.familyName, birthDate: o.profile.birthDate, street: o.profile.street, houseNumber: o.profile.houseNumber, postcode: o.profile.postcode, city: o.profile.city, phone: o.profile.phone },
      membership: o.membership && { cardNumber: o.membership.cardNumber, plan: o.membership.planCode, kind: o.membership.kind, validUntil: o.membership.validUntil, includesDigital: o.membership.kind === 'lending', limits: { physicalLoans: o.membership.maxPhysicalLoans, digitalLoans: o.membership.maxDigitalLoans, holds: o.membership.maxHolds } },
      consents: Object.fromEntries(o.consents.map((c) => [c.purpose, c.granted])),
      charges: o.charges.map((c) => ({ kind: c.kind, amountCents: c.amountCents, description: c.description, paid: c.paidAt !== null })),
    };
  });

  api.put('/api/v1/me/consents', {
    config: { auth: 'session' },
    schema: { tags: ['membership'], operationId: 'setMyConsents', summary: 'Change consents (effective at once)', body: Consents, response: { 204: Type.Null(), 401: problem('Not signed in') } },
  }, async (req, reply) => {
    await membership.setConsents(req.ctx, req.body);
    return reply.code(204).send(null);
  });

  api.get('/api/v1/me/export', {
    config: { auth: 'session' },
    schema: { tags: ['membership'], operationId: 'exportMyData', summary: 'Everything held about me (JSON download)', response: { 200: Type.Any(), 401: problem('Not signed in') } },
  }, async (req, reply) => {
    const data = await membership.exportMyData(req.ctx);
    return reply.header('content-disposition', 'attachment; filename="mijn-gegevens.json"').send(data);
  });

  api.post('/api/v1/me/deletion', {
    config: { auth: 'session' },
    schema: { tags: ['membership'], operationId: 'requestAccountDeletion', summary: `Delete my account after a ${membership.DELETION_GRACE_DAYS}-day grace period`, response: { 202: Type.Object({ eraseAfter: Type.String() }), 401: problem('Not signed in') } },
  }, async (req, reply) => reply.code(202).send(await membership.requestDeletion(req.ctx)));

  api.delete('/api/v1/me/deletion', {
    config: { auth: 'session' },
    schema: { tags: ['membership'], operationId: 'cancelAccountDeletion', summary: 'Keep my account after all', response: { 204: Type.Null(), 401: problem('Not signed in') } },
  }, async (req, reply) => {
    await membership.cancelDeletion(req.ctx);
    return reply.code(204).send(null);
  });

  const Address = {
    postcode: Type.String({ maxLength: 10 }), street: Type.String({ maxLength: 120 }), houseNumber: Type.String({ maxLength: 20 }), city: Type.String({ maxLength: 80 }),
  };

  api.post('/api/v1/me/membership', {
    config: { auth: 'session' },
    schema: {
      tags: ['membership'], operationId: 'becomeMember', summary: 'Connected user → member: choose a lending plan (physical and digital)',
      body: Type.Object({ plan: Type.String({ maxLength: 40 }), birthDate: Type.String({ maxLength: 10 }), pin: Type.String({ maxLength: 10 }), ...Address }, { additionalProperties: false }),
      response: { 204: Type.Null(), 401: problem('Not signed in'), 409: problem('Already a member'), 422: problem('Details, plan or age not acceptable') },
    },
  }, async (req, reply) => {
    await life.becomeMember(req.ctx, req.body);
    return reply.code(204).send(null);
  });

  api.post('/api/v1/me/move', {
    config: { auth: 'session' },
    schema: {
      tags: ['membership'], operationId: 'moveHouse', summary: 'New address; into another library\'s area the membership moves there after confirmation',
      body: Type.Object({ ...Address, confirm: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ status: Type.String({ enum: ['address_updated', 'confirm_transfer', 'transferred'] } as never), library: Type.Optional(Type.Object({ slug: Type.String(), name: Type.String() })), municipality: Type.Optional(Type.Object({ code: Type.String(), name: Type.String() })), cardNumber: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
        401: problem('Not signed in'), 422: problem('Address not complete'),
      },
    },
  }, async (req) => life.moveHouse(req.ctx, req.body));

  api.post('/api/v1/me/membership/stop', {
    config: { auth: 'session' },
    schema: { tags: ['membership'], operationId: 'stopBorrowing', summary: 'Stop borrowing; keep a free connected account', response: { 204: Type.Null(), 401: problem('Not signed in') } },
  }, async (req, reply) => {
    await life.stopBorrowing(req.ctx);
    return reply.code(204).send(null);
  });

  api.get('/api/v1/libraries/:slug/members', {
    config: { auth: 'staff' },
    schema: {
      tags: ['membership'], operationId: 'searchMembers', summary: 'Staff: find members by card number or name (audited)',
      params: Type.Object({ slug: Slug }), querystring: Type.Object({ q: Type.String({ maxLength: 100 }) }),
      response: { 200: Type.Object({ members: Type.Array(Type.Object({ accountId: Type.String(), cardNumber: Type.String(), name: Type.String() })) }), 401: problem('Not signed in'), 403: problem('Not staff of this library') },
    },
  }, async (req) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    const rows = await membership.searchMembers(req.ctx, library.id, req.query.q);
    return { members: rows.map((r) => ({ accountId: r.accountId, cardNumber: r.cardNumber, name: `${r.givenName} ${r.familyName}` })) };
  });

  api.get('/api/v1/libraries/:slug/members/:accountId', {
    config: { auth: 'staff' },
    schema: {
      tags: ['membership'], operationId: 'viewMember', summary: 'Staff: one member\'s personal data; writes an audit event with the reason',
      params: Type.Object({ slug: Slug, accountId: Type.String({ maxLength: 36 }) }),
      querystring: Type.Object({ reason: Type.String({ enum: [...membership.VIEW_REASONS] as string[] } as never) }),
      response: { 200: Type.Any(), 401: problem('Not signed in'), 403: problem('Not staff of this library'), 404: problem('No such member here'), 422: problem('Reason missing') },
    },
  }, async (req) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    return membership.viewMember(req.ctx, library.id, req.params.accountId, req.query.reason);
  });

  api.get('/api/v1/libraries/:slug/audit', {
    config: { auth: 'staff' },
    schema: {
      tags: ['membership'], operationId: 'readAuditTrail', summary: 'Library admin (with second factor): the audit trail',
      params: Type.Object({ slug: Slug }),
      response: { 200: Type.Object({ events: Type.Array(Type.Any()) }), 401: problem('Not signed in'), 403: problem('Not a library admin, or no second factor') },
    },
  }, async (req) => {
    const library = await getLibrary(req.ctx, req.params.slug);
    return { events: await membership.auditTrail(req.ctx, library.id) };
  });
}
