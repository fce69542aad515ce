import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { TollgateError } from '../../src/errors.js';
import {
  authorize,
  globToRegExp,
  type Principal,
  requireAccess,
  requireConnection,
} from '../../src/identity/index.js';

const config = parseConfig(
  `
listeners: { snowflake: { port: 0 } }
issuers:
  - { preset: github-actions, audience: tollgate }
connections:
  - { name: analytics, type: snowflake, account: A, user: U, role: READER, credentials: { type: password, passwordEnv: PW } }
  - { name: analytics-eu, type: snowflake, account: B, user: U, credentials: { type: password, passwordEnv: PW } }
  - { name: staging, type: snowflake, account: C, user: U, credentials: { type: password, passwordEnv: PW } }
access:
  - name: main-writers
    principal: 'repo:acme/*:ref:refs/heads/main'
    connections: 'analytics*'
    role: WRITER
  - name: readers
    claims: { repository_owner: acme, environment: [staging, 'review-*'] }
    connections: [analytics, staging]
  - name: groups
    claims: { groups: 'data-*' }
    connections: staging
`,
  '/etc/tollgate/tollgate.yaml',
);

function principal(name: string, claims: Record<string, unknown> = {}): Principal {
  return {
    name,
    issuer: 'https://token.actions.githubusercontent.com',
    subject: name,
    tags: {},
    claims,
  };
}

describe('access rules', () => {
  test('the first matching rule decides, with its role override', () => {
    const decision = authorize(
      config,
      principal('repo:acme/widgets:ref:refs/heads/main'),
      'analytics-eu',
    );

    assert.equal(decision.allowed, true);
    assert.equal(decision.rule?.name, 'main-writers');
    assert.equal(decision.role, 'WRITER');
  });

  test('a later rule applies when the first does not match, with the connection role', () => {
    const agent = principal('repo:acme/widgets:ref:refs/heads/dev', {
      repository_owner: 'acme',
      environment: 'review-42',
    });

    const decision = authorize(config, agent, 'ANALYTICS');

    assert.deepEqual(
      [decision.allowed, decision.rule?.name, decision.role],
      [true, 'readers', 'READER'],
    );
    assert.equal(authorize(config, agent, 'analytics-eu').allowed, false);
  });

  test('every claim condition must hold', () => {
    const wrongEnvironment = principal('x', {
      repository_owner: 'acme',
      environment: 'production',
    });
    const missingClaim = principal('x', { environment: 'staging' });

    assert.equal(authorize(config, wrongEnvironment, 'staging').allowed, false);
    assert.equal(authorize(config, missingClaim, 'staging').allowed, false);
  });

  test('array claims match when one element does', () => {
    const member = principal('someone', { groups: ['ops', 'data-eng'] });

    assert.equal(authorize(config, member, 'staging').rule?.name, 'groups');
    assert.equal(
      authorize(config, principal('someone', { groups: ['ops'] }), 'staging').allowed,
      false,
    );
  });

  test('no matching rule denies, and requireAccess says who and where', () => {
    const outsider = principal('repo:evil/widgets:ref:refs/heads/main');

    assert.deepEqual(authorize(config, outsider, 'analytics'), {
      allowed: false,
      rule: null,
      role: null,
    });
    assert.throws(
      () => requireAccess(config, outsider, 'analytics'),
      (error: unknown) =>
        error instanceof TollgateError &&
        error.code === 'TG_ACCESS_DENIED' &&
        error.message ===
          "principal 'repo:evil/widgets:ref:refs/heads/main' may not use connection 'analytics': no access rule matches",
    );
  });

  test('an unknown connection is denied, and requireConnection names it', () => {
    const insider = principal('repo:acme/widgets:ref:refs/heads/main');

    assert.equal(authorize(config, insider, 'nowhere').allowed, false);
    assert.equal(requireConnection(config, 'Staging').name, 'staging');
    assert.throws(() => requireConnection(config, 'nowhere'), { code: 'TG_CONNECTION_UNKNOWN' });
  });
});

describe('globs', () => {
  test('* spans slashes and colons, ? is one character, \\ escapes', () => {
    assert.ok(globToRegExp('repo:acme/*').test('repo:acme/widgets:ref:refs/heads/main'));
    assert.ok(!globToRegExp('repo:acme/*').test('repo:acme-evil/widgets'));
    assert.ok(globToRegExp('run-?').test('run-7'));
    assert.ok(!globToRegExp('run-?').test('run-17'));
    assert.ok(globToRegExp('a\\*b').test('a*b'));
    assert.ok(!globToRegExp('a\\*b').test('axxb'));
    assert.ok(!globToRegExp('acme.app').test('acmexapp'), 'dots are literal');
  });
});
