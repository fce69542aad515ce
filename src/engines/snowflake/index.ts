/** Tollgate's Snowflake front end: the REST protocol in, the upstream session out. */

export type { Authorize } from './context.js';
export { upstreamCredential } from './credentials.js';
export {
  type SnowflakeConnection,
  type SnowflakeFrontEnd,
  type SnowflakeFrontEndOptions,
  startSnowflakeFrontEnd,
} from './front-end.js';
export type { UpstreamCredential, UpstreamTarget } from './upstream.js';
