import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import snowflake from 'snowflake-sdk';
import { openAuditStore } from '../../src/audit/index.js';
import type { AuditEvent, AuditRecord, AuditSink } from '../../src/audit/types.js';
import { UserDirectory } from '../../src/sandbox/index.js';
import { destroy, execute } from './driver.js';
import { ACCOUNT, type Harness, startHarness } from './harness.js';

interface DriverError extends Error {
  code?: string;
}

function refusal(promise: Promise<unknown>): Promise<DriverError> {
  return promise.then(
    () => assert.fail('the request succeeded'),
    (error: DriverError) => error,
  );
}

function lastRecords(harness: Harness, kind: AuditEvent['kind']): AuditRecord[] {
  const store = harness.openStore();
  const records = store.searchRecords({ kind, limit: 10 });
  store.close();
  return records;
}

describe('upstream down', () => {
  test('statements and logins fail with a clear error, and both are audited', async (t) => {
    const harness = await startHarness();
    t.after(() => harness.close());
    const connection = await harness.connect();
    await execute(connection, 'select 1');

    await harness.upstreamProxy.close();
    const error = await refusal(execute(connection, 'select 2 as after_outage'));
    assert.equal(error.code, '399003');
    assert.equal(
      error.message,
      'TG_UPSTREAM_UNAVAILABLE: upstream of connection "sandbox" is unreachable',
    );

    const store = harness.openStore();
    const [view] = store.searchStatements({ text: 'after_outage' });
    store.close();
    assert.equal(view?.outcome, 'failure');
    assert.equal(view?.errorCode, 'TG_UPSTREAM_UNAVAILABLE');

    const loginError = await refusal(harness.connect());
    assert.equal(loginError.code, '399003');
    const [login] = lastRecords(harness, 'login');
    assert.equal(login?.event.kind === 'login' && login.event.errorCode, 'TG_UPSTREAM_UNAVAILABLE');
  });
});

describe('upstream refusing the gateway login', () => {
  test('is a clear error for the client and a failed login in the audit log', async (t) => {
    const users = UserDirectory.fromDocument({
      users: [{ name: 'TOLLGATE_SVC', password: 'not-what-the-gateway-holds' }],
    });
    const harness = await startHarness({ sandbox: { users } });
    t.after(() => harness.close());

    const error = await refusal(harness.connect());
    assert.equal(error.code, '399004');
    assert.equal(
      error.message,
      'TG_UPSTREAM_LOGIN_FAILED: upstream login for connection "sandbox" was refused (code 390100)',
    );
    const [login] = lastRecords(harness, 'login');
    assert.ok(login?.event.kind === 'login');
    assert.equal(login.event.outcome, 'failure');
    assert.equal(login.event.errorCode, 'TG_UPSTREAM_LOGIN_FAILED');
    assert.equal(login.event.principal, 'repo:acme/widgets:ref:refs/heads/main');
  });
});

/** An audit sink over the real store that can be made to fail, as a full disk would. */
class BreakableSink implements AuditSink {
  broken = false;
  readonly #inner: AuditSink;

  constructor(inner: AuditSink) {
    this.#inner = inner;
  }

  append(event: AuditEvent): Promise<AuditRecord> {
    if (this.broken) return Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    return this.#inner.append(event);
  }
}

describe('audit store failing', () => {
  for (const failOpen of [false, true]) {
    test(`with failOpen ${failOpen}, a statement is ${failOpen ? 'forwarded, loudly' : 'refused and never forwarded'}`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'tollgate-sink-'));
      const store = openAuditStore({ path: join(dir, 'audit.db') });
      const sink = new BreakableSink(store);
      const harness = await startHarness({ audit: sink, failOpen });
      t.after(async () => {
        await harness.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      });
      const connection = await harness.connect();
      sink.broken = true;

      const sqlText = `select 'while the store is down' as failopen_${failOpen}`;
      const forwarded = () =>
        harness.upstreamProxy.exchanges.some((e) => e.path.startsWith('/queries/v1/query-request'));
      if (failOpen) {
        const { rows } = await execute(connection, sqlText);
        assert.equal(rows.length, 1);
        assert.ok(forwarded());
        assert.ok(harness.logLines.some((line) => line.includes('AUDIT FAIL-OPEN')));
      } else {
        const error = await refusal(execute(connection, sqlText));
        assert.equal(error.code, '399006');
        assert.match(error.message, /^TG_AUDIT_UNAVAILABLE: /);
        assert.doesNotMatch(error.message, /SQLITE_FULL/);
        assert.equal(forwarded(), false, 'nothing reached upstream');
      }
      sink.broken = false;
      await destroy(connection);
    });
  }
});

describe('gateway restart', () => {
  test('the old session gets the error its driver handles, and a pool reconnects by itself', async (t) => {
    const harness = await startHarness();
    t.after(() => harness.close());
    const token = await harness.token();
    const pool = snowflake.createPool(
      {
        accessUrl: harness.clientProxy.url,
        account: ACCOUNT,
        username: 'agent',
        authenticator: 'OAUTH',
        token,
      } as snowflake.ConnectionOptions,
      { max: 1, min: 0, testOnBorrow: true },
    );
    t.after(async () => {
      await pool.drain();
      await pool.clear();
    });
    const query = (sqlText: string) => pool.use((connection) => execute(connection, sqlText));
    const loose = await harness.connect({ token });
    await execute(loose, 'select 1');
    assert.deepEqual((await query('select 1 as before_restart')).rows, [{ BEFORE_RESTART: 1 }]);

    await harness.restartGateway();

    const error = await refusal(execute(loose, 'select 2'));
    assert.equal(loose.isUp(), false, 'the driver dropped the connection');
    assert.match(error.message, /terminated connection|session/i);
    const codes = harness.clientProxy.exchanges.map((exchange) => JSON.parse(exchange.body).code);
    assert.ok(codes.includes('390104'), 'the gateway answered with 390104 (session unknown)');

    assert.deepEqual((await query('select 3 as after_restart')).rows, [{ AFTER_RESTART: 3 }]);
    await sleep(100);
    const [login] = lastRecords(harness, 'login');
    assert.equal(login?.event.kind === 'login' && login.event.outcome, 'success');
  });
});
