import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { login, type RawReply, type RawSession, runQuery, send } from './raw-client.js';

const BODY_LIMIT = 4096;

describe('bad input gets a Snowflake-shaped refusal, one log line, and the server carries on', () => {
  let sandbox: TestSandbox;
  let session: RawSession;

  before(async () => {
    sandbox = await startTestSandbox({ maxBodyBytes: BODY_LIMIT });
    session = await login(sandbox.url);
  });

  after(() => sandbox.close());

  /** Sends one request and checks the refusal and that it was logged exactly once. */
  async function refused(
    request: () => Promise<RawReply>,
    expected: { status: number; code: string; message?: RegExp },
  ): Promise<RawReply> {
    const refusalsBefore = refusals().length;
    const reply = await request();

    assert.equal(reply.status, expected.status);
    assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(reply.json.success, false);
    assert.equal(reply.json.code, expected.code);
    assert.equal((reply.json.data as Record<string, unknown>).errorCode, expected.code);
    if (expected.message) assert.match(String(reply.json.message), expected.message);

    const logged = refusals().slice(refusalsBefore);
    assert.equal(logged.length, 1, 'logged once');
    assert.equal(logged[0]?.code, expected.code);
    return reply;
  }

  function refusals(): Record<string, unknown>[] {
    return sandbox.logs().filter((line) => line.msg === 'sandbox request refused');
  }

  const loginPath = '/session/v1/login-request';
  const queryPath = '/queries/v1/query-request';
  const json = { 'content-type': 'application/json' };

  test('malformed JSON', async () => {
    await refused(
      () => send(sandbox.url, 'POST', loginPath, { rawBody: '{"data": {', headers: json }),
      {
        status: 400,
        code: '000400',
        message: /not valid JSON/,
      },
    );
  });

  test('a login without its data member', async () => {
    await refused(() => send(sandbox.url, 'POST', loginPath, { body: { nothing: true } }), {
      status: 400,
      code: '000400',
      message: /data/,
    });
  });

  test('a query without sqlText', async () => {
    await refused(
      () => send(sandbox.url, 'POST', queryPath, { token: session.token, body: { bindings: {} } }),
      {
        status: 400,
        code: '000400',
        message: /sqlText/,
      },
    );
  });

  test('an unknown endpoint', async () => {
    await refused(() => send(sandbox.url, 'GET', '/no/such/endpoint'), {
      status: 404,
      code: '000404',
    });
  });

  test('a known endpoint with the wrong method', async () => {
    await refused(() => send(sandbox.url, 'GET', queryPath, { token: session.token }), {
      status: 405,
      code: '000405',
    });
  });

  test('a missing token', async () => {
    await refused(() => send(sandbox.url, 'POST', queryPath, { body: { sqlText: 'select 1' } }), {
      status: 401,
      code: '390104',
    });
  });

  test('a wrong token', async () => {
    const body = { sqlText: 'select 1' };
    await refused(
      () => send(sandbox.url, 'POST', queryPath, { token: 'ver:1-st:not-a-token', body }),
      {
        status: 200,
        code: '390104',
      },
    );
  });

  test('a body past the size limit', async () => {
    const body = { sqlText: `select '${'x'.repeat(BODY_LIMIT)}'` };
    await refused(() => send(sandbox.url, 'POST', queryPath, { token: session.token, body }), {
      status: 413,
      code: '000413',
    });
  });

  test('gzip magic bytes in front of a plain body', async () => {
    const rawBody = Buffer.concat([
      Buffer.from([0x1f, 0x8b]),
      Buffer.from('{"sqlText":"select 1"}'),
    ]);
    await refused(
      () => send(sandbox.url, 'POST', queryPath, { token: session.token, rawBody, headers: json }),
      {
        status: 400,
        code: '000400',
        message: /gzip/,
      },
    );
  });

  test('a truncated gzip body', async () => {
    const whole = gzipSync(JSON.stringify({ sqlText: 'select 1 as "ONE"' }));
    const rawBody = whole.subarray(0, whole.length - 12);
    await refused(
      () => send(sandbox.url, 'POST', queryPath, { token: session.token, rawBody, headers: json }),
      {
        status: 400,
        code: '000400',
        message: /truncated/,
      },
    );
  });

  test('refusals never echo the credential that was presented', async () => {
    const secret = 'ver:1-st:secret-token-value';
    const reply = await send(sandbox.url, 'POST', queryPath, {
      token: secret,
      body: { sqlText: 'select 1' },
    });
    assert.ok(!reply.text.includes(secret));
    assert.ok(!JSON.stringify(sandbox.logs()).includes(secret));
  });

  test('gzipped bodies are read by their magic bytes, with or without the header', async () => {
    const rawBody = gzipSync(JSON.stringify({ sqlText: 'select 7 as "SEVEN"' }));
    const reply = await send(sandbox.url, 'POST', queryPath, {
      token: session.token,
      rawBody,
      headers: json,
    });
    assert.equal(reply.json.success, true);
    assert.deepEqual((reply.json.data as Record<string, unknown>).rowset, [['7']]);

    // The Node driver can announce gzip and still send plain JSON; that must work too.
    const headers = { ...json, 'content-encoding': 'gzip' };
    const plain = await send(sandbox.url, 'POST', queryPath, {
      token: session.token,
      rawBody: JSON.stringify({ sqlText: 'select 8 as "EIGHT"' }),
      headers,
    });
    assert.deepEqual((plain.json.data as Record<string, unknown>).rowset, [['8']]);
  });

  test('after all of that the server still serves a fresh login and a query', async () => {
    const fresh = await login(sandbox.url);
    const reply = await runQuery(sandbox.url, fresh, { sqlText: 'select 1 as "ONE"' });
    assert.equal(reply.json.success, true);
    assert.deepEqual((reply.json.data as Record<string, unknown>).rowset, [['1']]);
  });
});
