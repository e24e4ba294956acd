// REST API of lending: check out (desk or self-service), returns, renewals, holds with pause and
// cancel, digital borrowing and return with access links, the desk's lists, and the check a
// content provider makes on an access token. The same services run behind pages, SIP2 and jobs.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../../platform/context.ts';
import { inTenant } from '../../platform/db/tenant.ts';
import { problem } from '../../platform/http/problem-schema.ts';
import { LoginRequired } from '../accounts/index.ts';
import { getLibrary, libraryUrl, type Library } from '../network/index.ts';
import { checkIn, checkOut, markDamaged, markLost, renew, renewAll, type CheckOutResult } from './circulation.service.ts';
import { assertDesk, deskLookup, holdShelf, inTransit, pullList } from './desk.service.ts';
import { borrowDigital, returnDigital } from './digital.service.ts';
import { cancelHold, placeHold, setFrozen } from './holds.service.ts';
import { BranchUnknown, LoanNotFound, NotHomeLibrary, SelfCheckoutOff } from './lending.errors.ts';
import type { NoticeLibrary } from './lending.notices.ts';
import { settingsOf } from './lending.repository.ts';
import { accessFor, checkToken } from './access.service.ts';
import { myLending, payCharges, accountByCard, type PatronStatus } from './patron.service.ts';
import { getRules, setRules } from './rules.service.ts';

const tags = ['lending'];
const Uuid = Type.String({ format: 'uuid' });
const Slug = Type.String({ pattern: '^[a-z0-9-]{1,60}$' });
const Barcode = Type.String({ pattern: '^[0-9]{8,14}$', description: 'The copy\'s barcode (digits)' });
const Card = Type.String({ pattern: '^[0-9]{14}$', description: 'Library card number' });
const LibParams = Type.Object({ slug: Slug });
const IdParams = Type.Object({ slug: Slug, id: Uuid });

const LoanJson = Type.Object({
  id: Uuid, kind: Type.Union([Type.Literal('physical'), Type.Literal('digital')]), titleId: Uuid, title: Type.String(), format: Type.String(),
  barcode: Type.Union([Type.Null(), Type.String()]), checkedOutAt: Type.String({ format: 'date-time' }), dueAt: Type.String({ format: 'date-time' }),
  renewals: Type.Integer(), overdue: Type.Boolean(),
});
const HoldJson = Type.Object({
  id: Uuid, kind: Type.Union([Type.Literal('physical'), Type.Literal('digital')]), titleId: Uuid, title: Type.String(),
  status: Type.String(), frozen: Type.Boolean(), position: Type.Integer(), pickupBranch: Type.Union([Type.Null(), Type.String()]),
  readyUntil: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]), autoCheckout: Type.Boolean(),
});
const StatusJson = Type.Object({
  cardNumber: Type.String(), displayName: Type.String(), lending: Type.Boolean(),
  blocks: Type.Array(Type.Union([Type.Literal('fees'), Type.Literal('expired')])), owedCents: Type.Integer(),
  limits: Type.Object({ physical: Type.Integer(), digital: Type.Integer(), holds: Type.Integer() }),
  loans: Type.Array(LoanJson), holds: Type.Array(HoldJson),
  charges: Type.Array(Type.Object({ id: Uuid, kind: Type.String(), amountCents: Type.Integer(), description: Type.String(), createdAt: Type.String({ format: 'date-time' }) })),
});
const CheckOutJson = Type.Object({ loanId: Uuid, titleId: Uuid, title: Type.String(), barcode: Type.String(), dueAt: Type.String({ format: 'date-time' }), fulfilledHoldId: Type.Union([Type.Null(), Uuid]) });
const Access = Type.Object({ kind: Type.Union([Type.Literal('open'), Type.Literal('signed')]), url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });

export function statusJson(s: PatronStatus) {
  return {
    cardNumber: s.cardNumber, displayName: s.displayName, lending: s.lending, blocks: s.blocks, owedCents: s.owedCents, limits: s.limits,
    loans: s.loans.map((l) => ({ id: l.id, kind: l.kind, titleId: l.titleId, title: l.title, format: l.format, barcode: l.barcode, checkedOutAt: l.checkedOutAt.toISOString(), dueAt: l.dueAt.toISOString(), renewals: l.renewals, overdue: l.overdue })),
    holds: s.holds.map((h) => ({ id: h.id, kind: h.kind, titleId: h.titleId, title: h.title, status: h.status, frozen: h.frozen, position: h.position, pickupBranch: h.pickupBranch, readyUntil: h.readyUntil?.toISOString() ?? null, autoCheckout: h.autoCheckout })),
    charges: s.charges.map((c) => ({ id: c.id, kind: c.kind, amountCents: c.amountCents, description: c.description, createdAt: c.createdAt.toISOString() })),
  };
}

function checkOutJson(r: CheckOutResult) {
  return { loanId: r.loanId, titleId: r.titleId, title: r.title, barcode: r.barcode, dueAt: r.dueAt.toISOString(), fulfilledHoldId: r.fulfilledHoldId };
}

export function noticeLib(ctx: Pick<Ctx, 'config'>, library: Library): NoticeLibrary {
  return { id: library.id, name: library.name, url: libraryUrl(ctx, library.slug) };
}

async function lib(req: FastifyRequest, slug: string): Promise<Library> {
  const library = await getLibrary(req.ctx, slug);
  req.ctx.libraryId = library.id;
  return library;
}

function me(req: FastifyRequest) {
  if (req.ctx.actor.kind !== 'account') throw LoginRequired();
  return req.ctx.actor;
}

/** A member borrows and reserves at their home library only (one membership). */
function member(req: FastifyRequest, library: Library) {
  const actor = me(req);
  if (actor.homeLibraryId !== library.id) throw NotHomeLibrary();
  return actor;
}

export async function branchId(ctx: Ctx, libraryId: string, slug: string): Promise<string> {
  const b = await inTenant(ctx.db, libraryId, (tx) => tx.selectFrom('branch').select('id').where('libraryId', '=', libraryId).where('slug', '=', slug).executeTakeFirst());
  if (!b) throw BranchUnknown();
  return b.id;
}

export async function lendingRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/v1/libraries/:slug';

  api.get(`${base}/me/lending`, {
    config: { auth: 'session' },
    schema: { tags, operationId: 'getMyLending', summary: 'My loans (physical and digital), holds, charges and blocks at my library', params: LibParams,
      response: { 200: StatusJson, 401: problem('Not signed in'), 422: problem('Not your home library') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const actor = member(req, library);
    return statusJson(await myLending(req.ctx, library.id, actor.accountId));
  });

  api.post(`${base}/loans`, {
    config: { auth: 'session', idempotent: true },
    schema: {
      tags, operationId: 'checkOut',
      summary: 'Check out a copy: at the desk (staff give the member\'s card and the branch) or self-service by the signed-in member where the library allows it',
      params: LibParams,
      body: Type.Object({ barcode: Barcode, cardNumber: Type.Optional(Card), branch: Type.Optional(Slug) }, { additionalProperties: false }),
      response: { 201: CheckOutJson, 400: problem('Invalid body'), 401: problem('Not signed in'), 403: problem('Not desk staff, or self-checkout is off'),
        404: problem('Unknown barcode or card'), 409: problem('On loan, held for someone else, blocked or limit reached'), 422: problem('Not lendable or unknown branch') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    const body = req.body;
    let result: CheckOutResult;
    if (body.cardNumber) {
      // one statement: the desk role, the branch by slug and the check-out (eenbieb_check_out)
      result = await checkOut(req.ctx, {
        library: noticeLib(req.ctx, library), patron: { cardNumber: body.cardNumber }, barcode: body.barcode,
        branchSlug: body.branch ?? null, deskActor: me(req).accountId, channel: 'desk',
      });
    } else {
      const actor = member(req, library);
      const settings = await inTenant(req.ctx.db, library.id, (tx) => settingsOf(tx, library.id));
      if (!settings.portalSelfCheckout) throw SelfCheckoutOff();
      result = await checkOut(req.ctx, {
        library: noticeLib(req.ctx, library), patron: { accountId: actor.accountId }, barcode: body.barcode,
        branchId: body.branch ? await branchId(req.ctx, library.id, body.branch) : null, channel: 'api',
      });
    }
    return reply.code(201).send(checkOutJson(result));
  });

  api.post(`${base}/returns`, {
    config: { auth: 'session', idempotent: true },
    schema: {
      tags, operationId: 'checkIn', summary: 'Check in a copy at a branch (desk): ends its loan, charges a late fee, and says where the copy goes',
      params: LibParams, body: Type.Object({ barcode: Barcode, branch: Slug }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          barcode: Type.String(), title: Type.String(), loanEnded: Type.Boolean(), overdueDays: Type.Integer(), fineCents: Type.Integer(),
          routing: Type.Union([Type.Literal('shelf'), Type.Literal('transit'), Type.Literal('hold_shelf')]), destinationBranch: Type.String(),
        }),
        400: problem('Invalid body'), 401: problem('Not signed in'), 403: problem('Not desk staff'), 404: problem('Unknown barcode'), 409: problem('Withdrawn copy'), 422: problem('Unknown branch'),
      },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    // one statement: the desk role, the branch by slug, the check-in and the destination's slug
    const r = await checkIn(req.ctx, { library: noticeLib(req.ctx, library), barcode: req.body.barcode, branchSlug: req.body.branch, deskActor: me(req).accountId, channel: 'desk' });
    return { barcode: r.barcode, title: r.title, loanEnded: r.loanId !== null, overdueDays: r.overdueDays, fineCents: r.fineCents, routing: r.routing, destinationBranch: r.destinationSlug };
  });

  api.post(`${base}/loans/:id/renewal`, {
    config: { auth: 'session', idempotent: true },
    schema: {
      tags, operationId: 'renewLoan', summary: 'Renew a loan (the member\'s own, or any at the desk)', params: IdParams,
      response: { 200: Type.Object({ loanId: Uuid, dueAt: Type.String({ format: 'date-time' }), renewals: Type.Integer() }), 401: problem('Not signed in'), 404: problem('No such open loan'), 409: problem('Refused: holds, limit, blocked or digital') },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const actor = me(req);
    const own = actor.homeLibraryId === library.id ? actor.accountId : undefined;
    let r;
    try {
      r = await renew(req.ctx, { library: noticeLib(req.ctx, library), loanId: req.params.id, accountId: own });
    } catch (error) {
      // not the member's own loan: staff may renew any
      if ((error as { code?: string }).code !== LoanNotFound.code) throw error;
      await assertDesk(req.ctx, library.id);
      r = await renew(req.ctx, { library: noticeLib(req.ctx, library), loanId: req.params.id });
    }
    return { loanId: r.loanId, dueAt: r.dueAt.toISOString(), renewals: r.renewals };
  });

  api.post(`${base}/me/renewals`, {
    config: { auth: 'session' },
    schema: {
      tags, operationId: 'renewAll', summary: 'Renew all my physical loans (each renewed or refused on its own)', params: LibParams,
      response: { 200: Type.Object({ renewed: Type.Array(Type.Object({ loanId: Uuid, dueAt: Type.String({ format: 'date-time' }) })), refused: Type.Array(Type.Object({ loanId: Uuid, code: Type.String() })) }), 401: problem('Not signed in') },
    },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const actor = member(req, library);
    const r = await renewAll(req.ctx, { library: noticeLib(req.ctx, library), accountId: actor.accountId });
    return { renewed: r.renewed.map((x) => ({ loanId: x.loanId, dueAt: x.dueAt.toISOString() })), refused: r.refused.map((x) => ({ loanId: x.loanId, code: x.code })) };
  });

  api.post(`${base}/holds`, {
    config: { auth: 'session', idempotent: true },
    schema: {
      tags, operationId: 'placeHold', summary: 'Reserve a title for pickup at a branch (the member, or desk staff with a card number)', params: LibParams,
      body: Type.Object({ titleId: Uuid, pickupBranch: Slug, cardNumber: Type.Optional(Card) }, { additionalProperties: false }),
      response: { 201: Type.Object({ holdId: Uuid, position: Type.Integer() }), 400: problem('Invalid body'), 401: problem('Not signed in'), 404: problem('Unknown title or card'), 409: problem('Already reserved, blocked or limit reached'), 422: problem('Not suppliable here or unknown branch') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    let patron: { accountId: string } | { cardNumber: string };
    if (req.body.cardNumber) { await assertDesk(req.ctx, library.id); patron = { cardNumber: req.body.cardNumber }; } else patron = { accountId: member(req, library).accountId };
    const r = await placeHold(req.ctx, { library: noticeLib(req.ctx, library), patron, titleId: req.body.titleId, pickupBranchId: await branchId(req.ctx, library.id, req.body.pickupBranch) });
    return reply.code(201).send({ holdId: r.holdId, position: r.position });
  });

  api.patch(`${base}/holds/:id`, {
    config: { auth: 'session' },
    schema: {
      tags, operationId: 'pauseHold', summary: 'Pause (frozen: true) or resume a hold; it keeps its place in the queue', params: IdParams,
      body: Type.Object({ frozen: Type.Boolean() }, { additionalProperties: false }),
      response: { 204: Type.Null(), 401: problem('Not signed in'), 404: problem('No such active hold'), 409: problem('Already ready or on its way') },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    await setFrozen(req.ctx, { library: noticeLib(req.ctx, library), holdId: req.params.id, accountId: member(req, library).accountId, frozen: req.body.frozen });
    return reply.code(204).send(null);
  });

  api.delete(`${base}/holds/:id`, {
    config: { auth: 'session' },
    schema: { tags, operationId: 'cancelHold', summary: 'Cancel a hold (the member\'s own)', params: IdParams, response: { 204: Type.Null(), 401: problem('Not signed in'), 404: problem('No such active hold') } },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    await cancelHold(req.ctx, { library: noticeLib(req.ctx, library), holdId: req.params.id, accountId: member(req, library).accountId });
    return reply.code(204).send(null);
  });

  api.post(`${base}/digital-loans`, {
    config: { auth: 'session', idempotent: true },
    schema: {
      tags, operationId: 'borrowDigital',
      summary: 'Borrow an e-book or audiobook: 201 with a loan and its access link when a licence is free, otherwise 202 with a place in the queue',
      params: LibParams, body: Type.Object({ titleId: Uuid, autoCheckout: Type.Optional(Type.Boolean({ description: 'When queued: borrow automatically when a licence frees up (instead of a 48-hour offer)' })) }, { additionalProperties: false }),
      response: {
        201: Type.Object({ outcome: Type.Literal('loan'), loanId: Uuid, titleId: Uuid, title: Type.String(), dueAt: Type.String({ format: 'date-time' }), access: Access }),
        202: Type.Object({ outcome: Type.Literal('hold'), holdId: Uuid, titleId: Uuid, title: Type.String(), position: Type.Integer(), estimatedWaitDays: Type.Union([Type.Null(), Type.Integer()]) }),
        400: problem('Invalid body'), 401: problem('Not signed in'), 404: problem('Unknown title'), 409: problem('Already borrowed, blocked or limit reached'), 422: problem('Not digital here, or not your library'),
      },
    },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    const actor = member(req, library);
    const r = await borrowDigital(req.ctx, { library: noticeLib(req.ctx, library), accountId: actor.accountId, titleId: req.body.titleId, autoCheckout: req.body.autoCheckout, channel: 'api' });
    if (r.outcome === 'loan') {
      return reply.code(201).send({ outcome: 'loan' as const, loanId: r.loanId, titleId: r.titleId, title: r.title, dueAt: r.dueAt.toISOString(), access: { ...r.access, expiresAt: r.access.expiresAt.toISOString() } });
    }
    return reply.code(202).send({ outcome: 'hold' as const, holdId: r.holdId, titleId: r.titleId, title: r.title, position: r.position, estimatedWaitDays: r.estimatedWaitDays });
  });

  api.post(`${base}/digital-loans/:id/return`, {
    config: { auth: 'session' },
    schema: { tags, operationId: 'returnDigital', summary: 'Return a digital loan early (access ends, the licence goes to the next in line)', params: IdParams, response: { 204: Type.Null(), 401: problem('Not signed in'), 404: problem('No such open digital loan') } },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    await returnDigital(req.ctx, { library: noticeLib(req.ctx, library), loanId: req.params.id, accountId: member(req, library).accountId });
    return reply.code(204).send(null);
  });

  api.get(`${base}/digital-loans/:id/access`, {
    config: { auth: 'session' },
    schema: { tags, operationId: 'digitalAccess', summary: 'A fresh reading link for my open digital loan', params: IdParams, response: { 200: Access, 401: problem('Not signed in'), 404: problem('No such open digital loan') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const a = await accessFor(req.ctx, library.id, req.params.id, member(req, library).accountId);
    return { ...a, expiresAt: a.expiresAt.toISOString() };
  });

  api.get('/api/v1/access/:token', {
    config: { auth: 'public' },
    schema: {
      tags, operationId: 'checkAccess', summary: 'For content providers: is this access token valid now (signature, expiry, not revoked)?',
      params: Type.Object({ token: Type.String({ maxLength: 400 }) }),
      response: { 200: Type.Object({ valid: Type.Literal(true), expiresAt: Type.String({ format: 'date-time' }) }), 410: problem('Expired, revoked or invalid') },
    },
  }, async (req) => {
    const v = await checkToken(req.ctx, req.params.token);
    return { valid: true as const, expiresAt: v.expiresAt.toISOString() };
  });

  // --- the desk
  api.get(`${base}/desk/members/:card`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'deskMember', summary: 'A member\'s lending by card (desk staff; audited)', params: Type.Object({ slug: Slug, card: Card }),
      response: { 200: StatusJson, 401: problem('Not signed in'), 403: problem('Not desk staff'), 404: problem('Unknown card') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    return statusJson(await deskLookup(req.ctx, library.id, req.params.card));
  });

  const BranchQuery = Type.Object({ branch: Type.Optional(Slug) });
  api.get(`${base}/desk/hold-shelf`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'holdShelf', summary: 'Copies on the hold shelf (expired ones flagged)', params: LibParams, querystring: BranchQuery,
      response: { 200: Type.Object({ entries: Type.Array(Type.Object({ holdId: Uuid, title: Type.String(), barcode: Type.String(), branch: Type.String(), readyUntil: Type.String({ format: 'date-time' }), cardNumber: Type.Union([Type.Null(), Type.String()]), expired: Type.Boolean() })) }), 401: problem('Not signed in'), 403: problem('Not desk staff') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const entries = await holdShelf(req.ctx, library.id, req.query.branch ? await branchId(req.ctx, library.id, req.query.branch) : undefined);
    return { entries: entries.map((e) => ({ holdId: e.holdId, title: e.title, barcode: e.barcode, branch: e.branch, readyUntil: e.readyUntil.toISOString(), cardNumber: e.cardNumber, expired: e.expired })) };
  });

  api.get(`${base}/desk/in-transit`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'inTransit', summary: 'Copies in transit (to a branch)', params: LibParams, querystring: BranchQuery,
      response: { 200: Type.Object({ entries: Type.Array(Type.Object({ barcode: Type.String(), title: Type.String(), fromBranch: Type.String(), toBranch: Type.String(), forHold: Type.Boolean() })) }), 401: problem('Not signed in'), 403: problem('Not desk staff') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const entries = await inTransit(req.ctx, library.id, req.query.branch ? await branchId(req.ctx, library.id, req.query.branch) : undefined);
    return { entries: entries.map(({ toBranchId: _t, ...e }) => e) };
  });

  api.get(`${base}/desk/pull-list`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'pullList', summary: 'Copies on the shelf of titles people wait for (fetch and check in to set aside)', params: LibParams, querystring: BranchQuery,
      response: { 200: Type.Object({ entries: Type.Array(Type.Object({ barcode: Type.String(), title: Type.String(), branch: Type.String(), shelf: Type.String(), waiting: Type.Integer() })) }), 401: problem('Not signed in'), 403: problem('Not desk staff') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    const entries = await pullList(req.ctx, library.id, req.query.branch ? await branchId(req.ctx, library.id, req.query.branch) : undefined);
    return { entries: entries.map(({ branchId: _b, ...e }) => e) };
  });

  const Fee = Type.Integer({ minimum: 0, maximum: 100000, description: 'Charge in cents (0: none)' });
  api.post(`${base}/desk/lost`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'markLost', summary: 'A copy on loan is lost: the loan ends, the copy is missing, the member is charged', params: LibParams,
      body: Type.Object({ barcode: Barcode, feeCents: Fee }, { additionalProperties: false }),
      response: { 200: Type.Object({ loanId: Uuid, chargedCents: Type.Integer() }), 401: problem('Not signed in'), 403: problem('Not desk staff'), 404: problem('Unknown barcode or not on loan') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    await assertDesk(req.ctx, library.id);
    return markLost(req.ctx, { library: noticeLib(req.ctx, library), barcode: req.body.barcode, feeCents: req.body.feeCents });
  });

  api.post(`${base}/desk/damaged`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'markDamaged', summary: 'A returned copy is damaged: out of circulation for repair; optionally charge a member', params: LibParams,
      body: Type.Object({ barcode: Barcode, feeCents: Fee, cardNumber: Type.Optional(Card) }, { additionalProperties: false }),
      response: { 204: Type.Null(), 401: problem('Not signed in'), 403: problem('Not desk staff'), 404: problem('Unknown barcode or card'), 409: problem('Still on loan') } },
  }, async (req, reply) => {
    const library = await lib(req, req.params.slug);
    await assertDesk(req.ctx, library.id);
    const accountId = req.body.cardNumber ? await accountByCard(req.ctx, library.id, req.body.cardNumber) : null;
    await markDamaged(req.ctx, { library: noticeLib(req.ctx, library), barcode: req.body.barcode, feeCents: req.body.feeCents, accountId });
    return reply.code(204).send(null);
  });

  api.post(`${base}/desk/payments`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'payCharges', summary: 'Record a payment at the desk: whole charges, oldest first, up to the amount', params: LibParams,
      body: Type.Object({ cardNumber: Card, amountCents: Type.Integer({ minimum: 1, maximum: 1000000 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ paidCents: Type.Integer(), charges: Type.Array(Uuid) }), 401: problem('Not signed in'), 403: problem('Not desk staff'), 404: problem('Unknown card') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    await assertDesk(req.ctx, library.id);
    return payCharges(req.ctx, { libraryId: library.id, accountId: await accountByCard(req.ctx, library.id, req.body.cardNumber), amountCents: req.body.amountCents });
  });

  // --- loan rules (library admins set them; desk staff read them)
  const Settings = Type.Object({
    lateFeeCentsPerDay: Type.Integer({ minimum: 0, maximum: 1000 }), maxLateFeeCents: Type.Integer({ minimum: 0, maximum: 100000 }),
    blockThresholdCents: Type.Integer({ minimum: 0, maximum: 1000000 }), maxRenewals: Type.Integer({ minimum: 0, maximum: 20 }),
    holdPickupDays: Type.Integer({ minimum: 1, maximum: 30 }), portalSelfCheckout: Type.Boolean(), historyRetentionDays: Type.Integer({ minimum: 0, maximum: 365 }),
  }, { additionalProperties: false });
  const Rule = Type.Object({
    plan: Type.Union([Type.Null(), Type.String({ pattern: '^[a-z0-9-]{2,40}$' })], { description: 'Plan code; null: every plan' }),
    format: Type.Union([Type.Null(), Type.String({ maxLength: 30 })], { description: 'Format code; null: every format' }),
    loanPeriodDays: Type.Integer({ minimum: 1, maximum: 120 }),
    maxRenewals: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 20 })]),
  }, { additionalProperties: false });
  const RulesJson = Type.Object({ settings: Settings, rules: Type.Array(Rule, { maxItems: 200 }) }, { additionalProperties: false });

  api.get(`${base}/lending-rules`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'getLendingRules', summary: 'The library\'s loan rules: settings and loan periods per format and plan (staff)', params: LibParams,
      response: { 200: RulesJson, 401: problem('Not signed in'), 403: problem('Not staff') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    return getRules(req.ctx, library.id);
  });

  api.put(`${base}/lending-rules`, {
    config: { auth: 'staff' },
    schema: { tags, operationId: 'setLendingRules', summary: 'Library admin (second factor): replace the loan rules; the most specific rule (plan and format) wins', params: LibParams,
      body: RulesJson, response: { 200: RulesJson, 400: problem('Invalid rules'), 401: problem('Not signed in'), 403: problem('Not a library admin, or no second factor') } },
  }, async (req) => {
    const library = await lib(req, req.params.slug);
    return setRules(req.ctx, library.id, req.body);
  });
}

