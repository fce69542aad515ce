import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { login, type RawSession, runQuery, send } from './raw-client.js';

const LONG_QUERY = 'select count(*) as "N" from range(10000000000) t';

/** The digits of a JSON number member, read from the reply text rather than JSON.parse. */
function rawNumber(text: string, member: string): bigint {
  const match = new RegExp(`"${member}":(\\d+)`).exec(text);
  assert.ok(match, `${member} is a bare JSON number`);
  return BigInt(match[1] as string);
}

describe('the REST protocol, raw', () => {
  let sandbox: TestSandbox;
  let session: RawSession;

  before(async () => {
    sandbox = await startTestSandbox({ resultWaitSeconds: 0.3 });
    session = await login(sandbox.url);
  });

  after(() => sandbox.close());

  test('login: tokens, validities, a 64-bit session id and typed parameters', () => {
    const reply = JSON.parse(session.loginText) as { data: Record<string, unknown> };
    assert.equal(reply.data.validityInSeconds, 3600);
    assert.equal(reply.data.masterValidityInSeconds, 14_400);
    assert.ok(rawNumber(session.loginText, 'sessionId') > 2n ** 53n);

    const parameters = new Map(
      (reply.data.parameters as { name: string; value: unknown }[]).map((p) => [p.name, p.value]),
    );
    assert.equal(parameters.get('CLIENT_SESSION_KEEP_ALIVE'), false);
    assert.equal(parameters.get('QUERY_CONTEXT_CACHE_SIZE'), 5);
    assert.equal(parameters.get('BINARY_OUTPUT_FORMAT'), 'HEX');
    assert.equal(typeof parameters.get('TIMEZONE'), 'string');
  });

  test('RENEW replaces both tokens; the old session token then fails, the new one works', async () => {
    const own = await login(sandbox.url);
    const renewed = await send(sandbox.url, 'POST', '/session/token-request', {
      token: own.masterToken,
      body: { requestType: 'RENEW', oldSessionToken: own.token },
    });
    const data = renewed.json.data as Record<string, string>;
    assert.notEqual(data.sessionToken, own.token);
    assert.notEqual(data.masterToken, own.masterToken);
    assert.equal(rawNumber(renewed.text, 'sessionId'), rawNumber(own.loginText, 'sessionId'));

    const stale = await runQuery(sandbox.url, own, { sqlText: 'select 1' });
    assert.equal(stale.json.code, '390104');
    const fresh = await runQuery(
      sandbox.url,
      { ...own, token: String(data.sessionToken) },
      { sqlText: 'select 1 as "ONE"' },
    );
    assert.equal(fresh.json.success, true);

    const again = await send(sandbox.url, 'POST', '/session/token-request', {
      token: own.masterToken,
      body: { requestType: 'RENEW', oldSessionToken: own.token },
    });
    assert.equal(again.json.code, '390104', 'the old master token is gone too');
  });

  test('heartbeat and telemetry answer success', async () => {
    const heartbeat = await send(sandbox.url, 'POST', '/session/heartbeat', {
      token: session.token,
    });
    assert.equal(heartbeat.json.success, true);
    const telemetry = await send(sandbox.url, 'POST', '/telemetry/send', {
      token: session.token,
      body: { logs: [{ message: { type: 'client_test' }, timestamp: Date.now() }] },
    });
    assert.equal(telemetry.json.success, true);
  });

  test('a retried request id gets the statement it started, not a second execution', async () => {
    const requestId = randomUUID();
    const body = { sqlText: 'select 1 as "ONE"' };
    const first = await runQuery(sandbox.url, session, body, requestId);
    const retry = await runQuery(sandbox.url, session, body, requestId);
    const id = (reply: typeof first) => (reply.json.data as Record<string, unknown>).queryId;
    assert.equal(id(retry), id(first));
  });

  test('queryContext entries sent back by the client come back untouched', async () => {
    const entry = { id: 7, timestamp: 123_456, priority: 3, context: { base64Data: 'b3BhcXVl' } };
    const reply = await runQuery(sandbox.url, session, {
      sqlText: 'select 1',
      queryContextDTO: { entries: [entry] },
    });
    const context = (reply.json.data as { queryContext: { entries: Record<string, unknown>[] } })
      .queryContext;
    assert.deepEqual(
      context.entries.find((e) => e.id === 7),
      { id: 7, timestamp: 123_456, priority: 3, context: 'b3BhcXVl' },
    );
    assert.ok(context.entries.some((e) => e.id === 0 && typeof e.context === 'string'));
  });

  test('a statement still running answers 333333 with a URL that later gives the result', async () => {
    const reply = await runQuery(sandbox.url, session, {
      sqlText: 'select count(*) as "N" from range(3000000000) t',
    });
    assert.equal(reply.json.code, '333333');
    assert.equal(reply.json.success, true);
    const data = reply.json.data as Record<string, string>;
    assert.equal(data.getResultUrl, `/queries/${data.queryId}/result`);

    let result = await send(sandbox.url, 'GET', String(data.getResultUrl), {
      token: session.token,
    });
    while (result.json.code === '333333') {
      result = await send(sandbox.url, 'GET', String(data.getResultUrl), { token: session.token });
    }
    assert.deepEqual((result.json.data as Record<string, unknown>).rowset, [['3000000000']]);
  });

  test('asyncExec answers 333334 and monitoring reports RUNNING then ABORTED', async () => {
    const reply = await runQuery(sandbox.url, session, { sqlText: LONG_QUERY, asyncExec: true });
    assert.equal(reply.json.code, '333334');
    const queryId = (reply.json.data as Record<string, string>).queryId;

    const status = async () => {
      const monitoring = await send(sandbox.url, 'GET', `/monitoring/queries/${queryId}`, {
        token: session.token,
      });
      return (monitoring.json.data as { queries: { status: string }[] }).queries[0]?.status;
    };
    assert.equal(await status(), 'RUNNING');

    const abort = await send(sandbox.url, 'POST', `/queries/${queryId}/abort-request`, {
      token: session.token,
    });
    assert.equal(abort.json.success, true);
    assert.equal(await status(), 'ABORTED');

    const result = await send(sandbox.url, 'GET', `/queries/${queryId}/result`, {
      token: session.token,
    });
    assert.equal(result.json.code, '000604');
    const again = await send(sandbox.url, 'POST', `/queries/${queryId}/abort-request`, {
      token: session.token,
    });
    assert.equal(again.json.code, '000605', 'a finished statement is not executing');
  });

  test('a cancel by request id that overtakes its query stops the query on arrival', async () => {
    const requestId = randomUUID();
    const abort = await send(sandbox.url, 'POST', '/queries/v1/abort-request', {
      token: session.token,
      body: { requestId },
    });
    assert.equal(abort.json.success, true);
    const reply = await runQuery(sandbox.url, session, { sqlText: LONG_QUERY }, requestId);
    assert.equal(reply.json.code, '000604');
  });

  test('unknown query ids: monitoring lists nothing, results and aborts say 000709', async () => {
    const unknown = randomUUID();
    const monitoring = await send(sandbox.url, 'GET', `/monitoring/queries/${unknown}`, {
      token: session.token,
    });
    assert.deepEqual((monitoring.json.data as { queries: unknown[] }).queries, []);
    const result = await send(sandbox.url, 'GET', `/queries/${unknown}/result`, {
      token: session.token,
    });
    assert.equal(result.json.code, '000709');
  });

  test('another user cannot read a result by its id', async () => {
    const reply = await runQuery(sandbox.url, session, { sqlText: 'select 1' });
    const queryId = (reply.json.data as Record<string, string>).queryId;
    const stranger = await login(sandbox.url, { LOGIN_NAME: 'someone_else' });
    const result = await send(sandbox.url, 'GET', `/queries/${queryId}/result`, {
      token: stranger.token,
    });
    assert.equal(result.json.code, '000709');
  });

  test('POST /session without delete=true is refused; with it the session ends', async () => {
    const own = await login(sandbox.url);
    const wrong = await send(sandbox.url, 'POST', '/session', { token: own.token });
    assert.equal(wrong.status, 400);
    const logout = await send(sandbox.url, 'POST', '/session?delete=true', { token: own.token });
    assert.equal(logout.json.success, true);
    const after = await send(sandbox.url, 'POST', '/session/heartbeat', { token: own.token });
    assert.equal(after.json.code, '390104');
  });
});
