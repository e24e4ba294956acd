// The problem+json schema every API route refers to in its error responses.
import { Type } from '@fastify/type-provider-typebox';

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String({ description: 'Stable error code, e.g. NETWORK_POSTCODE_UNKNOWN' }),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
}, { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' });

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Type.Ref('Problem') } } });
