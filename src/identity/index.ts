export {
  type AccessDecision,
  authorize,
  findConnection,
  requireAccess,
  requireConnection,
} from './access.js';
export { claimText, principalFromClaims } from './claims.js';
export { discoveryUrl, type KeySourceOptions } from './discovery.js';
export { globToRegExp, matchesAny } from './glob.js';
export { MemoryReplayCache, type ReplayCache } from './replay.js';
export { TokenError, type TokenErrorCode } from './token-error.js';
export type { Principal, TokenVerifier } from './types.js';
export { createTokenVerifier, type TokenVerifierOptions } from './verifier.js';
