import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import type {
  ConnectionConfig,
  KeyPairCredentialConfig,
  PasswordCredentialConfig,
  TollgateConfig,
} from '../config/types.js';
import { TollgateError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { publicKeyFingerprint, snowflakeKeyPairJwt } from './keypair-jwt.js';

const REDACTED = '[redacted]';

/**
 * An RSA private key for Snowflake key-pair login. The key lives in a private field: JSON,
 * `util.inspect` and object spread never show it.
 */
export class KeyPairCredentials {
  readonly type = 'keyPair';
  /** The connection these credentials belong to. */
  readonly connection: string;
  /** `SHA256:...` of the public key, as Snowflake shows it in `DESC USER` (not a secret). */
  readonly publicKeyFingerprint: string;
  readonly #privateKey: KeyObject;

  constructor(connection: string, privateKey: KeyObject) {
    this.connection = connection;
    this.#privateKey = privateKey;
    this.publicKeyFingerprint = publicKeyFingerprint(privateKey);
  }

  /** The private key, for signing only. */
  get privateKey(): KeyObject {
    return this.#privateKey;
  }

  /** The login TOKEN for `AUTHENTICATOR: SNOWFLAKE_JWT`; see snowflakeKeyPairJwt. */
  loginJwt(account: string, user: string, now?: Date): Promise<string> {
    return snowflakeKeyPairJwt(account, user, this.#privateKey, now);
  }

  toJSON() {
    return {
      type: this.type,
      connection: this.connection,
      publicKeyFingerprint: this.publicKeyFingerprint,
      privateKey: REDACTED,
    };
  }

  [inspect.custom](): string {
    return `KeyPairCredentials ${inspect(this.toJSON())}`;
  }
}

/** A Snowflake password, held in a private field that JSON and `util.inspect` never show. */
export class PasswordCredentials {
  readonly type = 'password';
  readonly connection: string;
  readonly #password: string;

  constructor(connection: string, password: string) {
    this.connection = connection;
    this.#password = password;
  }

  /** The password, for the upstream login request only. */
  get password(): string {
    return this.#password;
  }

  toJSON() {
    return { type: this.type, connection: this.connection, password: REDACTED };
  }

  [inspect.custom](): string {
    return `PasswordCredentials ${inspect(this.toJSON())}`;
  }
}

export type UpstreamCredentials = KeyPairCredentials | PasswordCredentials;

export interface LoadCredentialsOptions {
  /** Where `passwordEnv` and `passphraseEnv` are looked up. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Warned when a credential is written inline (`insecure: true`). */
  logger?: Logger;
}

function missing(connection: string, what: string, cause?: unknown): TollgateError {
  return new TollgateError('TG_CREDENTIAL_MISSING', `connection '${connection}': ${what}`, {
    cause,
  });
}

function fromEnv(connection: string, name: string, key: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  throw missing(connection, `environment variable ${name} (${key}) is not set`);
}

async function fromFile(connection: string, path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw missing(connection, `${key} ${path} cannot be read (${code})`, cause);
  }
}

function warnInline(connection: ConnectionConfig, logger: Logger): void {
  const message = 'credential written inline in the config (insecure: true); not for production';
  logger.warn({ connection: connection.name }, message);
}

async function loadPassword(
  connection: ConnectionConfig,
  config: PasswordCredentialConfig,
  configDir: string,
  options: Required<LoadCredentialsOptions>,
): Promise<PasswordCredentials> {
  const name = connection.name;
  let password: string;
  if (config.passwordEnv !== null) {
    password = fromEnv(name, config.passwordEnv, 'passwordEnv', options.env);
  } else if (config.passwordFile !== null) {
    const file = resolve(configDir, config.passwordFile);
    // Files written by editors and `echo` end with a newline that is not part of the password.
    password = (await fromFile(name, file, 'passwordFile')).replace(/\r?\n$/, '');
    if (password === '') throw missing(name, `passwordFile ${file} is empty`);
  } else {
    warnInline(connection, options.logger);
    password = config.password ?? '';
  }
  return new PasswordCredentials(name, password);
}

async function loadKeyPair(
  connection: ConnectionConfig,
  config: KeyPairCredentialConfig,
  configDir: string,
  options: Required<LoadCredentialsOptions>,
): Promise<KeyPairCredentials> {
  const name = connection.name;
  const file = config.privateKeyFile === null ? null : resolve(configDir, config.privateKeyFile);
  if (file === null || config.passphrase !== null) warnInline(connection, options.logger);

  const pem =
    file === null ? (config.privateKey ?? '') : await fromFile(name, file, 'privateKeyFile');
  const passphrase =
    config.passphraseEnv === null
      ? (config.passphrase ?? undefined)
      : fromEnv(name, config.passphraseEnv, 'passphraseEnv', options.env);

  const privateKey = parsePrivateKey(name, pem, passphrase, file ?? 'privateKey');
  return new KeyPairCredentials(name, privateKey);
}

function parsePrivateKey(
  connection: string,
  pem: string,
  passphrase: string | undefined,
  source: string,
): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (cause) {
    // OpenSSL's own error for a missing passphrase varies by version; the PEM label does not.
    const encrypted = passphrase === undefined && pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY');
    const why = encrypted
      ? 'is encrypted and no passphrase is configured (passphraseEnv)'
      : 'is not a PEM private key, or the passphrase is wrong';
    throw missing(connection, `private key ${source} ${why}`, cause);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw missing(
      connection,
      `private key ${source} is ${key.asymmetricKeyType}; Snowflake needs RSA`,
    );
  }
  return key;
}

/**
 * Reads one connection's upstream credentials, once, at start: the key pair or password from
 * the environment variables and files the config names (relative paths against `configDir`).
 * Throws TG_CREDENTIAL_MISSING naming the connection and the variable or file; never the secret.
 */
export function loadCredentials(
  connection: ConnectionConfig,
  configDir: string,
  options: LoadCredentialsOptions = {},
): Promise<UpstreamCredentials> {
  const resolved = { env: options.env ?? process.env, logger: options.logger ?? silentLogger() };
  const config = connection.credentials;
  return config.type === 'password'
    ? loadPassword(connection, config, configDir, resolved)
    : loadKeyPair(connection, config, configDir, resolved);
}

/**
 * Loads the credentials of every connection, keyed by connection name. Reports every connection
 * whose credentials are missing in one TG_CREDENTIAL_MISSING error, one line each.
 */
export async function loadAllCredentials(
  config: Pick<TollgateConfig, 'connections' | 'source'>,
  options: LoadCredentialsOptions = {},
): Promise<Map<string, UpstreamCredentials>> {
  const results = await Promise.allSettled(
    config.connections.map((connection) => loadCredentials(connection, config.source.dir, options)),
  );
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason] : [],
  );
  if (failures.length > 0) {
    const message = failures.map((failure) => (failure as Error).message).join('\n');
    throw new TollgateError('TG_CREDENTIAL_MISSING', message, { cause: failures[0] });
  }

  const loaded = results.map(
    (result) => (result as PromiseFulfilledResult<UpstreamCredentials>).value,
  );
  return new Map(loaded.map((credentials) => [credentials.connection, credentials]));
}
