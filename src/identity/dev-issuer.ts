/**
 * The DEVELOPMENT token issuer: NOT FOR PRODUCTION. It lets `tollgate demo` run the whole path
 * on a laptop with no identity provider: an RSA key kept in the data folder, a discovery
 * document and JWKS served over plain HTTP on loopback, and `tollgate token` minting any claims
 * anyone with the data folder asks for. A real deployment trusts a real issuer instead (GitHub
 * Actions, GitLab CI, the company's identity provider).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { CLAIM_PRESETS } from '../config/presets.js';
import type { IssuerConfig } from '../config/types.js';
import { TollgateError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { devIssuerDir } from '../paths.js';

/** Said wherever the development issuer shows itself: its record, discovery document and log. */
export const DEV_ISSUER_WARNING = 'Tollgate development token issuer: not for production';

/** The audience development tokens carry unless told otherwise. */
export const DEV_AUDIENCE = 'tollgate-dev';

/** The longest lifetime `mintDevToken` gives a token, in seconds (a day). */
export const MAX_DEV_TOKEN_TTL_SECONDS = 86_400;

const KEY_FILE = 'key.pem';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
const RECORD_FILE = 'issuer.json';

/** `issuer.json`: what `tollgate token` needs to mint offline, and where the issuer listens. */
export interface DevIssuerRecord {
  /** The issuer URL: the `iss` of its tokens, and where discovery is served. */
  issuer: string;
  /** The `kid` of the signing key (its JWK thumbprint, stable across restarts). */
  kid: string;
  audience: string;
  host: string;
  port: number;
  algorithm: 'RS256';
  warning: string;
}

export interface StartDevIssuerOptions {
  /** The data folder; the key and record go in `devIssuerDir(dataDir)`. */
  dataDir: string;
  /** Loopback address to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Port to listen on. Default: the port recorded by the previous run when it is free (so the
   * issuer URL in a generated config stays valid), else any free port.
   */
  port?: number;
  /** Where the not-for-production warning is logged. */
  logger?: Logger;
}

/** A running development issuer. */
export interface DevIssuer {
  readonly url: string;
  readonly audience: string;
  readonly kid: string;
  /** The folder holding `key.pem` and `issuer.json`. */
  readonly dir: string;
  /** An issuers entry trusting this issuer with the GitHub Actions claim mapping. */
  issuerConfig(): IssuerConfig;
  close(): Promise<void>;
}

/** Reads the key, or creates one readable only by its owner. */
function loadOrCreateKey(dir: string): KeyObject {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, KEY_FILE);
  try {
    const key = createPrivateKey(readFileSync(file, 'utf8'));
    chmodSync(file, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  return privateKey;
}

async function publicJwk(privateKey: KeyObject): Promise<JWK> {
  const { kty, n, e } = await exportJWK(privateKey);
  const jwk: JWK = { kty, n, e };
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

function readRecordFile(dir: string): DevIssuerRecord | null {
  try {
    return JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as DevIssuerRecord;
  } catch {
    return null;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Listens on the wanted port; a remembered port that is now taken falls back to any port. */
async function listenStable(
  server: Server,
  host: string,
  wanted: number | undefined,
  remembered: number | undefined,
): Promise<number> {
  if (wanted !== undefined) return listen(server, host, wanted);
  if (remembered === undefined) return listen(server, host, 0);

  try {
    return await listen(server, host, remembered);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return listen(server, host, 0);
  }
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function handler(record: DevIssuerRecord, jwk: JWK) {
  const discovery = {
    issuer: record.issuer,
    jwks_uri: `${record.issuer}/jwks`,
    subject_types_supported: ['public'],
    response_types_supported: ['id_token'],
    id_token_signing_alg_values_supported: ['RS256'],
    service_documentation: DEV_ISSUER_WARNING,
  };
  return (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', record.issuer).pathname;
    if (request.method !== 'GET') response.writeHead(405).end();
    else if (path === '/.well-known/openid-configuration') sendJson(response, discovery);
    else if (path === '/jwks') sendJson(response, { keys: [jwk] });
    else response.writeHead(404, { 'content-type': 'text/plain' }).end(`${DEV_ISSUER_WARNING}\n`);
  };
}

/**
 * Starts the development issuer: creates or reuses its RSA key (mode 0600) under
 * `devIssuerDir(dataDir)`, serves OIDC discovery and the JWKS over HTTP on loopback, and writes
 * `issuer.json` so `mintDevToken` and `tollgate token` can mint without it running.
 */
export async function startDevIssuer(options: StartDevIssuerOptions): Promise<DevIssuer> {
  const dir = devIssuerDir(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new TypeError(`the development issuer listens on loopback only, not on ${host}`);
  }
  const previous = readRecordFile(dir);
  const privateKey = loadOrCreateKey(dir);
  const jwk = await publicJwk(privateKey);

  const server = createServer();
  const port = await listenStable(server, host, options.port, previous?.port);
  const record: DevIssuerRecord = {
    issuer: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    kid: jwk.kid ?? '',
    audience: previous?.audience ?? DEV_AUDIENCE,
    host,
    port,
    algorithm: 'RS256',
    warning: DEV_ISSUER_WARNING,
  };
  server.on('request', handler(record, jwk));
  writeFileSync(join(dir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  (options.logger ?? silentLogger()).warn({ issuer: record.issuer, dir }, DEV_ISSUER_WARNING);

  return {
    url: record.issuer,
    audience: record.audience,
    kid: record.kid,
    dir,
    issuerConfig: () => devIssuerConfig(record),
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** An issuers entry for a development issuer, mapping claims like GitHub Actions does. */
export function devIssuerConfig(
  record: Pick<DevIssuerRecord, 'issuer' | 'audience'>,
): IssuerConfig {
  const preset = CLAIM_PRESETS['github-actions'];
  return {
    issuer: record.issuer,
    audience: record.audience,
    algorithms: ['RS256'],
    clockLeeway: 30,
    requireJti: false,
    preset: 'github-actions',
    claims: { principal: preset.principal, tags: { ...preset.tags } },
  };
}

/** The record of the development issuer in `dataDir`, or TG_DEV_ISSUER_MISSING. */
export function readDevIssuer(dataDir: string): DevIssuerRecord {
  const record = readRecordFile(devIssuerDir(dataDir));
  if (record !== null) return record;
  const message = `no development token issuer in ${dataDir}; run \`tollgate demo\` first`;
  throw new TollgateError('TG_DEV_ISSUER_MISSING', message);
}

function readDevKey(dataDir: string): KeyObject {
  const file = join(devIssuerDir(dataDir), KEY_FILE);
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch (cause) {
    const message = `the development issuer's key ${file} cannot be read; run \`tollgate demo\` again`;
    throw new TollgateError('TG_DEV_ISSUER_MISSING', message, { cause });
  }
}

/**
 * Claims shaped like a GitHub Actions job token (string values, as GitHub sends them), for a
 * pretend job of `acme/analytics-agent` on main. `overrides` replace or add claims; `sub` follows
 * repository and ref unless given. https://docs.github.com/en/actions/reference/openid-connect-reference
 */
export function devGithubClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const repository = String(overrides.repository ?? 'acme/analytics-agent');
  const ref = String(overrides.ref ?? 'refs/heads/main');
  return {
    sub: `repo:${repository}:ref:${ref}`,
    repository,
    repository_owner: repository.split('/')[0],
    repository_id: '100200300',
    repository_owner_id: '4000',
    ref,
    ref_type: 'branch',
    sha: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    run_id: '1001',
    run_number: '1',
    run_attempt: '1',
    workflow: 'agent-task',
    actor: 'dev-agent',
    actor_id: '5000',
    event_name: 'workflow_dispatch',
    environment: 'development',
    job_workflow_ref: `${repository}/.github/workflows/agent-task.yml@${ref}`,
    runner_environment: 'self-hosted',
    ...overrides,
  };
}

export interface MintDevTokenOptions {
  /** The data folder whose development issuer signs. */
  dataDir: string;
  /** The token's claims (`devGithubClaims()` makes GitHub-Actions-shaped ones). */
  claims: JWTPayload;
  /** `aud`. Default the issuer's recorded audience. */
  audience?: string;
  /** Lifetime in seconds, 1 to 86 400. Default 900 (15 minutes). */
  ttlSeconds?: number;
  /** The clock. Default now. */
  now?: Date;
}

/**
 * Signs a token with the development issuer's key, without the issuer running: `iss`, `aud`,
 * `iat`, `nbf`, `exp` and a fresh `jti` are set here (a `jti` in `claims` is kept).
 */
export async function mintDevToken(options: MintDevTokenOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? 900;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_DEV_TOKEN_TTL_SECONDS) {
    throw new TypeError(`ttlSeconds must be an integer from 1 to ${MAX_DEV_TOKEN_TTL_SECONDS}`);
  }

  const record = readDevIssuer(options.dataDir);
  const privateKey = readDevKey(options.dataDir);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);

  return new SignJWT({ jti: randomUUID(), ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: record.kid, typ: 'JWT' })
    .setIssuer(record.issuer)
    .setAudience(options.audience ?? record.audience)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + ttl)
    .sign(privateKey);
}
