export {
  type AccessDecision,
  authorize,
  findConnection,
  requireAccess,
  requireConnection,
} from './access.js';
export { claimText, principalFromClaims } from './claims.js';
export {
  DEV_AUDIENCE,
  DEV_ISSUER_WARNING,
  type DevIssuer,
  type DevIssuerRecord,
  devGithubClaims,
  devIssuerConfig,
  type MintDevTokenOptions,
  mintDevToken,
  readDevIssuer,
  type StartDevIssuerOptions,
  startDevIssuer,
} from './dev-issuer.js';
export { discoveryUrl, type KeySourceOptions } from './discovery.js';
export { globToRegExp, matchesAny } from './glob.js';
export { MemoryReplayCache, type ReplayCache } from './replay.js';
export { TokenError, type TokenErrorCode } from './token-error.js';
export type { Principal, TokenVerifier } from './types.js';
export { createTokenVerifier, type TokenVerifierOptions } from './verifier.js';
