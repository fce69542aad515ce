import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamClient } from '../../../src/engines/snowflake/upstream.js';
import { TollgateError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { RecordingProxy } from '../../gateway/recording-proxy.js';
import { startTestSandbox } from '../../support/sandbox.js';

const LOGIN = {
  warehouse: null,
  database: null,
  schema: null,
  role: null,
  clientAppId: 'JavaScript',
  clientAppVersion: '3.4.0',
  clientEnvironment: null,
  sessionParameters: null,
};

function client(url: string): UpstreamClient {
  return new UpstreamClient(
    {
      connection: 'sandbox',
      url,
      account: 'sandbox',
      user: 'TOLLGATE_SVC',
      credential: { loginFields: async () => ({ AUTHENTICATOR: 'SNOWFLAKE', PASSWORD: 'pw' }) },
    },
    { logger: silentLogger() },
  );
}

function queryRequest(sqlText: string) {
  return {
    method: 'POST' as const,
    path: `/queries/v1/query-request?requestId=${crypto.randomUUID()}`,
    body: Buffer.from(JSON.stringify({ sqlText })),
  };
}

test('an upstream session token that expired is renewed and the request sent again', async (t) => {
  const sandbox = await startTestSandbox({ sessionTokenSeconds: 1 });
  const upstream = client(sandbox.url);
  t.after(async () => {
    await upstream.close();
    await sandbox.close();
  });

  const session = await upstream.login(LOGIN);
  assert.match(session.sessionId, /^\d+$/);
  const firstToken = session.token;
  await sleep(1200);

  const reply = await upstream.send(session, queryRequest('select 7 as "SEVEN"'));
  assert.equal(reply.envelope.success, true);
  assert.deepEqual(reply.envelope.data?.rowset, [['7']]);
  assert.notEqual(session.token, firstToken, 'the session holds the renewed token');
  const codes = sandbox.logs().map((line) => line.code);
  assert.ok(codes.includes('390112'), 'upstream refused the expired token first');
});

test('the session id is kept digit for digit, however wide', async (t) => {
  const sandbox = await startTestSandbox();
  const proxy = await RecordingProxy.start(sandbox.url);
  const upstream = client(proxy.url);
  t.after(async () => {
    await upstream.close();
    await proxy.close();
    await sandbox.close();
  });

  const session = await upstream.login(LOGIN);
  const raw = /"sessionId":\s*(\d+)/.exec(proxy.exchanges[0]?.body ?? '')?.[1];
  assert.equal(session.sessionId, raw);
  assert.ok(BigInt(session.sessionId) > 2n ** 53n, 'the sandbox hands out ids wider than 2^53');
  assert.notEqual(String(JSON.parse(session.sessionId)), session.sessionId);
});

test('an unreachable upstream is TG_UPSTREAM_UNAVAILABLE, without transport details', async () => {
  const upstream = client('http://127.0.0.1:1');
  const error = await upstream.login(LOGIN).catch((failure: unknown) => failure);
  await upstream.close();

  assert.ok(error instanceof TollgateError);
  assert.equal(error.code, 'TG_UPSTREAM_UNAVAILABLE');
  assert.equal(error.message, 'upstream of connection "sandbox" is unreachable');
});
