import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** How long a key-pair login JWT is valid; Snowflake accepts at most an hour, and it is used at once. */
const LOGIN_JWT_LIFETIME_SECONDS = 60;

/**
 * The fingerprint Snowflake records for a user's public key (`RSA_PUBLIC_KEY_FP`):
 * `SHA256:` and the base64 SHA-256 of the DER SubjectPublicKeyInfo.
 */
export function publicKeyFingerprint(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

/**
 * The account part of a key-pair JWT: upper case, and without the region and cloud suffix of a
 * legacy locator (`xy12345.us-east-1` signs as `XY12345`). `ORG-ACCOUNT` names stay whole.
 */
export function jwtAccountName(account: string): string {
  return (account.split('.')[0] ?? account).toUpperCase();
}

/**
 * Builds the JWT Snowflake's key-pair authentication (authenticator SNOWFLAKE_JWT) expects as the
 * login TOKEN: RS256, `iss` `ACCOUNT.USER.SHA256:<fingerprint>`, `sub` `ACCOUNT.USER`, `iat` now
 * and `exp` 60 s later. https://docs.snowflake.com/en/developer-guide/sql-api/authenticating
 */
export function snowflakeKeyPairJwt(
  account: string,
  user: string,
  privateKey: KeyObject,
  now: Date = new Date(),
): Promise<string> {
  const qualifiedUser = `${jwtAccountName(account)}.${user.toUpperCase()}`;
  const issuedAt = Math.floor(now.getTime() / 1000);

  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(`${qualifiedUser}.${publicKeyFingerprint(privateKey)}`)
    .setSubject(qualifiedUser)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LOGIN_JWT_LIFETIME_SECONDS)
    .sign(privateKey);
}
