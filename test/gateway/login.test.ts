import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoginEvent } from '../../src/audit/types.js';
import { BAD_TOKEN_CODES, BAD_TOKEN_KINDS } from '../support/oidc-issuer.js';
import { destroy, execute } from './driver.js';
import { ACCOUNT, type Harness, startHarness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness.close();
});

/** The login events recorded so far, oldest first. */
function loginEvents(): LoginEvent[] {
  const store = harness.openStore();
  const events = store
    .searchRecords({ kind: 'login', limit: 1000 })
    .map((record) => record.event as LoginEvent)
    .reverse();
  store.close();
  return events;
}

async function refusedLogin(token: string, account = ACCOUNT) {
  const error = await harness.connect({ token, account }).then(
    () => assert.fail('the login was accepted'),
    (refusal: Error & { code?: string }) => refusal,
  );
  return { code: String(error.code), message: error.message };
}

for (const kind of BAD_TOKEN_KINDS) {
  test(`a token that is ${kind} is refused, named, and audited as a failed login`, async () => {
    const token = await harness.issuer.badToken(kind);
    const { code, message } = await refusedLogin(token);

    const tgCode = BAD_TOKEN_CODES[kind];
    assert.equal(code, tgCode === 'TG_TOKEN_EXPIRED' ? '390318' : '390303');
    assert.ok(message.startsWith(`${tgCode}: `), message);
    assert.ok(!message.includes(token), 'the reply does not echo the token');

    const event = loginEvents().at(-1);
    assert.equal(event?.outcome, 'failure');
    assert.equal(event?.errorCode, tgCode);
    assert.equal(event?.connection, ACCOUNT);
    assert.equal(event?.principal, null);
    assert.ok(!JSON.stringify(event).includes(token), 'the audit row does not hold the token');
  });
}

test('the token is accepted as OAUTH token, as password, and as programmatic access token', async () => {
  for (const authenticator of ['OAUTH', 'SNOWFLAKE', 'PROGRAMMATIC_ACCESS_TOKEN'] as const) {
    const token = await harness.token({ run_id: `run-${authenticator}` });
    const connection = await harness.connect({ token, authenticator });
    const { rows } = await execute(connection, 'select current_user() as u');
    await destroy(connection);

    assert.deepEqual(rows, [{ U: 'TOLLGATE_SVC' }], 'upstream sees the gateway user');
    const event = loginEvents().at(-1);
    assert.equal(event?.outcome, 'success');
    assert.equal(event?.verifiedTags.run_id, `run-${authenticator}`);
    assert.equal(event?.issuer, harness.issuer.url);
  }
});

test('an account name that names no connection is refused and audited', async () => {
  const { code, message } = await refusedLogin(await harness.token(), 'nowhere');

  assert.equal(code, '399001');
  assert.match(message, /^TG_CONNECTION_UNKNOWN: .*"nowhere"/);
  const event = loginEvents().at(-1);
  assert.equal(event?.errorCode, 'TG_CONNECTION_UNKNOWN');
  assert.equal(event?.connection, 'nowhere');
});

test('a principal no access rule admits is refused, and the audit names who it was', async () => {
  const token = await harness.token({ repository: 'mallory/exfiltrate' });
  const { code, message } = await refusedLogin(token);

  assert.equal(code, '399002');
  assert.match(message, /^TG_ACCESS_DENIED: /);
  const event = loginEvents().at(-1);
  assert.equal(event?.errorCode, 'TG_ACCESS_DENIED');
  assert.equal(event?.principal, 'repo:mallory/exfiltrate:ref:refs/heads/main');
  assert.equal(event?.verifiedTags.repository, 'mallory/exfiltrate');
});

test('an authenticator that carries no OIDC token is refused, over plain HTTP too', async () => {
  const response = await fetch(`${harness.clientProxy.url}/session/v1/login-request?requestId=r1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      data: {
        ACCOUNT_NAME: ACCOUNT,
        LOGIN_NAME: 'x',
        AUTHENTICATOR: 'SNOWFLAKE_JWT',
        TOKEN: 'eyJ.x.y',
      },
    }),
  });
  const reply = (await response.json()) as { success: boolean; code: string; message: string };

  assert.equal(response.status, 200);
  assert.equal(reply.success, false);
  assert.equal(reply.code, '390303');
  assert.match(reply.message, /^TG_TOKEN_MALFORMED: authenticator SNOWFLAKE_JWT is not accepted/);
  assert.equal(loginEvents().at(-1)?.errorCode, 'TG_TOKEN_MALFORMED');
});

test('what a client claims about itself at login is kept apart from the verified tags', async () => {
  const login = await fetch(`${harness.clientProxy.url}/session/v1/login-request?requestId=r2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      data: {
        ACCOUNT_NAME: ACCOUNT,
        AUTHENTICATOR: 'OAUTH',
        TOKEN: await harness.token({ run_id: 'claims-run' }),
        CLIENT_APP_ID: 'Go',
        CLIENT_APP_VERSION: '1.14.0',
        CLIENT_ENVIRONMENT: { APPLICATION: 'review-agent', AI_MODEL: 'model-x-2026', OS: 'linux' },
        SESSION_PARAMETERS: { QUERY_TAG: 'nightly' },
      },
    }),
  });
  const text = await login.text();
  const reply = JSON.parse(text);
  assert.equal(reply.success, true);
  assert.match(reply.data.token, /^tgs_/);
  assert.match(text, /"sessionId":\d{10,}[,}]/, 'the session id is sent as a bare integer');

  const event = loginEvents().at(-1);
  assert.deepEqual(event?.claimedTags, {
    client_app_id: 'Go',
    client_app_version: '1.14.0',
    application: 'review-agent',
    ai_model: 'model-x-2026',
    query_tag: 'nightly',
  });
  assert.equal(event?.verifiedTags.run_id, 'claims-run');
  assert.equal(event?.clientApp, 'Go');

  const logout = await fetch(`${harness.clientProxy.url}/session?delete=true`, {
    method: 'POST',
    headers: { authorization: `Snowflake Token="${reply.data.token}"` },
  });
  assert.equal(((await logout.json()) as { success: boolean }).success, true);
  await sleep(100);
  const store = harness.openStore();
  const [ended] = store.searchRecords({ kind: 'session_end', limit: 1 });
  store.close();
  assert.ok(ended?.event.kind === 'session_end');
  assert.equal(ended.event.reason, 'logout');
  assert.equal(ended.event.gatewaySessionId, String(/"sessionId":(\d+)/.exec(text)?.[1]));
});
