import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Agent, type Dispatcher, request } from 'undici';

/**
 * An HTTP proxy for tests that records every JSON reply passing through it, so a test can read
 * exactly what a client (or the gateway, as upstream's client) was sent. It forwards the Host
 * header unchanged, so URLs a server builds from it point back through the proxy.
 */
export interface RecordedExchange {
  method: string;
  path: string;
  status: number;
  /** The reply body as text (inflated if it was gzipped); chunk downloads are not kept. */
  body: string;
}

export class RecordingProxy {
  readonly exchanges: RecordedExchange[] = [];
  readonly #server: Server;
  readonly #target: string;
  readonly #dispatcher: Dispatcher | undefined;
  url = '';

  private constructor(target: string, caFile?: string) {
    this.#target = target;
    this.#dispatcher =
      caFile === undefined ? undefined : new Agent({ connect: { ca: readFileSync(caFile) } });
    this.#server = createServer((req, res) => void this.#forward(req, res));
  }

  /**
   * Starts a proxy on a free loopback port in front of `target` (an origin URL); `caFile` is
   * the PEM certificate an HTTPS target is trusted with.
   */
  static async start(target: string, caFile?: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(target, caFile);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.#server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** Every recorded reply body joined, for searching for strings that must not be there. */
  allReplies(): string {
    return this.exchanges.map((exchange) => exchange.body).join('\n');
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pieces: Buffer[] = [];
    try {
      // Inside the try: a client that goes away mid-request must not leave a rejection behind.
      for await (const piece of req) pieces.push(piece as Buffer);
      const upstream = await request(`${this.#target}${req.url ?? '/'}`, {
        method: req.method as 'GET' | 'POST',
        headers: req.headers as Record<string, string>,
        body: pieces.length > 0 ? Buffer.concat(pieces) : null,
        ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher }),
      });
      const body = Buffer.from(await upstream.body.arrayBuffer());
      this.#record(req, upstream.statusCode, upstream.headers, body);
      res.writeHead(upstream.statusCode, upstream.headers as Record<string, string>);
      res.end(body);
    } catch {
      res.destroy();
    }
  }

  #record(
    req: IncomingMessage,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): void {
    const type = String(headers['content-type'] ?? '');
    if (!type.includes('json')) return;
    const plain = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
    const path = req.url ?? '/';
    this.exchanges.push({ method: req.method ?? '', path, status, body: plain.toString('utf8') });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
