import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { destroy, execute, streamCount } from './driver.js';
import { type Harness, startHarness, UPSTREAM_PASSWORD } from './harness.js';

/**
 * A full session through the gateway (login, binds, a chunked result, a multi-statement request,
 * a token renewal, an error, logout), then a search of every log line the gateway wrote and every
 * reply the driver got for the secrets that must never appear there.
 */

const BIND_SECRETS = ['bind-value-91c4e7', 'alice.secret@example.com'];

let harness: Harness;
let oidcToken: string;

before(async () => {
  // Upstream session tokens live 2 s, so the session below renews through the gateway.
  harness = await startHarness({
    binds: 'hashed',
    sandbox: { sessionTokenSeconds: 2, chunkRows: 5000 },
  });
  oidcToken = await harness.token();
  const connection = await harness.connect({ token: oidcToken });

  await execute(connection, 'select ? as a, ? as b', { binds: BIND_SECRETS });
  assert.equal(await streamCount(connection, 'select range from range(20000)'), 20_000);
  await execute(connection, 'select 1; select 2', { parameters: { MULTI_STATEMENT_COUNT: 2 } });
  await execute(connection, 'select * from no_such_table').catch(() => undefined);
  await sleep(2500);
  await execute(connection, 'select ? as late', { binds: [BIND_SECRETS[0] as string] });
  await destroy(connection);
});

after(async () => {
  await harness.close();
});

/** Every token upstream handed the gateway: at login and at each renewal. */
function upstreamTokens(): string[] {
  const tokens = new Set<string>();
  for (const exchange of harness.upstreamProxy.exchanges) {
    const data = JSON.parse(exchange.body).data ?? {};
    for (const key of ['token', 'masterToken', 'sessionToken']) {
      if (typeof data[key] === 'string') tokens.add(data[key]);
    }
  }
  return [...tokens];
}

test('the session renewed its token through the gateway, with both tokens in the reply', () => {
  const renewals = harness.clientProxy.exchanges.filter((e) =>
    e.path.startsWith('/session/token-request'),
  );
  assert.ok(renewals.length > 0, 'the driver renewed its session token');
  const data = JSON.parse(renewals[0]!.body).data;
  assert.match(data.sessionToken, /^tgs_/);
  assert.match(data.masterToken, /^tgm_/);
  assert.ok(upstreamTokens().length >= 4, 'upstream issued tokens at login and at renewal');
});

test('no reply to the client holds an upstream token, the upstream password or the OIDC token', () => {
  const replies = harness.clientProxy.allReplies();
  assert.ok(replies.length > 0);
  for (const secret of [...upstreamTokens(), UPSTREAM_PASSWORD, oidcToken]) {
    assert.ok(!replies.includes(secret), `a reply held ${secret.slice(0, 6)}...`);
  }
});

test('no log line holds a token, the upstream password or a bind value', () => {
  const logs = harness.logLines.join('\n');
  assert.ok(harness.logLines.length > 10, 'the gateway logged the session');
  for (const secret of [...upstreamTokens(), UPSTREAM_PASSWORD, oidcToken, ...BIND_SECRETS]) {
    assert.ok(!logs.includes(secret), `a log line held ${secret.slice(0, 6)}...`);
  }
  const clientTokens = harness.clientProxy.exchanges
    .map((exchange) => JSON.parse(exchange.body).data ?? {})
    .flatMap((data) => [data.token, data.masterToken, data.sessionToken])
    .filter((token): token is string => typeof token === 'string');
  assert.ok(clientTokens.length >= 3);
  for (const token of clientTokens) assert.ok(!logs.includes(token), 'a gateway token was logged');
});

test('with binds hashed, the audit log holds no bind value', () => {
  const store = harness.openStore();
  const records = store.searchRecords({ limit: 1000 });
  store.close();
  const text = JSON.stringify(records);
  assert.ok(records.some((record) => record.event.kind === 'statement'));
  for (const secret of [...BIND_SECRETS, oidcToken, UPSTREAM_PASSWORD, ...upstreamTokens()]) {
    assert.ok(!text.includes(secret), `the audit log held ${secret.slice(0, 6)}...`);
  }
});
