import type { IncomingHttpHeaders } from 'node:http';
import type { BindRecording } from '../../audit/types.js';
import type { Principal, TokenVerifier } from '../../identity/types.js';
import type { Logger } from '../../log.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { ChunkRegistry } from './chunk-registry.js';
import { isGzip } from './codec.js';
import type { ArrowRowCounter } from './results.js';
import type { SessionStore } from './sessions.js';
import type { UpstreamClient } from './upstream.js';

/** What the Snowflake front end's request handlers share. */

/** A connection clients can select by account name, with its upstream client and defaults. */
export interface ConnectionRoute {
  name: string;
  client: UpstreamClient;
  warehouse: string | null;
  database: string | null;
  schema: string | null;
  /** The role used when no access rule names one. */
  role: string | null;
}

/**
 * Decides whether a principal may use a connection. Returns the upstream role to use (null for the
 * connection's default); throws TollgateError TG_ACCESS_DENIED otherwise.
 */
export type Authorize = (principal: Principal, connection: string) => { role: string | null };

export interface FrontEndContext {
  /** Connections by lower-cased name (account names are matched without regard to case). */
  routes: Map<string, ConnectionRoute>;
  verifier: TokenVerifier;
  authorize: Authorize;
  audit: AuditRecorder;
  sessions: SessionStore;
  chunks: ChunkRegistry;
  bindRecording: BindRecording;
  countArrow: ArrowRowCounter;
  log: Logger;
}

/** A client request as the handlers see it: already read, not yet interpreted. */
export interface SnowflakeRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  /** The path and query string exactly as sent; forwarded upstream as they are. */
  pathAndQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as sent, gzipped or not. */
  body: Buffer;
  /** Where this gateway is reached, for URLs written into replies (chunk downloads). */
  baseUrl: string;
  receivedAt: Date;
}

/** Client headers worth passing upstream: they say which driver is asking and what it reads. */
const FORWARDED_HEADERS = ['accept', 'user-agent', 'client_app_id', 'client_app_version'];

/**
 * The headers a request goes upstream with. The body is forwarded as sent, so a gzipped one is
 * announced as such (drivers do not always say so themselves).
 */
export function forwardedHeaders(
  request: SnowflakeRequest,
  withBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (withBody && isGzip(request.body)) headers['content-encoding'] = 'gzip';
  return headers;
}
