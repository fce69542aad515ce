import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { chunkReturned } from './audit-events.js';
import type { ChunkTicket } from './chunk-registry.js';
import { isGzip } from './codec.js';
import type { FrontEndContext } from './context.js';
import { sendText } from './http-io.js';
import { JsonRowCounter } from './row-counter.js';

/**
 * `GET /tollgate/chunks/{ticket}`: a result chunk, fetched from upstream with the headers upstream
 * gave for it and streamed to the client as it arrives. On the way through, a copy is inflated
 * and its rows counted; nothing is held whole, so a result of any size streams in bounded memory.
 */

/** Counts rows of an Arrow IPC stream read from `source`. */
export type ArrowStreamCounter = (source: AsyncIterable<Uint8Array>) => Promise<number>;

/** Response headers of upstream's chunk that the client needs to read it. */
const RELAYED_HEADERS = ['content-type', 'content-encoding'];

export async function serveChunk(
  context: FrontEndContext,
  ticketId: string,
  response: ServerResponse,
  countArrowStream: ArrowStreamCounter,
): Promise<void> {
  const ticket = context.chunks.find(ticketId);
  // Like an expired presigned URL: the driver then asks for fresh chunk URLs.
  if (ticket === null) return sendText(response, 403, 'chunk URL expired or unknown');

  const abort = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  const upstream = await ticket.session.client.fetchChunk(
    ticket.upstreamUrl,
    ticket.headers,
    abort.signal,
  );
  if (upstream.statusCode !== 200) return relayFailure(ticket, upstream, response);

  try {
    const counted = await streamCounting(ticket, upstream, response, countArrowStream);
    recordChunk(context, ticket, counted);
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    // The client went away mid-download (its driver retries): nothing was returned in full.
    ticket.session.log.info(
      { queryId: ticket.queryId, chunkIndex: ticket.chunkIndex },
      'client left during a chunk download',
    );
    response.destroy();
  }
}

/** Upstream refused the chunk (an expired URL answers 403): the client gets the same status. */
async function relayFailure(
  ticket: ChunkTicket,
  upstream: Dispatcher.ResponseData,
  response: ServerResponse,
): Promise<void> {
  await upstream.body.dump();
  ticket.session.log.info(
    { status: upstream.statusCode, queryId: ticket.queryId, chunkIndex: ticket.chunkIndex },
    'upstream refused a chunk download',
  );
  sendText(response, upstream.statusCode, 'chunk download refused upstream');
}

interface Counted {
  rows: number;
  bytes: number;
}

async function streamCounting(
  ticket: ChunkTicket,
  upstream: Dispatcher.ResponseData,
  response: ServerResponse,
  countArrowStream: ArrowStreamCounter,
): Promise<Counted> {
  response.writeHead(200, relayedHeaders(upstream));
  const counter = new ChunkCounter(ticket.format, countArrowStream);

  for await (const piece of upstream.body as AsyncIterable<Buffer>) {
    counter.push(piece);
    if (!response.write(piece)) await once(response, 'drain');
  }
  response.end();
  return counter.finish();
}

function relayedHeaders(upstream: Dispatcher.ResponseData): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

function recordChunk(context: FrontEndContext, ticket: ChunkTicket, counted: Counted): void {
  const { session, statement } = ticket;
  const event = chunkReturned(
    { ...session.audit, claimedTags: statement.claimedTags },
    {
      statementId: statement.statementId,
      queryId: ticket.queryId,
      chunkIndex: ticket.chunkIndex,
      rows: counted.rows,
      bytes: counted.bytes,
    },
  );
  context.audit.afterAction(event, session.log);
  session.log.debug({ statementId: statement.statementId, ...counted }, 'chunk returned');
}

/**
 * Counts a chunk's rows and plain bytes from the bytes as sent. Whether the body is gzipped is
 * read from its first bytes, since storage services do not always say.
 */
class ChunkCounter {
  readonly #format: 'json' | 'arrow';
  readonly #countArrowStream: ArrowStreamCounter;
  #gunzip: Gunzip | null = null;
  #json: JsonRowCounter | null = null;
  #arrow: { input: PassThrough; rows: Promise<number>; bytes: number } | null = null;
  #started = false;
  #inflateError: Error | null = null;

  constructor(format: 'json' | 'arrow', countArrowStream: ArrowStreamCounter) {
    this.#format = format;
    this.#countArrowStream = countArrowStream;
  }

  push(piece: Buffer): void {
    if (!this.#started) this.#start(piece);
    if (this.#gunzip !== null) this.#gunzip.write(piece);
    else this.#plain(piece);
  }

  #start(first: Buffer): void {
    this.#started = true;
    if (this.#format === 'json') this.#json = new JsonRowCounter();
    else this.#arrow = this.#arrowSink();
    if (!isGzip(first)) return;

    this.#gunzip = createGunzip();
    this.#gunzip.on('data', (plain: Buffer) => this.#plain(plain));
    this.#gunzip.on('error', (error) => {
      this.#inflateError = error;
    });
  }

  #arrowSink() {
    const input = new PassThrough();
    return { input, rows: this.#countArrowStream(input as Readable), bytes: 0 };
  }

  #plain(piece: Buffer): void {
    if (this.#json !== null) this.#json.push(piece);
    else if (this.#arrow !== null) {
      this.#arrow.bytes += piece.length;
      this.#arrow.input.write(piece);
    }
  }

  async finish(): Promise<Counted> {
    if (this.#gunzip !== null) await this.#inflated(this.#gunzip);
    if (this.#arrow !== null) {
      this.#arrow.input.end();
      return { rows: await this.#arrow.rows, bytes: this.#arrow.bytes };
    }
    return { rows: this.#json?.rows ?? 0, bytes: this.#json?.bytes ?? 0 };
  }

  /** Waits until the copy is fully inflated; a corrupt body fails the count, not the client. */
  async #inflated(gunzip: Gunzip): Promise<void> {
    if (this.#inflateError === null) {
      const ended = new Promise<void>((resolve) => {
        gunzip.once('end', resolve);
        gunzip.once('error', () => resolve());
      });
      gunzip.end();
      await ended;
    }
    if (this.#inflateError !== null) throw this.#inflateError;
  }
}
