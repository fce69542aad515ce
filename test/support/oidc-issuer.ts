import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { CLAIM_PRESETS } from '../../src/config/presets.js';
import type { IssuerConfig } from '../../src/config/types.js';
import type { ErrorCode } from '../../src/errors.js';

/**
 * A real OIDC token issuer on loopback for tests: it serves a discovery document and a JWKS over
 * HTTP, signs GitHub-Actions-shaped job tokens, rotates its keys, and makes every kind of bad
 * token the gateway must refuse. Start one with `startTestIssuer()`, point the verifier (or the
 * gateway's config) at `issuer.issuerConfig()`, and `close()` it when done.
 */

/** Each kind of bad token, with the code the gateway must refuse it with. */
export const BAD_TOKEN_CODES = {
  /** `exp` an hour ago, far beyond any allowed leeway. */
  expired: 'TG_TOKEN_EXPIRED',
  /** `nbf` an hour ahead. */
  'not-yet-valid': 'TG_TOKEN_NOT_YET_VALID',
  /** Properly signed, for the audience `someone-else`. */
  'wrong-audience': 'TG_TOKEN_AUDIENCE_MISMATCH',
  /** Properly signed by this issuer's key, but `iss` names an issuer nobody trusts. */
  'wrong-issuer': 'TG_TOKEN_ISSUER_UNTRUSTED',
  /** Unsigned: `alg: none` and an empty signature. */
  'alg-none': 'TG_TOKEN_ALGORITHM_REJECTED',
  /** Algorithm confusion: HS256 with the issuer's public key (SPKI PEM) as the HMAC secret. */
  'hmac-public-key': 'TG_TOKEN_ALGORITHM_REJECTED',
  /** Signed by a key the issuer never published, with a `kid` that is not in the JWKS. */
  'unknown-kid': 'TG_TOKEN_KEY_UNKNOWN',
  /** A valid token's signature pasted onto different claims. */
  'bad-signature': 'TG_TOKEN_SIGNATURE_INVALID',
  /** Three parts, but the claims part is not base64url JSON. */
  malformed: 'TG_TOKEN_MALFORMED',
} as const satisfies Record<string, ErrorCode>;

export type BadTokenKind = keyof typeof BAD_TOKEN_CODES;

/** Every bad token kind, for tests that loop over them. */
export const BAD_TOKEN_KINDS = Object.keys(BAD_TOKEN_CODES) as BadTokenKind[];

/** The audience tokens carry unless told otherwise. */
export const TEST_AUDIENCE = 'tollgate-test';

/** An `iss` no test config trusts. */
export const UNTRUSTED_ISSUER = 'https://untrusted-issuer.example.com';

export interface TestIssuerOptions {
  /** Signing algorithm of the issuer's keys. Default RS256. */
  algorithm?: 'RS256' | 'ES256';
  /** The default `aud` of signed tokens. Default `TEST_AUDIENCE`. */
  audience?: string;
}

export interface TestSignOptions {
  /** `aud`; default the issuer's audience. */
  audience?: string | string[];
  /** `iss`; default the issuer's URL. */
  issuer?: string;
  /** The clock the token is made against. Default now. */
  now?: Date;
  /** `exp` - now, in seconds. Default 300. */
  ttlSeconds?: number;
  /** `nbf` - now, in seconds. Default 0. */
  notBeforeSeconds?: number;
  /** `jti`; default a random UUID; null leaves it out. */
  jti?: string | null;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

/** Counts of requests the issuer has served, to assert on caching and refetching. */
export interface IssuerRequestCounts {
  discovery: number;
  jwks: number;
}

async function createSigningKey(algorithm: string): Promise<SigningKey> {
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  return { kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export class TestOidcIssuer {
  /** The issuer URL: `http://127.0.0.1:<port>`, the value of `iss`. */
  readonly url: string;
  /** The default `aud`. */
  readonly audience: string;
  readonly algorithm: 'RS256' | 'ES256';
  /** Requests served so far. */
  readonly requests: IssuerRequestCounts = { discovery: 0, jwks: 0 };
  /** While false, discovery and JWKS requests are answered with HTTP 503 (an issuer outage). */
  available = true;

  readonly #server: Server;
  #current: SigningKey;
  #published: SigningKey[];

  private constructor(server: Server, key: SigningKey, options: Required<TestIssuerOptions>) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.audience = options.audience;
    this.algorithm = options.algorithm;
    this.#server = server;
    this.#current = key;
    this.#published = [key];
    server.on('request', (request, response) => this.#serve(request, response));
  }

  /** Starts an issuer on a free loopback port. */
  static async start(options: TestIssuerOptions = {}): Promise<TestOidcIssuer> {
    const resolved = {
      algorithm: options.algorithm ?? 'RS256',
      audience: options.audience ?? TEST_AUDIENCE,
    };
    const key = await createSigningKey(resolved.algorithm);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TestOidcIssuer(server, key, resolved);
  }

  /** The `kid` new tokens are signed with. */
  get kid(): string {
    return this.#current.kid;
  }

  /** The `kid`s the JWKS currently publishes. */
  get publishedKids(): string[] {
    return this.#published.map((key) => key.kid);
  }

  /**
   * An issuers entry for this issuer with the GitHub Actions claim mapping, as `loadConfig` would
   * produce it; `overrides` replace top-level fields.
   */
  issuerConfig(overrides: Partial<IssuerConfig> = {}): IssuerConfig {
    const preset = CLAIM_PRESETS['github-actions'];
    return {
      issuer: this.url,
      audience: this.audience,
      algorithms: [this.algorithm],
      clockLeeway: 30,
      requireJti: false,
      preset: 'github-actions',
      claims: { principal: preset.principal, tags: { ...preset.tags } },
      ...overrides,
    };
  }

  /**
   * Claims shaped like a GitHub Actions job token for `acme/widgets` on main (string values, as
   * GitHub sends them); `overrides` replace or add claims, and `sub` follows repository and ref
   * unless given.
   */
  githubClaims(overrides: Record<string, unknown> = {}): JWTPayload {
    const repository = String(overrides.repository ?? 'acme/widgets');
    const ref = String(overrides.ref ?? 'refs/heads/main');
    return {
      sub: `repo:${repository}:ref:${ref}`,
      repository,
      repository_owner: repository.split('/')[0],
      repository_id: '674521',
      repository_owner_id: '91235',
      ref,
      ref_type: 'branch',
      sha: '3f786850e387550fdab836ed7e6dc881de23001b',
      run_id: '9102837465',
      run_number: '42',
      run_attempt: '1',
      workflow: 'nightly-report',
      actor: 'octo-dev',
      actor_id: '1234',
      event_name: 'push',
      environment: 'production',
      job_workflow_ref: `${repository}/.github/workflows/report.yml@${ref}`,
      runner_environment: 'github-hosted',
      ...overrides,
    };
  }

  /** Signs `claims` (default `githubClaims()`) with the current key. */
  sign(claims: JWTPayload = this.githubClaims(), options: TestSignOptions = {}): Promise<string> {
    return this.#signWith(this.#current, claims, options);
  }

  /**
   * Rotates the signing key: new tokens carry a new `kid`. By default the old key stays
   * published (as real issuers do during a rotation); `dropPrevious` unpublishes it.
   */
  async rotateKey(options: { dropPrevious?: boolean } = {}): Promise<string> {
    const next = await createSigningKey(this.algorithm);
    this.#published = options.dropPrevious ? [next] : [...this.#published, next];
    this.#current = next;
    return next.kid;
  }

  /** A token of the given bad kind; see BAD_TOKEN_CODES for what each is. */
  async badToken(kind: BadTokenKind, options: { now?: Date } = {}): Promise<string> {
    const now = options.now ?? new Date();
    const claims = this.githubClaims();

    switch (kind) {
      case 'expired':
        return this.sign(claims, { now: new Date(now.getTime() - 3_600_000), ttlSeconds: 600 });
      case 'not-yet-valid':
        return this.sign(claims, { now, notBeforeSeconds: 3600, ttlSeconds: 7200 });
      case 'wrong-audience':
        return this.sign(claims, { now, audience: 'someone-else' });
      case 'wrong-issuer':
        return this.sign(claims, { now, issuer: UNTRUSTED_ISSUER });
      case 'alg-none':
        return this.#unsigned(claims, now);
      case 'hmac-public-key':
        return this.#hmacWithPublicKey(claims, now);
      case 'unknown-kid':
        return this.#signWith(await createSigningKey(this.algorithm), claims, { now });
      case 'bad-signature':
        return this.#withForeignSignature(claims, now);
      case 'malformed':
        return `${base64urlJson({ alg: this.algorithm, kid: this.kid })}.bm90IGpzb24.c2lnbmF0dXJl`;
    }
  }

  /** Stops serving discovery and JWKS. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
  }

  #payload(claims: JWTPayload, options: TestSignOptions): JWTPayload {
    const now = epochSeconds(options.now ?? new Date());
    const payload: JWTPayload = {
      ...claims,
      iss: options.issuer ?? this.url,
      aud: options.audience ?? this.audience,
      iat: now,
      nbf: now + (options.notBeforeSeconds ?? 0),
      exp: now + (options.ttlSeconds ?? 300),
    };
    const jti = options.jti === undefined ? randomUUID() : options.jti;
    if (jti !== null) payload.jti = jti;
    return payload;
  }

  #signWith(key: SigningKey, claims: JWTPayload, options: TestSignOptions): Promise<string> {
    return new SignJWT(this.#payload(claims, options))
      .setProtectedHeader({ alg: this.algorithm, kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  #unsigned(claims: JWTPayload, now: Date): string {
    const header = base64urlJson({ alg: 'none', typ: 'JWT' });
    return `${header}.${base64urlJson(this.#payload(claims, { now }))}.`;
  }

  #hmacWithPublicKey(claims: JWTPayload, now: Date): Promise<string> {
    const secret = new TextEncoder().encode(this.#current.publicPem);
    return new SignJWT(this.#payload(claims, { now }))
      .setProtectedHeader({ alg: 'HS256', kid: this.kid, typ: 'JWT' })
      .sign(secret);
  }

  async #withForeignSignature(claims: JWTPayload, now: Date): Promise<string> {
    const genuine = await this.sign(claims, { now });
    const other = await this.sign({ ...claims, repository: 'acme/other' }, { now });
    const [header, payload] = genuine.split('.');
    return `${header}.${payload}.${other.split('.')[2]}`;
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (!this.available) {
      response.writeHead(503).end();
      return;
    }
    if (request.method === 'GET' && path === '/.well-known/openid-configuration') {
      this.requests.discovery += 1;
      sendJson(response, this.#discoveryDocument());
      return;
    }
    if (request.method === 'GET' && path === '/jwks') {
      this.requests.jwks += 1;
      sendJson(response, { keys: this.#published.map((key) => key.publicJwk) });
      return;
    }
    response.writeHead(404).end();
  }

  #discoveryDocument() {
    return {
      issuer: this.url,
      jwks_uri: `${this.url}/jwks`,
      subject_types_supported: ['public'],
      response_types_supported: ['id_token'],
      id_token_signing_alg_values_supported: [this.algorithm],
      claims_supported: Object.keys(this.githubClaims()),
    };
  }
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts a TestOidcIssuer on a free loopback port. */
export function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestOidcIssuer> {
  return TestOidcIssuer.start(options);
}
