// REST API of accounts: sign in and out, password reset, second factor, sessions.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problem } from '../../platform/http/problem-schema.ts';
import { libraryUrl } from '../network/index.ts';
import type { Ctx } from '../../platform/context.ts';
import * as accounts from './accounts.service.ts';
import { LoginRequired } from './accounts.errors.ts';
import { clearSessionCookie, deviceLabel, setSessionCookie } from './session.ts';

/** The reset link points into the member's own library portal. */
export function resetUrlFor(ctx: Ctx) {
  return (librarySlug: string, token: string) => `${libraryUrl(ctx, librarySlug)}wachtwoord-herstellen?token=${encodeURIComponent(token)}`;
}

export async function accountsRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/api/v1/session', {
    config: { auth: 'public' },
    schema: {
      tags: ['accounts'], operationId: 'signIn', summary: 'Sign in with e-mail and password, or card number and PIN',
      description: 'Sets an HttpOnly session cookie. Failed attempts are throttled per account and per address with growing delays; the answer never tells whether an account exists.',
      body: Type.Union([
        Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        Type.Object({ cardNumber: Type.String({ maxLength: 20 }), pin: Type.String({ maxLength: 10 }) }, { additionalProperties: false }),
      ]),
      response: { 200: Type.Object({ accountId: Type.String() }), 401: problem('Details do not match'), 429: problem('Too many failed attempts') },
    },
  }, async (req, reply) => {
    const device = deviceLabel(req.headers['user-agent']);
    const body = req.body as { email?: string; password?: string; cardNumber?: string; pin?: string };
    const signedIn = body.cardNumber !== undefined
      ? await accounts.loginWithCard(req.ctx, { cardNumber: body.cardNumber, pin: body.pin ?? '', clientIp: req.ip, device })
      : await accounts.loginWithPassword(req.ctx, { email: body.email ?? '', password: body.password ?? '', clientIp: req.ip, device });
    setSessionCookie(reply, req.ctx.config, signedIn.token, signedIn.expiresAt);
    return { accountId: signedIn.accountId };
  });

  api.delete('/api/v1/session', {
    config: { auth: 'session' },
    schema: { tags: ['accounts'], operationId: 'signOut', summary: 'Sign out (this session)', response: { 204: Type.Null(), 401: problem('Not signed in') } },
  }, async (req, reply) => {
    if (!req.session) throw LoginRequired();
    await accounts.logout(req.ctx, req.session.hash);
    clearSessionCookie(reply, req.ctx.config);
    return reply.code(204).send(null);
  });

  api.get('/api/v1/me/sessions', {
    config: { auth: 'session' },
    schema: {
      tags: ['accounts'], operationId: 'listMySessions', summary: 'My active sessions',
      response: { 200: Type.Object({ sessions: Type.Array(Type.Object({ device: Type.String(), current: Type.Boolean(), createdAt: Type.String(), lastSeenAt: Type.String() })) }), 401: problem('Not signed in') },
    },
  }, async (req) => {
    if (!req.session) throw LoginRequired();
    const sessions = await accounts.listSessions(req.ctx, req.session.accountId);
    return { sessions: sessions.map((s) => ({ device: s.device, current: s.idHash === req.session!.hash, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString() })) };
  });

  api.delete('/api/v1/me/sessions', {
    config: { auth: 'session' },
    schema: { tags: ['accounts'], operationId: 'signOutEverywhere', summary: 'Sign out everywhere (all my sessions)', response: { 200: Type.Object({ ended: Type.Integer() }), 401: problem('Not signed in') } },
  }, async (req, reply) => {
    if (!req.session) throw LoginRequired();
    const ended = await accounts.logoutEverywhere(req.ctx, req.session.accountId);
    clearSessionCookie(reply, req.ctx.config);
    return { ended };
  });

  api.post('/api/v1/password-reset', {
    config: { auth: 'public' },
    schema: {
      tags: ['accounts'], operationId: 'requestPasswordReset', summary: 'Mail a single-use link to choose a new password',
      description: 'Answers 202 whether or not the address has an account.',
      body: Type.Object({ email: Type.String({ maxLength: 254 }) }, { additionalProperties: false }),
      response: { 202: Type.Object({ status: Type.Literal('check_your_mail') }), 400: problem('Not an e-mail address') },
    },
  }, async (req, reply) => {
    await accounts.requestPasswordReset(req.ctx, { email: req.body.email, resetUrl: resetUrlFor(req.ctx) });
    return reply.code(202).send({ status: 'check_your_mail' as const });
  });

  api.post('/api/v1/password-reset/confirm', {
    config: { auth: 'public' },
    schema: {
      tags: ['accounts'], operationId: 'resetPassword', summary: 'Choose a new password with the link\'s token (ends all sessions)',
      body: Type.Object({ token: Type.String({ maxLength: 100 }), password: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), 410: problem('Link expired or used'), 422: problem('Password refused') },
    },
  }, async (req, reply) => {
    await accounts.resetPassword(req.ctx, req.body);
    return reply.code(204).send(null);
  });

  api.post('/api/v1/accounts/verification', {
    config: { auth: 'public' },
    schema: {
      tags: ['accounts'], operationId: 'verifyEmail', summary: 'Confirm an e-mail address with the token from the mail',
      body: Type.Object({ token: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), 410: problem('Link expired or used') },
    },
  }, async (req, reply) => {
    await accounts.verifyEmail(req.ctx, req.body.token);
    return reply.code(204).send(null);
  });

  api.post('/api/v1/me/second-factor', {
    config: { auth: 'session' },
    schema: {
      tags: ['accounts'], operationId: 'verifySecondFactor', summary: 'Give a TOTP code (RFC 6238): this session counts as verified',
      body: Type.Object({ code: Type.String({ maxLength: 10 }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), 400: problem('Code not right'), 401: problem('Not signed in') },
    },
  }, async (req, reply) => {
    if (!req.session) throw LoginRequired();
    await accounts.verifySecondFactor(req.ctx, { accountId: req.session.accountId, sessionHash: req.session.hash, code: req.body.code });
    return reply.code(204).send(null);
  });
}
