// Logging with pino. Personal data never reaches the logs: headers that carry credentials are
// redacted, URLs are logged without their query string (a postcode or e-mail may be in it), and
// bodies are never logged.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.pin',
  '*.token',
  '*.email',
  '*.postcode',
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string }) {
        return { method: req.method, path: withoutSecrets(req.url.split('?')[0] ?? ''), id: req.id };
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode };
      },
    },
  };
}

/** Reading-link tokens travel in the path (/inhoud/…, /api/v1/access/…): they are bearer secrets, never logged. */
export function withoutSecrets(path: string): string {
  return path.replace(/^(\/(?:[a-z0-9-]+\/)?inhoud\/|\/api\/v1\/access\/)[^/]+/, '$1[token]');
}
