import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AuditSink, BindRecording } from '../../audit/types.js';
import { isTollgateError } from '../../errors.js';
import type { TokenVerifier } from '../../identity/types.js';
import type { Logger } from '../../log.js';
import type { RunningEngine } from '../engine.js';
import { countArrowRows, countArrowStreamRows } from './arrow-rows.js';
import { AuditRecorder } from './audit-recorder.js';
import { ChunkRegistry } from './chunk-registry.js';
import { serveChunk } from './chunks.js';
import { errorReply } from './codec.js';
import type { Authorize, ConnectionRoute, FrontEndContext, SnowflakeRequest } from './context.js';
import { isClientCaused, toSnowflakeError } from './errors.js';
import { readBody, sendJson, sendText } from './http-io.js';
import { CHUNK_PATH_PREFIX } from './protocol.js';
import { MAX_QUERY_BODY_BYTES } from './queries.js';
import { routeRequest } from './routes.js';
import { endSession } from './session-requests.js';
import { SessionStore } from './sessions.js';
import { UpstreamClient, type UpstreamTarget } from './upstream.js';

/**
 * The Snowflake front end: an HTTP(S) server that speaks Snowflake's client REST protocol to the
 * drivers and Tollgate's pipeline (identity, access, audit, upstream) behind it.
 *
 * It is built on node:http rather than a framework: every request is a small JSON exchange whose
 * body must be read raw (gzip is sniffed, not announced), chunk downloads are streamed, and the
 * added latency budget is under a millisecond.
 */

/** A connection as the front end needs it. */
export interface SnowflakeConnection {
  /** What clients send as their account name to select it (matched without regard to case). */
  name: string;
  upstream: UpstreamTarget;
  warehouse: string | null;
  database: string | null;
  schema: string | null;
  role: string | null;
}

export interface SnowflakeFrontEndOptions {
  connections: SnowflakeConnection[];
  verifier: TokenVerifier;
  authorize: Authorize;
  audit: AuditSink;
  /** How bind values are kept in the audit log. */
  bindRecording: BindRecording;
  /** Forward statements even when the audit store fails (logged loudly). Default false. */
  failOpen?: boolean;
  logger: Logger;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** PEM certificate and key: serve HTTPS. Default: plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /**
   * Base URL written into rewritten chunk URLs, for clients that reach the gateway through a
   * proxy. Default: the scheme and `Host` header of the request that fetched the result.
   */
  publicUrl?: string | null;
  /** How often ended sessions and stale chunk tickets are swept, in ms. Default 30 000. */
  sweepIntervalMs?: number;
}

export interface SnowflakeFrontEnd extends RunningEngine {
  readonly port: number;
}

export async function startSnowflakeFrontEnd(
  options: SnowflakeFrontEndOptions,
): Promise<SnowflakeFrontEnd> {
  const context = createContext(options);
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key })
    : createHttpServer();
  const scheme = options.tls ? 'https' : 'http';
  server.on('request', (request, response) => {
    void handleHttp(context, options, scheme, request, response);
  });
  server.keepAliveTimeout = 65_000;

  const port = await listen(server, options.host ?? '127.0.0.1', options.port);
  const sweeper = setInterval(() => void sweep(context), options.sweepIntervalMs ?? 30_000);
  sweeper.unref();

  const url = `${scheme}://${formatHost(options.host ?? '127.0.0.1')}:${port}`;
  context.log.info({ url }, 'snowflake front end listening');
  return {
    protocol: 'snowflake',
    url,
    port,
    sessionCount: () => context.sessions.size,
    close: () => shutdown(context, server, sweeper),
  };
}

function createContext(options: SnowflakeFrontEndOptions): FrontEndContext {
  const log = options.logger.child({ engine: 'snowflake' });
  const routes = new Map<string, ConnectionRoute>();
  for (const connection of options.connections) {
    const client = new UpstreamClient(connection.upstream, { logger: log });
    routes.set(connection.name.toLowerCase(), { ...connection, client });
  }
  return {
    routes,
    verifier: options.verifier,
    authorize: options.authorize,
    audit: new AuditRecorder(options.audit, { failOpen: options.failOpen ?? false, logger: log }),
    sessions: new SessionStore(),
    chunks: new ChunkRegistry(),
    bindRecording: options.bindRecording,
    countArrow: countArrowRows,
    log,
  };
}

async function handleHttp(
  context: FrontEndContext,
  options: SnowflakeFrontEndOptions,
  scheme: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const receivedAt = new Date();
  const target = request.url ?? '/';
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  try {
    // Chunk downloads stream; every other endpoint is one JSON exchange.
    if (request.method === 'GET' && path.startsWith(CHUNK_PATH_PREFIX)) {
      const ticket = path.slice(CHUNK_PATH_PREFIX.length);
      return await serveChunk(context, ticket, response, countArrowStreamRows);
    }
    const body = await readBody(request, MAX_QUERY_BODY_BYTES);
    const baseUrl = options.publicUrl ?? requestBaseUrl(request, scheme);
    const snowflakeRequest: SnowflakeRequest = {
      method: request.method ?? 'GET',
      path,
      pathAndQuery: target,
      query: new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1)),
      headers: request.headers,
      body,
      baseUrl,
      receivedAt,
    };
    sendJson(response, await routeRequest(context, snowflakeRequest));
    context.log.debug({ method: request.method, path, ms: msSince(receivedAt) }, 'request');
  } catch (error) {
    replyWithError(context, response, path, error);
  }
}

/**
 * Where the client reached the gateway, for URLs written into its replies. Behind a proxy that
 * terminates TLS, `X-Forwarded-Proto` and `X-Forwarded-Host` say it; they only shape URLs sent
 * back to the same client, so a client that forges them only misdirects itself.
 */
function requestBaseUrl(request: IncomingMessage, scheme: string): string {
  const forwardedProto = firstValue(request.headers['x-forwarded-proto']);
  const forwardedHost = firstValue(request.headers['x-forwarded-host']);
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : scheme;
  return `${proto}://${forwardedHost ?? request.headers.host ?? 'localhost'}`;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim() || undefined;
}

/** The boundary: every failure leaves as a Snowflake error, logged at the level it deserves. */
function replyWithError(
  context: FrontEndContext,
  response: ServerResponse,
  path: string,
  error: unknown,
): void {
  const shape = toSnowflakeError(error);
  if (isClientCaused(error)) {
    context.log.info({ path, code: isTollgateError(error) ? error.code : null }, 'request refused');
  } else {
    context.log.error({ err: error, path }, 'request failed');
  }
  if (path.startsWith(CHUNK_PATH_PREFIX)) sendText(response, 502, shape.message);
  else sendJson(response, errorReply(shape));
}

/** Ends sessions whose master token expired; drops stale chunk tickets. */
async function sweep(context: FrontEndContext): Promise<void> {
  context.chunks.sweep();
  for (const session of context.sessions.expired()) {
    await endSession(context, session, 'expired');
  }
}

async function shutdown(
  context: FrontEndContext,
  server: Server,
  sweeper: NodeJS.Timeout,
): Promise<void> {
  clearInterval(sweeper);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await Promise.all(context.sessions.all().map((session) => endSession(context, session, 'error')));
  server.closeAllConnections();
  await closed;
  await context.audit.drain();
  await Promise.all([...context.routes.values()].map((route) => route.client.close()));
  context.log.info('snowflake front end stopped');
}

function msSince(start: Date): number {
  return Date.now() - start.getTime();
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
