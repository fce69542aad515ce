import { handleChunk } from './chunk-endpoint.js';
import { endpointNotFound, methodNotAllowed } from './errors.js';
import { handleLogin } from './login.js';
import {
  handleAbortById,
  handleAbortByRequestId,
  handleQueryMonitoring,
  handleQueryRequest,
  handleQueryResult,
} from './query-endpoints.js';
import type { Reply } from './replies.js';
import {
  handleHeartbeat,
  handleSessionDelete,
  handleTelemetry,
  handleTokenRequest,
} from './session-endpoints.js';
import type { RequestContext, ServerState } from './state.js';

type Handler = (state: ServerState, ctx: RequestContext) => Promise<Reply>;

interface Route {
  method: 'GET' | 'POST';
  /** Anchored; capture groups become `ctx.params`. */
  path: RegExp;
  handler: Handler;
}

const ID = '([^/]+)';

/** Every endpoint the drivers call during connect, execute and destroy, plus chunk downloads. */
const ROUTES: Route[] = [
  { method: 'POST', path: /^\/session\/v1\/login-request$/, handler: handleLogin },
  { method: 'POST', path: /^\/session\/token-request$/, handler: handleTokenRequest },
  { method: 'POST', path: /^\/session\/heartbeat$/, handler: handleHeartbeat },
  { method: 'POST', path: /^\/session$/, handler: handleSessionDelete },
  { method: 'POST', path: /^\/telemetry\/send$/, handler: handleTelemetry },
  { method: 'POST', path: /^\/queries\/v1\/query-request$/, handler: handleQueryRequest },
  { method: 'POST', path: /^\/queries\/v1\/abort-request$/, handler: handleAbortByRequestId },
  { method: 'GET', path: new RegExp(`^/queries/${ID}/result$`), handler: handleQueryResult },
  { method: 'POST', path: new RegExp(`^/queries/${ID}/abort-request$`), handler: handleAbortById },
  {
    method: 'GET',
    path: new RegExp(`^/monitoring/queries/${ID}$`),
    handler: handleQueryMonitoring,
  },
  { method: 'GET', path: new RegExp(`^/sandbox/chunks/${ID}/(\\d+)$`), handler: handleChunk },
];

/** The route for a request and its captured path segments. */
export interface RouteMatch {
  handler: Handler;
  params: string[];
  /** Whether the request's body is read as JSON (POST) or ignored (GET). */
  readsBody: boolean;
}

/** Finds the route, or throws 404 for an unknown path and 405 for a known path's wrong method. */
export function matchRoute(method: string | undefined, pathname: string): RouteMatch {
  let pathKnown: Route | null = null;
  for (const route of ROUTES) {
    const match = route.path.exec(pathname);
    if (match === null) continue;
    if (route.method !== method) {
      pathKnown ??= route;
      continue;
    }
    return {
      handler: route.handler,
      params: match.slice(1).map(decodeSegment),
      readsBody: method === 'POST',
    };
  }
  if (pathKnown !== null) throw methodNotAllowed(pathKnown.method);
  throw endpointNotFound();
}

function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}
