// The SIP2 TCP server (node:net, or node:tls when a certificate is configured). Each connection
// reads CR-terminated frames and answers them strictly one after another (a kiosk waits for each
// response), with its own Sip2Session. Logs carry message codes and outcomes, never a card
// number, barcode, PIN or password.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Kysely } from 'kysely';
import type { Config } from '../../../platform/config.ts';
import type { Database } from '../../../platform/db/database.ts';
import { FrameReader, encode } from './protocol.ts';
import { PinThrottle, Sip2Session } from './session.ts';
import type { Sip2Backend } from './port.ts';

/** Frames waiting on one connection before it is dropped: a kiosk sends one and waits. */
const MAX_QUEUED_FRAMES = 32;

export interface Sip2Logger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
}

export interface Sip2Server {
  port: number;
  tls: boolean;
  /** Stops accepting, lets each connection finish the message it is answering, then closes them. */
  close(timeoutMs?: number): Promise<void>;
}

export async function startSip2Server(options: {
  db: Kysely<Database>;
  config: Config;
  backend: Sip2Backend;
  logger?: Sip2Logger;
  /** Overrides config.sip2 (tests listen on port 0). */
  port?: number;
  host?: string;
  idleTimeoutMs?: number;
  tlsFiles?: { cert: string; key: string } | null;
}): Promise<Sip2Server> {
  const { db, config, backend } = options;
  const logger = options.logger;
  const idleTimeoutMs = options.idleTimeoutMs ?? config.sip2.idleTimeoutMs;
  const tlsFiles = options.tlsFiles !== undefined ? options.tlsFiles
    : config.sip2.tlsCert && config.sip2.tlsKey ? { cert: config.sip2.tlsCert, key: config.sip2.tlsKey } : null;
  const connections = new Map<net.Socket, { idle: () => Promise<void> }>();
  let shuttingDown = false;
  const pins = new PinThrottle();

  const onConnection = (socket: net.Socket) => {
    const connectionId = randomUUID().slice(0, 8);
    const session = new Sip2Session({
      ctx: { db, config }, backend, connectionId, pins,
      log: (event) => logger?.info({ module: 'sip2', ...event }),
    });
    const reader = new FrameReader();
    let queue: Promise<void> = Promise.resolve();
    let queued = 0;
    let closing = false;
    connections.set(socket, { idle: () => queue });
    logger?.info({ module: 'sip2', event: 'sip2_connect', connection: connectionId, tls: socket instanceof tls.TLSSocket });

    socket.setNoDelay(true);
    socket.setTimeout(idleTimeoutMs, () => {
      logger?.info({ module: 'sip2', event: 'sip2_idle_timeout', connection: connectionId });
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // a kiosk that vanishes mid-conversation is normal; nothing to answer
      logger?.info({ module: 'sip2', event: 'sip2_socket_error', connection: connectionId, error: error.code ?? error.name });
    });
    socket.on('close', () => {
      connections.delete(socket);
      logger?.info({ module: 'sip2', event: 'sip2_disconnect', connection: connectionId });
    });
    socket.on('data', (chunk: Buffer) => {
      if (closing || shuttingDown) return;
      for (const event of reader.push(chunk)) {
        if (++queued > MAX_QUEUED_FRAMES) {
          logger?.warn({ module: 'sip2', event: 'sip2_flood', connection: connectionId });
          closing = true;
          socket.destroy();
          return;
        }
        queue = queue.then(async () => {
          queued--;
          if (socket.destroyed) return;
          let reply: { bytes: Buffer; close?: boolean };
          if ('oversize' in event) {
            logger?.info({ module: 'sip2', event: 'sip2_refused', reason: 'oversize', connection: connectionId });
            reply = { bytes: encode({ code: '96', fixed: {}, fields: [] }) };
          } else {
            reply = await session.handle(event.frame);
          }
          if (socket.destroyed) return;
          socket.write(Buffer.concat([reply.bytes, Buffer.from('\r')]));
          if (reply.close) {
            closing = true;
            socket.end();
          }
        }).catch((error: Error) => {
          // session.handle answers every failure itself; this is the last line of defence
          logger?.warn({ module: 'sip2', event: 'sip2_handler_failed', connection: connectionId, error: error.name });
        });
      }
    });
  };

  const server: net.Server = tlsFiles
    ? tls.createServer({ cert: fs.readFileSync(tlsFiles.cert), key: fs.readFileSync(tlsFiles.key), minVersion: 'TLSv1.2' }, onConnection)
    : net.createServer(onConnection);
  // a failed TLS handshake (a plain-text client, a scanner) is not the server's problem
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => logger?.info({ module: 'sip2', event: 'sip2_tls_error', error: error.code ?? error.name }));

  const port = options.port ?? config.sip2.port ?? 0;
  const host = options.host ?? config.sip2.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  logger?.info({ module: 'sip2', event: 'sip2_listening', port: bound, tls: !!tlsFiles });

  return {
    port: bound,
    tls: !!tlsFiles,
    async close(timeoutMs = 5000) {
      shuttingDown = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const finish = Promise.all([...connections].map(async ([socket, c]) => {
        await c.idle();
        socket.end();
      }));
      const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([finish, timer]);
      for (const socket of connections.keys()) socket.destroy();
      await stopped;
    },
  };
}
