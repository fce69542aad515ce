import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../log.js';
import type { SandboxEngine } from '../engine/types.js';
import type { ChunkUrlSigner } from './chunk-urls.js';
import type { ResolvedServerOptions } from './options.js';
import type { QueryRegistry } from './queries.js';
import type { SessionStore } from './sessions.js';
import type { StatementRunner } from './statements.js';

/** What every endpoint handler works with: the server's parts, shared for its lifetime. */
export interface ServerState {
  options: ResolvedServerOptions;
  engine: SandboxEngine;
  sessions: SessionStore;
  queries: QueryRegistry;
  runner: StatementRunner;
  chunkUrls: ChunkUrlSigner;
  logger: Logger;
  /** The URL the server listens on, for chunk URLs when a request has no Host header. */
  listenUrl: string;
}

/** One request as a handler sees it. */
export interface RequestContext {
  req: IncomingMessage;
  url: URL;
  /** The parsed JSON body; null for an empty body or a GET. */
  body: unknown;
  /** Path segments the route captured (a query id, a chunk part). */
  params: string[];
}

/** The base of chunk URLs: the configured public URL, else how this client reached us. */
export function baseUrlFor(state: ServerState, req: IncomingMessage): string {
  if (state.options.publicUrl !== null) return state.options.publicUrl.replace(/\/+$/, '');
  const host = req.headers.host;
  return host ? `http://${host}` : state.listenUrl;
}
