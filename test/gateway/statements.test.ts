import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { destroy, execute } from './driver.js';
import { ACCOUNT, type Harness, startHarness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness({ binds: 'recorded' });
});

after(async () => {
  await harness.close();
});

test('a statement through the gateway is recorded with its text, binds, principal, tags and rows', async () => {
  const connection = await harness.connect({ application: 'nightly-agent' });
  const { rows } = await execute(connection, 'select ? as greeting, 41 + 1 as answer', {
    binds: ['hello'],
  });
  await destroy(connection);

  assert.deepEqual(rows, [{ GREETING: 'hello', ANSWER: 42 }]);

  const store = harness.openStore();
  const [view] = store.searchStatements({ text: 'greeting' });
  store.close();
  assert.ok(view, 'the statement is in the audit log');
  assert.equal(view.sqlText, 'select ? as greeting, 41 + 1 as answer');
  assert.deepEqual(view.binds, { 1: { type: 'TEXT', value: 'hello' } });
  assert.equal(view.principal, 'repo:acme/widgets:ref:refs/heads/main');
  assert.equal(view.connection, ACCOUNT);
  assert.equal(view.verifiedTags.run_id, '9102837465');
  assert.equal(view.claimedTags.application, 'nightly-agent');
  assert.equal(view.outcome, 'success');
  assert.equal(view.rows, 1);
  assert.equal(view.statementType, 'SELECT');
  assert.ok(view.queryId);
});

test('the admin listener reports health and open sessions, and nothing else', async () => {
  const admin = harness.gateway.admin?.url;
  assert.ok(admin, 'the config asked for an admin listener');
  const connection = await harness.connect();

  const health = (await (await fetch(`${admin}/healthz`)).json()) as {
    status: string;
    engines: { protocol: string; url: string; sessions: number }[];
  };
  assert.equal(health.status, 'ok');
  assert.deepEqual(health.engines, [
    { protocol: 'snowflake', url: harness.gateway.snowflake.url, sessions: 1 },
  ]);
  assert.equal((await fetch(`${admin}/sessions`)).status, 404);
  await destroy(connection);
});
