// A small SIP2 client over TCP or TLS: what a kiosk does, for the tests and for checking a
// deployed server by hand. It writes requests with AY/AZ when asked and reads CR-terminated
// responses one at a time.
import net from 'node:net';
import tls from 'node:tls';
import { FrameReader, checksum, parse, type Message } from './protocol.ts';

export class Sip2Client {
  private reader = new FrameReader();
  private frames: Buffer[] = [];
  private waiting: ((frame: Buffer | null) => void) | null = null;
  private sequence = 0;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.reader.push(chunk)) if ('frame' in e) this.deliver(e.frame);
    });
    socket.on('close', () => {
      this.closed = true;
      this.deliver(null);
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, options: { host?: string; tls?: tls.ConnectionOptions } = {}): Promise<Sip2Client> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ host, port, ...options.tls }, () => resolve(new Sip2Client(socket)))
        : net.connect({ host, port }, () => resolve(new Sip2Client(socket)));
      socket.once('error', reject);
    });
  }

  private deliver(frame: Buffer | null): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(frame);
    } else if (frame) {
      this.frames.push(frame);
    }
  }

  /** The next response frame, or null when the server closed the connection. */
  next(): Promise<Buffer | null> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => { this.waiting = resolve; });
  }

  /** Sends raw bytes (a terminator is not added). */
  write(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /**
   * Sends one request. With `errorDetection`, AY (a rolling sequence number) and AZ are appended
   * to text that does not already carry them.
   */
  async request(text: string, options: { errorDetection?: boolean } = {}): Promise<{ raw: string; message: Message }> {
    let bytes = Buffer.from(text, 'latin1');
    if (options.errorDetection) {
      const head = Buffer.from(`${text}AY${this.sequence++ % 10}AZ`, 'latin1');
      bytes = Buffer.concat([head, Buffer.from(checksum(head), 'ascii')]);
    }
    this.write(Buffer.concat([bytes, Buffer.from('\r')]));
    const frame = await this.next();
    if (!frame) throw new Error('the SIP2 server closed the connection');
    const parsed = parse(frame);
    if (!parsed.ok) throw new Error(`unreadable SIP2 response (${parsed.reason}): ${frame.toString('latin1')}`);
    return { raw: frame.toString('latin1'), message: parsed.message };
  }

  close(): void {
    this.socket.end();
  }
}
