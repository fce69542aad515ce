import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '../../log.js';
import { type SandboxEngine, SnowflakeSqlError } from '../engine/types.js';
import { ChunkUrlSigner } from './chunk-urls.js';
import { internalError, SnowflakeReplyError } from './errors.js';
import { readJsonBody, sendJson } from './http-io.js';
import { toJson } from './json.js';
import type { ArrowEncoder } from './materialize.js';
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type SandboxServerOptions,
} from './options.js';
import { QueryRegistry } from './queries.js';
import { failure, type Reply } from './replies.js';
import { matchRoute } from './routes.js';
import { closeSession } from './session-endpoints.js';
import { SessionStore } from './sessions.js';
import type { RequestContext, ServerState } from './state.js';
import { StatementRunner } from './statements.js';

/** How often sessions whose master token ran out are closed. */
const SWEEP_INTERVAL_MS = 60_000;

/** A running sandbox REST server. */
export interface SandboxServer {
  /** `http://host:port`, what a driver's `accessUrl` should be. */
  url: string;
  port: number;
  /** Stops listening, ends every session and waits for open requests to be cut off. */
  close(): Promise<void>;
}

/**
 * Starts the Snowflake REST server in front of an engine. The engine stays the caller's: the
 * server closes its sessions but not the engine itself.
 */
export async function startSandboxServer(
  engine: SandboxEngine,
  options: SandboxServerOptions = {},
  arrow: ArrowEncoder | null = null,
): Promise<SandboxServer> {
  const state = serverState(engine, resolveServerOptions(options, silentLogger()), arrow);
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    void handleRequest(state, req, res);
  });
  const port = await listen(server, state.options.host, state.options.port);
  state.listenUrl = `http://${urlHost(state.options.host)}:${port}`;
  const sweeper = setInterval(() => void sweepExpired(state), SWEEP_INTERVAL_MS).unref();
  state.logger.info({ url: state.listenUrl }, 'sandbox listening');

  return {
    url: state.listenUrl,
    port,
    close: async () => {
      clearInterval(sweeper);
      await stopServer(server);
      await Promise.all(state.sessions.takeAll().map((session) => closeSession(state, session)));
      state.logger.info({ url: state.listenUrl }, 'sandbox stopped');
    },
  };
}

function serverState(
  engine: SandboxEngine,
  options: ResolvedServerOptions,
  arrow: ArrowEncoder | null,
): ServerState {
  const queries = new QueryRegistry(options);
  return {
    options,
    engine,
    sessions: new SessionStore({
      sessionSeconds: options.sessionTokenSeconds,
      masterSeconds: options.masterTokenSeconds,
    }),
    queries,
    runner: new StatementRunner(queries, options, arrow),
    chunkUrls: new ChunkUrlSigner(options.chunkUrlSeconds),
    logger: options.logger,
    listenUrl: '',
  };
}

/** One request: route, read the body, run the handler, and turn any failure into a reply. */
async function handleRequest(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  let reply: Reply;
  try {
    const route = matchRoute(req.method, url.pathname);
    const body = route.readsBody ? await readJsonBody(req, state.options.maxBodyBytes) : null;
    if (!route.readsBody) req.resume();
    const ctx: RequestContext = { req, url, body, params: route.params };
    reply = await route.handler(state, ctx);
  } catch (error) {
    req.resume();
    reply = replyForError(state.logger, error);
  }
  logRefusal(state.logger, req, url, reply);
  state.logger.debug(
    { method: req.method, path: url.pathname, status: reply.status },
    'sandbox request',
  );
  await writeReply(req, res, reply).catch((error: unknown) => {
    state.logger.info({ err: error, path: url.pathname }, 'sandbox reply not delivered');
  });
}

/** The one place failures become protocol replies; our own faults never leak their text. */
function replyForError(logger: Logger, error: unknown): Reply {
  if (error instanceof SnowflakeReplyError) return failure(error);
  if (error instanceof SnowflakeSqlError) {
    return failure(new SnowflakeReplyError(200, error.code, error.sqlState, error.message));
  }
  logger.error({ err: error }, 'sandbox request failed');
  return failure(internalError());
}

/** Each refused request is logged once, as client-caused, without tokens or bodies. */
function logRefusal(logger: Logger, req: IncomingMessage, url: URL, reply: Reply): void {
  const code = refusalCode(reply);
  if (code === null) return;
  logger.info(
    { method: req.method, path: url.pathname, status: reply.status, code },
    'sandbox request refused',
  );
}

function refusalCode(reply: Reply): string | null {
  const json = reply.json as { success?: boolean; code?: string | null } | undefined;
  if (json?.success === false) return json.code ?? null;
  return reply.status >= 400 ? String(reply.status) : null;
}

async function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
  if (res.destroyed) return;
  if (reply.raw !== undefined) {
    const headers = {
      ...reply.raw.headers,
      'content-length': String(Buffer.byteLength(reply.raw.body)),
    };
    res.writeHead(reply.status, headers);
    res.end(reply.raw.body);
    return;
  }
  await sendJson(req, res, reply.status, toJson(reply.json ?? null));
}

async function sweepExpired(state: ServerState): Promise<void> {
  for (const session of state.sessions.takeExpired()) {
    session.logger.info('sandbox session expired');
    await closeSession(state, session).catch((error: unknown) => {
      session.logger.error({ err: error }, 'closing an expired sandbox session failed');
    });
  }
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

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** IPv6 literals need brackets inside a URL. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
