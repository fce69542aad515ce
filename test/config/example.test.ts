import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { authorize } from '../../src/identity/index.js';

const example = fileURLToPath(new URL('../../../examples/tollgate.yaml', import.meta.url));
const examplesDir = dirname(example);

test('examples/tollgate.yaml loads cleanly and means what its comments say', async () => {
  const config = await loadConfig(example);

  assert.equal(config.dataDir, join(examplesDir, 'data'));
  assert.equal(config.listeners.snowflake.tls?.cert, join(examplesDir, 'tls', 'gateway.crt'));
  assert.equal(config.audit.durability, 'fsync');
  assert.deepEqual(
    config.issuers.map((issuer) => [issuer.issuer, issuer.preset, issuer.requireJti]),
    [
      ['https://token.actions.githubusercontent.com', 'github-actions', false],
      ['https://gitlab.com', 'gitlab-ci', true],
    ],
  );
  assert.equal(config.issuers[0]?.claims.tags.job_workflow_ref, 'job_workflow_ref');
  assert.deepEqual(
    config.connections.map((connection) => [connection.name, connection.credentials.type]),
    [
      ['analytics', 'keyPair'],
      ['staging', 'password'],
    ],
  );

  const mainJob = {
    name: 'repo:acme/widgets:ref:refs/heads/main',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:acme/widgets:ref:refs/heads/main',
    tags: {},
    claims: { repository: 'acme/widgets' },
  };
  assert.deepEqual(
    [authorize(config, mainJob, 'analytics').role, authorize(config, mainJob, 'staging').role],
    ['LOADER', null],
  );
});
