// Idempotency-Key for writes that a client may retry (architecture §8), after
// draft-ietf-httpapi-idempotency-key-header and Stripe:
//
// - the same key with the same request (method, path and query, body) answers the stored
//   response again, with `Idempotent-Replayed: true`, and does not run the write twice;
// - the same key with a different request → 422 IDEMPOTENCY_KEY_REUSED;
// - the same key while the first request is still running → 409 IDEMPOTENCY_KEY_IN_FLIGHT;
// - a malformed key → 400 IDEMPOTENCY_KEY_INVALID; no key → the route behaves as before;
// - keys are scoped per actor (an account; a guest by a hash of the client address), so two
//   people can never see each other's answers; a key lives 24 hours.
//
// A route opts in with `config: { idempotent: true }`; installIdempotency() then adds the header
// to its schema (and the OpenAPI document), claims the key after validation and authentication
// (preHandler) and stores the answer (onSend). Only answers of a write that ran are stored:
// 2xx and the 4xx a service throws. A 5xx releases the key, so a retry runs the write again
// (the draft: a server error must not be replayed). A request refused by schema validation never
// claims a key.
//
// Why two phases (claim in its own transaction, then the write, then store the answer) and not a
// claim inside the write's transaction:
// - services open their own transactions (STYLE.md) and PGlite cannot nest one, so the HTTP
//   layer cannot join the write's transaction without changing every service;
// - a claim inside the write's transaction holds an uncommitted row in the unique index: on
//   PostgreSQL a concurrent request with the same key then *waits* for the whole write, and
//   cannot answer 409 "in flight" as the draft asks. A committed claim is visible at once.
// - the answer is built by the route after the service's transaction has committed, so it could
//   not be stored in that transaction anyway.
// The claim is one INSERT … ON CONFLICT statement, so two concurrent requests can never both
// claim a key. The price is a window between the write's commit and storing the answer: if the
// process dies exactly there, the key stays "in flight" until its lease (IN_FLIGHT_LEASE_MS)
// runs out, and then a retry runs the write again. Every idempotent write therefore still keeps
// its own invariant in the database (one live registration per person and session; one open
// loan per copy), which turns that rare second run into a 409 instead of a duplicate.
import crypto from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import type { Actor } from '../context.ts';
import type { Database } from '../db/database.ts';
import { inNetwork } from '../db/tenant.ts';
import { defineError } from '../errors.ts';
import { problem } from './problem-schema.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Accept an Idempotency-Key header (platform/http/idempotency.ts). */
    idempotent?: boolean;
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key is remembered (the draft leaves it to the server; Stripe keeps 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** After this, a claim whose request never answered (the process died) may be taken over. */
export const IN_FLIGHT_LEASE_MS = 2 * 60_000;
/** Larger answers are not stored (the key is released): idempotent routes answer small JSON. */
const MAX_STORED_BYTES = 256 * 1024;

export const IdempotencyKeyInvalid = defineError('IDEMPOTENCY_KEY_INVALID', 400, () => ({
  nl: 'De Idempotency-Key is ongeldig: gebruik 1 tot 255 zichtbare ASCII-tekens, bijvoorbeeld een UUID.',
  en: 'The Idempotency-Key is invalid: use 1 to 255 visible ASCII characters, for example a UUID.',
}));

export const IdempotencyKeyReused = defineError('IDEMPOTENCY_KEY_REUSED', 422, () => ({
  nl: 'Deze Idempotency-Key is al gebruikt voor een ander verzoek.',
  en: 'This Idempotency-Key was already used for a different request.',
}));

export const IdempotencyKeyInFlight = defineError('IDEMPOTENCY_KEY_IN_FLIGHT', 409, () => ({
  nl: 'Een verzoek met deze Idempotency-Key wordt nog verwerkt. Probeer het zo opnieuw.',
  en: 'A request with this Idempotency-Key is still being processed. Please retry shortly.',
}));

/**
 * The key from the header: a Structured Field string (`"8e03978e-…"`, as the draft writes it) or
 * the bare value (as Stripe clients send it). Null when absent; throws when malformed or repeated.
 */
export function parseIdempotencyKey(raw: string | string[] | undefined): string | null {
  if (raw === undefined) return null;
  if (Array.isArray(raw)) throw IdempotencyKeyInvalid();
  let key = raw.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) {
    key = key.slice(1, -1);
    // sf-string escapes only \" and \\; anything else after a backslash is malformed
    if (/\\[^"\\]/.test(key)) throw IdempotencyKeyInvalid();
    key = key.replace(/\\(["\\])/g, '$1');
  }
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw IdempotencyKeyInvalid();
  return key;
}

/** Whose key it is. Guests are told apart by their address, kept only as a hash. */
export function actorScope(actor: Actor, clientAddress: string): string {
  switch (actor.kind) {
    case 'account': return `account:${actor.accountId}`;
    case 'system': return `system:${actor.name}`;
    case 'anonymous': return `anonymous:${crypto.createHash('sha256').update(clientAddress).digest('hex').slice(0, 32)}`;
  }
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The request a key stands for: method, path with query, and the body (key order ignored). */
export function requestHash(method: string, url: string, body: unknown): string {
  return crypto.createHash('sha256').update(`${method.toUpperCase()}\n${url}\n${canonicalJson(body)}`).digest('hex');
}

export interface StoredResponse {
  statusCode: number;
  contentType: string | null;
  body: string;
}

export type ClaimOutcome = { kind: 'claimed' } | { kind: 'replay'; response: StoredResponse };

/**
 * Claims a key for a request, or finds the answer it already has. Throws IdempotencyKeyReused
 * when the key was used for another request, IdempotencyKeyInFlight while it is being answered.
 * Usable without HTTP (a later SIP2 server or a worker) as long as it calls complete/release.
 */
export async function claimKey(db: Kysely<Database>, scope: string, key: string, hash: string, now = new Date()): Promise<ClaimOutcome> {
  const expiredBefore = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
  const abandonedBefore = new Date(now.getTime() - IN_FLIGHT_LEASE_MS);
  // A row deleted between the two statements (released after a 5xx, or expired) sends us round
  // again; twice is enough, a third miss means something else keeps deleting it.
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await inNetwork(db, async (tx) => {
      // One statement: a new key is inserted; an expired key, or an abandoned claim of the same
      // request, is taken over. On a conflict PostgreSQL locks the row and re-checks the WHERE
      // on its latest version, so of two concurrent requests exactly one gets a row back.
      const claimed = await tx.insertInto('idempotencyKey')
        .values({ actor: scope, key, requestHash: hash, lockedAt: now, createdAt: now })
        .onConflict((oc) => oc.columns(['actor', 'key']).doUpdateSet({
          requestHash: hash, lockedAt: now, createdAt: now, statusCode: null, contentType: null, responseBody: null, completedAt: null,
        }).where((eb) => eb.or([
          eb('idempotencyKey.createdAt', '<', expiredBefore),
          eb.and([
            eb('idempotencyKey.statusCode', 'is', null),
            eb('idempotencyKey.lockedAt', '<', abandonedBefore),
            eb('idempotencyKey.requestHash', '=', hash),
          ]),
        ])))
        .returning('actor').executeTakeFirst();
      if (claimed) return { kind: 'claimed' } as const;
      const row = await tx.selectFrom('idempotencyKey').select(['requestHash', 'statusCode', 'contentType', 'responseBody'])
        .where('actor', '=', scope).where('key', '=', key).executeTakeFirst();
      if (!row) return null;
      if (row.requestHash !== hash) throw IdempotencyKeyReused();
      if (row.statusCode === null) throw IdempotencyKeyInFlight();
      return { kind: 'replay', response: { statusCode: row.statusCode, contentType: row.contentType, body: row.responseBody ?? '' } } as const;
    });
    if (outcome) return outcome;
  }
  throw IdempotencyKeyInFlight();
}

/** Stores the answer of a claimed key, so retries get it replayed. */
export async function completeKey(db: Kysely<Database>, scope: string, key: string, response: StoredResponse, now = new Date()): Promise<void> {
  await inNetwork(db, (tx) => tx.updateTable('idempotencyKey')
    .set({ statusCode: response.statusCode, contentType: response.contentType, responseBody: response.body, completedAt: now, lockedAt: null })
    .where('actor', '=', scope).where('key', '=', key).where('statusCode', 'is', null)
    .execute());
}

/** Gives a claimed key up (the write failed on our side): a retry runs the write again. */
export async function releaseKey(db: Kysely<Database>, scope: string, key: string): Promise<void> {
  await inNetwork(db, (tx) => tx.deleteFrom('idempotencyKey')
    .where('actor', '=', scope).where('key', '=', key).where('statusCode', 'is', null)
    .execute());
}

/** The periodic job: forgets keys older than 24 hours. */
export async function expireIdempotencyKeys(db: Kysely<Database>, now = new Date()): Promise<number> {
  const r = await inNetwork(db, (tx) => tx.deleteFrom('idempotencyKey')
    .where('createdAt', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS)).executeTakeFirst());
  return Number(r.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// Fastify: `config: { idempotent: true }` on a route

const claimedKey = Symbol('idempotency claim');
type Claimed = { scope: string; key: string } | 'replayed';
type WithClaim = FastifyRequest & { [claimedKey]?: Claimed };

const HeaderSchema = Type.String({
  description: 'Makes a retry safe: the same key with the same request answers the first response again (header '
    + '`Idempotent-Replayed: true`) instead of writing twice. 1–255 visible ASCII characters (a UUID), as a bare value or '
    + 'a Structured Field string; kept 24 hours per account. Another request with a used key → 422, while the first is '
    + 'still running → 409.',
});

const claim: preHandlerHookHandler = async function (req, reply) {
  const key = parseIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
  if (key === null) return;
  const scope = actorScope(req.ctx.actor, req.ip);
  const outcome = await claimKey(req.ctx.db, scope, key, requestHash(req.method, req.url, req.body));
  if (outcome.kind === 'claimed') {
    (req as WithClaim)[claimedKey] = { scope, key };
    return;
  }
  (req as WithClaim)[claimedKey] = 'replayed';
  const { response } = outcome;
  if (response.contentType) reply.type(response.contentType);
  return reply.code(response.statusCode).header(REPLAYED_HEADER, 'true').send(response.body);
};

const store: onSendHookHandler = async function (req, reply: FastifyReply, payload) {
  const claimed = (req as WithClaim)[claimedKey];
  if (!claimed || claimed === 'replayed') return payload;
  (req as WithClaim)[claimedKey] = undefined;
  const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : null;
  try {
    if (reply.statusCode >= 500 || body === null || Buffer.byteLength(body) > MAX_STORED_BYTES) {
      await releaseKey(req.ctx.db, claimed.scope, claimed.key);
    } else {
      const type = reply.getHeader('content-type');
      await completeKey(req.ctx.db, claimed.scope, claimed.key, { statusCode: reply.statusCode, contentType: typeof type === 'string' ? type : null, body });
    }
  } catch (error) {
    // The answer still goes out; the key stays "in flight" until its lease ends.
    req.log.error({ err: { type: (error as Error).name, message: (error as Error).message } }, 'idempotency key not stored');
  }
  return payload;
};

const asArray = <T>(h: T | T[] | undefined): T[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/** Call before any route is added: routes with `config.idempotent` get the header and the hooks. */
export function installIdempotency(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!(route.config as { idempotent?: boolean } | undefined)?.idempotent) return;
    // The header in the route's schema, so it is in the OpenAPI document next to the body.
    const schema = (route.schema ??= {}) as { headers?: { type?: string; properties?: Record<string, unknown> }; response?: Record<string, unknown> };
    const headers = schema.headers ?? Type.Object({});
    schema.headers = { ...headers, properties: { ...(headers.properties ?? {}), [IDEMPOTENCY_HEADER]: Type.Optional(HeaderSchema) } };
    schema.response ??= {};
    schema.response[400] ??= problem('Invalid request or Idempotency-Key');
    schema.response[409] ??= problem('A request with this Idempotency-Key is still running');
    schema.response[422] ??= problem('The Idempotency-Key was used for a different request');
    route.preHandler = [...asArray(route.preHandler), claim];
    route.onSend = [store, ...asArray(route.onSend)];
  });
}
