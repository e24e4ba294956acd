// REST API of the OpenID Connect provider: network staff register digital services.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problem } from '../../../platform/http/problem-schema.ts';
import { OIDC_SCOPES, registerClient, type OidcScope } from './oidc.clients.ts';

export async function oidcRoutes(app: FastifyInstance): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const Scope = Type.Unsafe<OidcScope>({ type: 'string', enum: OIDC_SCOPES });

  api.post('/api/v1/oidc/clients', {
    config: { auth: 'network' },
    schema: {
      tags: ['accounts'], operationId: 'registerOidcClient', summary: 'Register a digital service that signs members in (OpenID Connect client)',
      description: 'Network staff only, with a second factor. A public client (no secret) must use PKCE; a confidential client gets its secret once in this answer. The client may ask only for the scopes registered here; openid is always included.',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 120 }),
        redirectUris: Type.Array(Type.String({ maxLength: 500 }), { minItems: 1, maxItems: 10 }),
        scopes: Type.Optional(Type.Array(Scope, { maxItems: OIDC_SCOPES.length })),
        public: Type.Optional(Type.Boolean()),
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({
          clientId: Type.String(), name: Type.String(), redirectUris: Type.Array(Type.String()),
          scopes: Type.Array(Type.String()), public: Type.Boolean(), clientSecret: Type.Optional(Type.String()),
        }),
        401: problem('Not signed in'),
        403: problem('Not network staff, or no second factor in this session'),
        422: problem('Invalid redirect URI or scope'),
      },
    },
  }, async (req, reply) => {
    const client = await registerClient(req.ctx, req.body);
    return reply.code(201).send(client);
  });
}
