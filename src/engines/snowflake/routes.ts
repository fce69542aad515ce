import { TollgateError } from '../../errors.js';
import type { FrontEndContext, SnowflakeRequest } from './context.js';
import { handleLogin } from './login.js';
import { MONITORING_PATH, PATHS, QUERY_ABORT_PATH, QUERY_RESULT_PATH } from './protocol.js';
import { handleQuery } from './queries.js';
import {
  handleAbortById,
  handleAbortByRequestId,
  handleMonitoring,
  handleResult,
} from './query-followups.js';
import { handleForwarded, handleLogout, handleTokenRenewal } from './session-requests.js';

/** Which handler answers which endpoint (shared/SNOWFLAKE.md, "Endpoints"). */

type Handler = (context: FrontEndContext, request: SnowflakeRequest) => Promise<string>;
type QueryHandler = (
  context: FrontEndContext,
  request: SnowflakeRequest,
  queryId: string,
) => Promise<string>;

const POST_ROUTES = new Map<string, Handler>([
  [PATHS.login, handleLogin],
  [PATHS.tokenRequest, handleTokenRenewal],
  [PATHS.heartbeat, handleForwarded],
  [PATHS.telemetry, handleForwarded],
  [PATHS.session, handleLogout],
  [PATHS.query, handleQuery],
  [PATHS.abortByRequestId, handleAbortByRequestId],
]);

const QUERY_ROUTES: { method: string; pattern: RegExp; handler: QueryHandler }[] = [
  { method: 'GET', pattern: QUERY_RESULT_PATH, handler: handleResult },
  { method: 'GET', pattern: MONITORING_PATH, handler: handleMonitoring },
  { method: 'POST', pattern: QUERY_ABORT_PATH, handler: handleAbortById },
];

/** Answers a request with the reply text of its endpoint's handler. */
export function routeRequest(context: FrontEndContext, request: SnowflakeRequest): Promise<string> {
  const handler = request.method === 'POST' ? POST_ROUTES.get(request.path) : undefined;
  if (handler !== undefined) return handler(context, request);

  for (const route of QUERY_ROUTES) {
    const match = request.method === route.method ? route.pattern.exec(request.path) : null;
    if (match?.[1] !== undefined) return route.handler(context, request, match[1]);
  }
  throw new TollgateError(
    'TG_REQUEST_INVALID',
    `${request.method} ${request.path} is not an endpoint of the Snowflake protocol Tollgate serves`,
  );
}
