import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { createTokenVerifier, principalFromClaims, TokenError } from '../../src/identity/index.js';
import { startTestIssuer, type TestOidcIssuer } from '../support/oidc-issuer.js';

/** A config whose only issuer is `issuerYaml`, indented as a list item. */
function configWithIssuer(issuerYaml: string) {
  const text = `
listeners: { snowflake: { port: 0 } }
issuers:
${issuerYaml}
connections:
  - { name: sandbox, type: snowflake, account: SANDBOX, user: U, credentials: { type: password, passwordEnv: PW } }
access:
  - { principal: '*', connections: sandbox }
`;
  return parseConfig(text, '/etc/tollgate/tollgate.yaml');
}

describe('claim mapping', () => {
  let issuer: TestOidcIssuer;

  before(async () => {
    issuer = await startTestIssuer();
  });
  after(() => issuer.close());

  test('the gitlab-ci preset maps GitLab ID token claims to tags', async () => {
    const config = configWithIssuer(`
  - preset: gitlab-ci
    issuer: ${issuer.url}
    audience: ${issuer.audience}
    algorithms: [RS256]`);
    const verifier = createTokenVerifier(config.issuers);
    const token = await issuer.sign({
      sub: 'project_path:acme-data/etl:ref_type:branch:ref:main',
      project_path: 'acme-data/etl',
      project_id: 22,
      namespace_path: 'acme-data',
      ref: 'main',
      ref_type: 'branch',
      sha: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
      pipeline_id: '1001',
      job_id: '2002',
      user_login: 'data-bot',
    });

    const principal = await verifier.verify(token);

    assert.equal(principal.name, 'project_path:acme-data/etl:ref_type:branch:ref:main');
    assert.deepEqual(principal.tags, {
      project_path: 'acme-data/etl',
      project_id: '22',
      ref: 'main',
      sha: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
      pipeline_id: '1001',
      job_id: '2002',
      user_login: 'data-bot',
    });
  });

  test('a principal template and extra tags apply on top of the github-actions preset', async () => {
    const config = configWithIssuer(`
  - preset: github-actions
    issuer: ${issuer.url}
    audience: ${issuer.audience}
    algorithms: [RS256]
    claims:
      principal: '{repository}@{ref}'
      tags: { model: ai_model, workflow: job_workflow_ref }`);
    const verifier = createTokenVerifier(config.issuers);
    const claims = issuer.githubClaims({ ref: 'refs/heads/feature/x', ai_model: 'claude-x' });

    const principal = await verifier.verify(await issuer.sign(claims));

    assert.equal(principal.name, 'acme/widgets@refs/heads/feature/x');
    assert.equal(principal.tags.model, 'claude-x');
    assert.equal(principal.tags.workflow, claims.job_workflow_ref);
    assert.equal(principal.tags.run_id, '9102837465');
  });

  test('tags whose claims are absent are left out', async () => {
    const config = configWithIssuer(`
  - preset: github-actions
    issuer: ${issuer.url}
    audience: ${issuer.audience}
    algorithms: [RS256]`);
    const verifier = createTokenVerifier(config.issuers);
    const { environment: _, ...claims } = issuer.githubClaims();

    const principal = await verifier.verify(await issuer.sign(claims));

    assert.equal(Object.hasOwn(principal.tags, 'environment'), false);
    assert.equal(Object.keys(principal.tags).length, 8);
  });

  test('a template claim that is missing is refused naming the claim', async () => {
    const config = configWithIssuer(`
  - issuer: ${issuer.url}
    audience: ${issuer.audience}
    algorithms: [RS256]
    claims: { principal: '{repository}/{deployment}' }`);
    const verifier = createTokenVerifier(config.issuers);

    await assert.rejects(verifier.verify(await issuer.sign()), (error: unknown) => {
      assert.ok(error instanceof TokenError);
      assert.equal(error.code, 'TG_TOKEN_CLAIM_MISSING');
      assert.equal(error.claim, 'deployment');
      assert.match(error.message, /^claim 'deployment' is missing/);
      return true;
    });
  });

  test('without a preset the principal is sub and there are no tags', async () => {
    const config = configWithIssuer(`
  - issuer: ${issuer.url}
    audience: ${issuer.audience}
    algorithms: [RS256]`);
    const principal = await createTokenVerifier(config.issuers).verify(await issuer.sign());

    assert.equal(principal.name, 'repo:acme/widgets:ref:refs/heads/main');
    assert.deepEqual(principal.tags, {});
  });
});

test('claim values that are not strings become text tags', () => {
  const config = configWithIssuer(`
  - issuer: https://issuer.example.com
    audience: tollgate
    claims: { tags: { attempt: n, flag: b, groups: g, meta: o } }`);

  const principal = principalFromClaims(config.issuers[0]!, {
    sub: 'agent-7',
    n: 3,
    b: false,
    g: ['admins', 'ops'],
    o: { model: 'x', version: 2 },
  });

  assert.deepEqual(principal.tags, {
    attempt: '3',
    flag: 'false',
    groups: '["admins","ops"]',
    meta: '{"model":"x","version":2}',
  });
});
