import { createHash, createPublicKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { compactVerify, decodeJwt } from 'jose';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TollgateError } from '../../errors.js';

/**
 * The `--users` file: who may log in to the sandbox and with what.
 *
 * ```yaml
 * users:
 *   - name: analyst
 *     password: correct-horse
 *   - name: gateway
 *     publicKey: |
 *       -----BEGIN PUBLIC KEY-----
 *       ...
 *       -----END PUBLIC KEY-----
 *     tokens: [pat-1234]   # accepted as OAUTH or PROGRAMMATIC_ACCESS_TOKEN
 * ```
 */
const usersFileSchema = z.strictObject({
  users: z.array(
    z.strictObject({
      name: z.string().min(1),
      password: z.string().min(1).optional(),
      publicKey: z.string().min(1).optional(),
      publicKeys: z.array(z.string().min(1)).optional(),
      tokens: z.array(z.string().min(1)).optional(),
    }),
  ),
});

/** What a login request presented. */
export interface LoginCredentials {
  accountName: string;
  loginName: string;
  authenticator: string;
  password: string | null;
  token: string | null;
}

interface KnownKey {
  /** `SHA256:` and the base64 SHA-256 of the DER public key, as in the JWT issuer. */
  fingerprint: string;
  key: KeyObject;
}

interface KnownUser {
  password: string | null;
  keys: KnownKey[];
  tokens: string[];
}

/** Users the sandbox checks logins against, by upper-case login name. */
export class UserDirectory {
  readonly #users: Map<string, KnownUser>;

  private constructor(users: Map<string, KnownUser>) {
    this.#users = users;
  }

  /** Reads and validates a users file. Throws TG_CONFIG_INVALID naming the file and the problem. */
  static async load(path: string): Promise<UserDirectory> {
    const text = await readFile(path, 'utf8');
    try {
      return UserDirectory.fromDocument(parseYaml(text));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TollgateError('TG_CONFIG_INVALID', `users file ${path}: ${reason}`, {
        cause: error,
      });
    }
  }

  /** Builds a directory from an already parsed document (the YAML file's content). */
  static fromDocument(document: unknown): UserDirectory {
    const parsed = usersFileSchema.parse(document);
    const users = new Map<string, KnownUser>();
    for (const entry of parsed.users) {
      const pems = [...(entry.publicKeys ?? []), ...(entry.publicKey ? [entry.publicKey] : [])];
      users.set(entry.name.toUpperCase(), {
        password: entry.password ?? null,
        keys: pems.map(knownKey),
        tokens: entry.tokens ?? [],
      });
    }
    return new UserDirectory(users);
  }

  /** True when the credentials are right for a listed user. Never throws for bad input. */
  async verify(credentials: LoginCredentials): Promise<boolean> {
    const user = this.#users.get(credentials.loginName.toUpperCase());
    if (user === undefined) return false;

    switch (credentials.authenticator) {
      case 'SNOWFLAKE':
        return user.password !== null && sameSecret(credentials.password, user.password);
      case 'SNOWFLAKE_JWT':
        return verifyKeyPairJwt(credentials, user.keys);
      case 'OAUTH':
      case 'PROGRAMMATIC_ACCESS_TOKEN':
        return user.tokens.some((token) => sameSecret(credentials.token, token));
      default:
        return false;
    }
  }
}

function knownKey(pem: string): KnownKey {
  const key = createPublicKey(pem);
  const der = key.export({ type: 'spki', format: 'der' });
  return { key, fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}` };
}

/** Compares digests so the time taken says nothing about where the strings differ. */
function sameSecret(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Snowflake's key-pair login: an RS256 JWT whose `sub` is `ACCOUNT.USER` and whose `iss` adds the
 * fingerprint of the signing key, `ACCOUNT.USER.SHA256:<base64>`, upper case, with an expiry at
 * most an hour after issue. https://docs.snowflake.com/en/user-guide/key-pair-auth
 */
async function verifyKeyPairJwt(credentials: LoginCredentials, keys: KnownKey[]): Promise<boolean> {
  if (credentials.token === null) return false;
  const subject = `${accountLocator(credentials.accountName)}.${credentials.loginName.toUpperCase()}`;

  const issuer = unverifiedIssuer(credentials.token);
  const known = keys.find((k) => issuer === `${subject}.${k.fingerprint}`);
  if (known === undefined) return false;

  try {
    const { payload } = await compactVerify(credentials.token, known.key, {
      algorithms: ['RS256'],
    });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    return claims.sub === subject && withinLifetime(claims);
  } catch {
    return false;
  }
}

/** Seconds of clock difference tolerated between the client and the sandbox. */
const CLOCK_SKEW_SECONDS = 60;
const MAX_LIFETIME_SECONDS = 3600;

/**
 * Checks `exp` and `iat`. The Node driver writes both in milliseconds rather than the seconds
 * RFC 7519 asks for, and Snowflake accepts it, so values past year 5138 in seconds are read as
 * milliseconds.
 */
function withinLifetime(claims: Record<string, unknown>): boolean {
  const exp = epochSeconds(claims.exp);
  const iat = epochSeconds(claims.iat);
  const now = Date.now() / 1000;
  if (exp === null || exp <= now - CLOCK_SKEW_SECONDS) return false;
  if (iat !== null && iat > now + CLOCK_SKEW_SECONDS) return false;
  return exp - (iat ?? now) <= MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS;
}

function epochSeconds(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return value > 1e11 ? value / 1000 : value;
}

function unverifiedIssuer(token: string): string | null {
  try {
    return decodeJwt(token).iss ?? null;
  } catch {
    return null;
  }
}

/** The account part of an account name, without a region or cloud suffix (`xy123.us-east-1`). */
function accountLocator(accountName: string): string {
  return (accountName.split('.')[0] ?? accountName).toUpperCase();
}
