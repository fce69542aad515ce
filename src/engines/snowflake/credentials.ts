import type { UpstreamCredentials } from '../../vault/index.js';
import type { UpstreamCredential } from './upstream.js';

/**
 * The vault's credentials as login fields of Snowflake's login request: a password
 * (`AUTHENTICATOR: SNOWFLAKE`), or a fresh key-pair JWT for every login (`SNOWFLAKE_JWT`), since
 * those JWTs live only a minute.
 */
export function upstreamCredential(
  credentials: UpstreamCredentials,
  account: string,
  user: string,
): UpstreamCredential {
  if (credentials.type === 'password') {
    return {
      loginFields: async () => ({ AUTHENTICATOR: 'SNOWFLAKE', PASSWORD: credentials.password }),
    };
  }
  return {
    loginFields: async () => ({
      AUTHENTICATOR: 'SNOWFLAKE_JWT',
      TOKEN: await credentials.loginJwt(account, user),
    }),
  };
}
