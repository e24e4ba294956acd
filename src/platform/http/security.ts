// Security headers (helmet with a strict Content-Security-Policy: no inline script, no inline
// style), cookies, form bodies and rate limiting.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { TooManyRequests, UnsupportedMediaType } from '../errors.ts';

/**
 * Helmet's headers depend only on configuration, so they are computed once at start-up (helmet
 * rebuilds them on every request otherwise, which the foundation benchmark measured at ~15 % of
 * a cheap request's CPU) and set with one call per response.
 */
function staticHelmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | string[]) => { headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value); },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()]; },
  };
  helmet(options)({} as never, res as never, () => {});
  return headers;
}

export async function installSecurity(app: FastifyInstance, config: Config): Promise<void> {
  const securityHeaders = staticHelmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(config.publicUrl.startsWith('https:') ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only makes sense when the platform is served over https
    hsts: config.publicUrl.startsWith('https:') ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', async (_req, reply) => { reply.headers(securityHeaders); });
  await app.register(cookie);
  // The JSON API accepts only JSON bodies: a cross-site HTML form cannot send application/json
  // without a CORS preflight, so session-authenticated API writes cannot be forged by forms.
  app.addHook('preValidation', async (req) => {
    if (!req.url.startsWith('/api/') || req.body === undefined || req.body === null) return;
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/(.+\+)?json\b/i.test(type)) throw UnsupportedMediaType();
  });
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: '1 minute',
      // health checks and metrics scrapes come from infrastructure, not visitors
      allowList: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url.split('?')[0]!),
      errorResponseBuilder: () => TooManyRequests(),
    });
  }
}
