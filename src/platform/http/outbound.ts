// Fetching a URL that a user gave us (a calendar feed to import; later webhooks) without letting
// them use the server to reach what only the server can reach (SSRF): only http and https; by
// default no loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade
// NAT, multicast or reserved addresses. The address is checked where the connection is made (in
// the DNS lookup the socket uses), so a name that resolves to a public address for a check and to
// a private one for the connection (DNS rebinding) gains nothing; IP literals, which skip the
// lookup, are checked before connecting, and every redirect is checked again. One deadline
// covers redirects and the body; a body over the size limit is cut off, never buffered whole.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export type FetchRefusal = 'url' | 'address' | 'timeout' | 'network' | 'status' | 'too-large' | 'redirects';

export class FetchRefused extends Error {
  constructor(readonly reason: FetchRefusal, message: string, readonly status?: number) {
    super(message);
    this.name = 'FetchRefused';
  }
}

export interface GuardedFetchOptions {
  /** Whole request, redirects and body included (default 10 s). */
  timeoutMs?: number;
  /** Largest body accepted (default 2 MiB). */
  maxBytes?: number;
  /** Allow loopback and private addresses: tests and development only (config OUTBOUND_PRIVATE_ADDRESSES). */
  allowPrivate?: boolean;
  maxRedirects?: number;
  accept?: string;
}

export interface FetchedText {
  text: string;
  contentType: string | null;
  /** After redirects. */
  url: string;
}

// Special-purpose ranges (IANA IPv4/IPv6 special-purpose address registries) that a public
// calendar feed never lives on.
const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2002::', 16],
] as const) blocked.addSubnet(prefix, bits, 'ipv6');

/** An IPv4 address hidden in an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96). */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an address is one a user-given URL must not reach (loopback, private, link-local, …). */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address.toLowerCase());
    return v4 ? blocked.check(v4, 'ipv4') : blocked.check(address, 'ipv6');
  }
  return true; // not an address at all: refuse
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as dns.LookupAddress[];
      if (!allowPrivate && list.some((a) => isPrivateAddress(a.address))) {
        return callback(new FetchRefused('address', `${hostname} resolves to a private or local address`), '');
      }
      if (!list.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function checkUrl(raw: string | URL, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefused('url', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused('url', 'only http and https URLs can be fetched');
  if (url.username || url.password) throw new FetchRefused('url', 'URLs with a user name or password are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && !allowPrivate && isPrivateAddress(host)) throw new FetchRefused('address', `${host} is a private or local address`);
  return url;
}

interface Answer { status: number; location: string | null; contentType: string | null; body: Buffer }

function once(url: URL, o: Required<Omit<GuardedFetchOptions, 'accept'>> & { accept: string }, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'GET',
      headers: { accept: o.accept, 'user-agent': 'Eenbieb (library agenda import)', 'accept-encoding': 'identity' },
      lookup: guardedLookup(o.allowPrivate) as unknown as net.LookupFunction,
      agent: false,
      signal,
    }, (res) => {
      const status = res.statusCode ?? 0;
      const location = typeof res.headers.location === 'string' ? res.headers.location : null;
      const contentType = res.headers['content-type'] ?? null;
      if (status >= 300 && status < 400) {
        res.resume();
        return resolve({ status, location, contentType, body: Buffer.alloc(0) });
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) {
        reject(new FetchRefused('too-large', `the answer is larger than ${o.maxBytes} bytes`));
        return void res.destroy();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxBytes) {
          // reject before destroying: destroying emits its own error, which must not win
          reject(new FetchRefused('too-large', `the answer is larger than ${o.maxBytes} bytes`));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status, location, contentType, body: Buffer.concat(chunks) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new FetchRefused('network', 'the connection was closed early')));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET a user-given URL as text (UTF-8), within the limits above. Throws FetchRefused. */
export async function fetchGuarded(raw: string, options: GuardedFetchOptions = {}): Promise<FetchedText> {
  const o = {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBytes: options.maxBytes ?? 2 * 1024 * 1024,
    allowPrivate: options.allowPrivate ?? false,
    maxRedirects: options.maxRedirects ?? 5,
    accept: options.accept ?? '*/*',
  };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), o.timeoutMs);
  try {
    let url = checkUrl(raw, o.allowPrivate);
    for (let hop = 0; ; hop++) {
      let answer: Answer;
      try {
        answer = await once(url, o, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) throw new FetchRefused('timeout', `no complete answer within ${o.timeoutMs / 1000} s`);
        if (error instanceof FetchRefused) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? '';
        throw new FetchRefused('network', code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `${url.hostname} is not known` : `the server could not be reached (${code || 'error'})`);
      }
      if (answer.status >= 300 && answer.status < 400 && answer.location) {
        if (hop >= o.maxRedirects) throw new FetchRefused('redirects', `more than ${o.maxRedirects} redirects`);
        url = checkUrl(new URL(answer.location, url), o.allowPrivate);
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) throw new FetchRefused('status', `the server answered HTTP ${answer.status}`, answer.status);
      return { text: new TextDecoder('utf-8').decode(answer.body), contentType: answer.contentType, url: url.toString() };
    }
  } finally {
    clearTimeout(timer);
  }
}
