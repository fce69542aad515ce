import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { IssuerConfig } from '../../src/config/types.js';
import { createTokenVerifier, TokenError } from '../../src/identity/index.js';
import { createLogger } from '../../src/log.js';
import {
  BAD_TOKEN_CODES,
  BAD_TOKEN_KINDS,
  startTestIssuer,
  type TestOidcIssuer,
  UNTRUSTED_ISSUER,
} from '../support/oidc-issuer.js';

/** Token tests run against a frozen clock, so expiry is decided by the test, not the machine. */
const NOW = new Date('2030-05-06T07:08:09Z');
const frozen = () => NOW;
const secondsFrom = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

/** Asserts that `promise` rejects with a TokenError of `code` whose message passes `check`. */
async function assertRefused(
  promise: Promise<unknown>,
  code: string,
  check: (error: TokenError) => void = () => {},
): Promise<TokenError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}, but the token was accepted`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof TokenError, `expected a TokenError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  check(error);
  return error;
}

describe('token verification against a real OIDC issuer', () => {
  let issuer: TestOidcIssuer;

  before(async () => {
    issuer = await startTestIssuer();
  });
  after(() => issuer.close());

  test('a GitHub Actions job token becomes a principal with the preset tags', async () => {
    const verifier = createTokenVerifier([issuer.issuerConfig()], { now: frozen });
    const claims = issuer.githubClaims({ repository: 'acme/billing', run_id: '777' });

    const principal = await verifier.verify(await issuer.sign(claims, { now: NOW }));

    assert.equal(principal.name, 'repo:acme/billing:ref:refs/heads/main');
    assert.equal(principal.issuer, issuer.url);
    assert.equal(principal.subject, 'repo:acme/billing:ref:refs/heads/main');
    assert.deepEqual(principal.tags, {
      repository: 'acme/billing',
      repository_id: '674521',
      ref: 'refs/heads/main',
      sha: '3f786850e387550fdab836ed7e6dc881de23001b',
      run_id: '777',
      run_attempt: '1',
      workflow: 'nightly-report',
      actor: 'octo-dev',
      environment: 'production',
    });
    assert.equal(principal.claims.aud, issuer.audience);
    assert.equal(principal.claims.job_workflow_ref, claims.job_workflow_ref);
  });

  for (const kind of BAD_TOKEN_KINDS) {
    test(`a ${kind} token is refused with ${BAD_TOKEN_CODES[kind]}, without echoing it`, async () => {
      const verifier = createTokenVerifier([issuer.issuerConfig()], { now: frozen });
      const token = await issuer.badToken(kind, { now: NOW });

      await assertRefused(verifier.verify(token), BAD_TOKEN_CODES[kind], (error) => {
        for (const part of token.split('.').filter((piece) => piece.length > 8)) {
          assert.ok(!error.message.includes(part), `message echoes the token: ${error.message}`);
        }
      });
    });
  }

  test('the messages name the reason and the claim', async () => {
    const verifier = createTokenVerifier([issuer.issuerConfig()], { now: frozen });
    const refuse = async (kind: Parameters<TestOidcIssuer['badToken']>[0]) => {
      const token = await issuer.badToken(kind, { now: NOW });
      return assertRefused(verifier.verify(token), BAD_TOKEN_CODES[kind]);
    };

    const expired = await refuse('expired');
    assert.equal(expired.claim, 'exp');
    assert.equal(
      expired.message,
      "token expired at 2030-05-06T06:18:09.000Z (claim 'exp', leeway 30 s)",
    );

    const early = await refuse('not-yet-valid');
    assert.equal(early.claim, 'nbf');
    assert.match(early.message, /not valid before 2030-05-06T08:08:09\.000Z \(claim 'nbf'/);

    const audience = await refuse('wrong-audience');
    assert.equal(
      audience.message,
      `audience mismatch (claim 'aud'): expected '${issuer.audience}', got 'someone-else'`,
    );

    const untrusted = await refuse('wrong-issuer');
    assert.equal(untrusted.message, `issuer '${UNTRUSTED_ISSUER}' (claim 'iss') is not trusted`);
    assert.equal(untrusted.issuer, UNTRUSTED_ISSUER);

    assert.match((await refuse('alg-none')).message, /'none' \(header 'alg'\) is never accepted/);
    assert.match((await refuse('hmac-public-key')).message, /'HS256'.*HMAC is never accepted/);
    assert.match((await refuse('unknown-kid')).message, /\(header 'kid'\) in the JWKS of issuer/);
    assert.match((await refuse('bad-signature')).message, /signature does not verify/);
    assert.match((await refuse('malformed')).message, /^token is malformed: /);
  });

  test('exp and nbf are checked with the issuer leeway', async () => {
    const config = issuer.issuerConfig({ clockLeeway: 30 });
    const claims = issuer.githubClaims();
    const expiredBy = (seconds: number) =>
      issuer.sign(claims, { now: secondsFrom(NOW, -300 - seconds), ttlSeconds: 300 });
    const verifier = createTokenVerifier([config], { now: frozen });

    assert.equal((await verifier.verify(await expiredBy(20))).tags.run_id, '9102837465');
    await assertRefused(verifier.verify(await expiredBy(40)), 'TG_TOKEN_EXPIRED');

    const startsIn = (seconds: number) => issuer.sign(claims, { now: secondsFrom(NOW, seconds) });
    assert.equal((await verifier.verify(await startsIn(20))).subject, claims.sub);
    await assertRefused(verifier.verify(await startsIn(40)), 'TG_TOKEN_NOT_YET_VALID');
  });

  test('an algorithm the issuer is not pinned to is rejected before any key is fetched', async () => {
    const ecIssuer = await startTestIssuer({ algorithm: 'ES256' });
    try {
      const pinned = ecIssuer.issuerConfig({ algorithms: ['RS256'] });
      const verifier = createTokenVerifier([pinned], { now: frozen });

      const error = await assertRefused(
        verifier.verify(await ecIssuer.sign(undefined, { now: NOW })),
        'TG_TOKEN_ALGORITHM_REJECTED',
      );
      assert.match(error.message, /'ES256'.*allows RS256/);
      assert.equal(ecIssuer.requests.jwks, 0);

      const accepting = createTokenVerifier([ecIssuer.issuerConfig()], { now: frozen });
      const principal = await accepting.verify(await ecIssuer.sign(undefined, { now: NOW }));
      assert.equal(principal.tags.repository, 'acme/widgets');
    } finally {
      await ecIssuer.close();
    }
  });

  test('a token claiming one trusted issuer but signed with another one is refused', async () => {
    const other = await startTestIssuer();
    try {
      const verifier = createTokenVerifier([issuer.issuerConfig(), other.issuerConfig()], {
        now: frozen,
      });
      const forged = await other.sign(undefined, { now: NOW, issuer: issuer.url });

      await assertRefused(verifier.verify(forged), 'TG_TOKEN_KEY_UNKNOWN');
      const genuine = await verifier.verify(await other.sign(undefined, { now: NOW }));
      assert.equal(genuine.issuer, other.url);
    } finally {
      await other.close();
    }
  });

  test('refusals are logged with code and claim, never with the token', async () => {
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger({ destination, level: 'debug' });
    const verifier = createTokenVerifier([issuer.issuerConfig()], { now: frozen, logger });

    const tokens = await Promise.all(
      BAD_TOKEN_KINDS.map((kind) => issuer.badToken(kind, { now: NOW })),
    );
    for (const token of tokens) await verifier.verify(token).catch(() => undefined);
    const good = await issuer.sign(undefined, { now: NOW });
    await verifier.verify(good);

    const logged = lines.join('');
    const refusals = logged.split('\n').filter((line) => line.includes('"token refused"'));
    assert.equal(refusals.length, BAD_TOKEN_KINDS.length);
    assert.match(refusals[0] ?? '', /"code":"TG_TOKEN_EXPIRED","claim":"exp"/);
    for (const token of [...tokens, good]) {
      const signature = token.split('.')[2] ?? '';
      if (signature.length > 8) assert.ok(!logged.includes(signature), 'a token reached the log');
      assert.ok(!logged.includes(token.split('.')[1] ?? ''), 'token claims reached the log');
    }
  });
});

describe('keys, rotation and discovery', () => {
  let issuer: TestOidcIssuer;

  before(async () => {
    issuer = await startTestIssuer();
  });
  after(() => issuer.close());

  test('after the issuer rotates its key, a token with the new kid verifies', async () => {
    const verifier = createTokenVerifier([issuer.issuerConfig()], {
      now: frozen,
      jwksCooldownMs: 0,
    });
    const before = await issuer.sign(undefined, { now: NOW });
    assert.equal((await verifier.verify(before)).tags.repository, 'acme/widgets');
    const fetchesBefore = issuer.requests.jwks;

    const oldKid = issuer.kid;
    const newKid = await issuer.rotateKey({ dropPrevious: true });
    assert.notEqual(newKid, oldKid);
    const rotated = await issuer.sign(issuer.githubClaims({ run_id: '55' }), { now: NOW });

    assert.equal((await verifier.verify(rotated)).tags.run_id, '55');
    assert.equal(issuer.requests.jwks, fetchesBefore + 1);
    await assertRefused(verifier.verify(before), 'TG_TOKEN_KEY_UNKNOWN');
  });

  test('unknown kids refetch the JWKS at most once per cooldown', async () => {
    const verifier = createTokenVerifier([issuer.issuerConfig()], {
      now: frozen,
      jwksCooldownMs: 60_000,
    });
    await verifier.verify(await issuer.sign(undefined, { now: NOW }));
    const fetches = issuer.requests.jwks;

    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stranger = await issuer.badToken('unknown-kid', { now: NOW });
      await assertRefused(verifier.verify(stranger), 'TG_TOKEN_KEY_UNKNOWN');
    }

    assert.equal(issuer.requests.jwks, fetches);
  });

  test('discovery is fetched once and the JWKS is cached between tokens', async () => {
    const discoveriesBefore = issuer.requests.discovery;
    const fetchesBefore = issuer.requests.jwks;
    const verifier = createTokenVerifier([issuer.issuerConfig()], { now: frozen });

    for (let index = 0; index < 4; index += 1) {
      await verifier.verify(await issuer.sign(undefined, { now: NOW }));
    }

    assert.equal(issuer.requests.discovery - discoveriesBefore, 1);
    assert.equal(issuer.requests.jwks - fetchesBefore, 1);
  });

  test('an issuer whose port is closed gives TG_ISSUER_UNREACHABLE', async () => {
    const down = await startTestIssuer();
    const url = down.url;
    const token = await down.sign(undefined, { now: NOW });
    await down.close();
    const verifier = createTokenVerifier([down.issuerConfig()], { now: frozen });

    const error = await assertRefused(verifier.verify(token), 'TG_ISSUER_UNREACHABLE');
    const discovery = `${url}/.well-known/openid-configuration`;
    assert.equal(
      error.message,
      `issuer ${url} is unreachable: discovery request to ${discovery} failed`,
    );
  });

  test('an issuer outage is not cached: verification recovers when it is back', async () => {
    const flaky = await startTestIssuer();
    try {
      const verifier = createTokenVerifier([flaky.issuerConfig()], { now: frozen });
      const token = await flaky.sign(undefined, { now: NOW });

      flaky.available = false;
      const error = await assertRefused(verifier.verify(token), 'TG_ISSUER_UNREACHABLE');
      assert.match(error.message, /answered HTTP 503$/);

      flaky.available = true;
      assert.equal((await verifier.verify(token)).issuer, flaky.url);
      assert.equal(flaky.requests.discovery, 1);
    } finally {
      await flaky.close();
    }
  });

  test('a discovery document naming another issuer is not trusted', async () => {
    const config = issuer.issuerConfig({ issuer: `${issuer.url}/` });
    const verifier = createTokenVerifier([config], { now: frozen });
    const token = await issuer.sign(undefined, { now: NOW, issuer: `${issuer.url}/` });

    const error = await assertRefused(verifier.verify(token), 'TG_ISSUER_UNREACHABLE');
    assert.match(error.message, new RegExp(`discovery document names issuer '${issuer.url}'$`));
  });
});

describe('single-use tokens', () => {
  let issuer: TestOidcIssuer;
  let config: IssuerConfig;

  before(async () => {
    issuer = await startTestIssuer();
    config = issuer.issuerConfig({ requireJti: true });
  });
  after(() => issuer.close());

  test('a jti is accepted once, and again only as a different jti', async () => {
    const verifier = createTokenVerifier([config], { now: frozen });
    const token = await issuer.sign(undefined, { now: NOW, jti: 'job-123-attempt-1' });

    await verifier.verify(token);
    const error = await assertRefused(verifier.verify(token), 'TG_TOKEN_REPLAYED');
    assert.equal(error.claim, 'jti');
    assert.match(error.message, /already used \(claim 'jti' 'job-123-attempt-1'\)/);

    const fresh = await issuer.sign(undefined, { now: NOW, jti: 'job-123-attempt-2' });
    assert.equal((await verifier.verify(fresh)).tags.run_attempt, '1');
  });

  test('a token without jti is refused when the issuer requires one', async () => {
    const verifier = createTokenVerifier([config], { now: frozen });
    const token = await issuer.sign(undefined, { now: NOW, jti: null });

    const error = await assertRefused(verifier.verify(token), 'TG_TOKEN_CLAIM_MISSING');
    assert.equal(error.claim, 'jti');
  });

  test('without requireJti the same token may be presented again', async () => {
    const verifier = createTokenVerifier([issuer.issuerConfig()], { now: frozen });
    const token = await issuer.sign(undefined, { now: NOW, jti: 'reused' });

    await verifier.verify(token);
    assert.equal((await verifier.verify(token)).claims.jti, 'reused');
  });

  test('a remembered jti is forgotten once its token has expired', async () => {
    let clock = NOW;
    const verifier = createTokenVerifier([config], { now: () => clock });
    await verifier.verify(await issuer.sign(undefined, { now: NOW, jti: 'short', ttlSeconds: 60 }));

    clock = secondsFrom(NOW, 600);
    const later = await issuer.sign(undefined, { now: clock, jti: 'short' });
    assert.equal((await verifier.verify(later)).claims.jti, 'short');
  });
});
