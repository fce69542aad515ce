import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection, RowStatement } from 'snowflake-sdk';
import {
  connect,
  destroy,
  execute,
  query,
  startTestSandbox,
  type TestSandbox,
} from '../../support/sandbox.js';

/** A statement that runs for seconds in DuckDB, long enough to be cancelled on the way. */
const LONG_QUERY = 'select count(*) as "N" from range(10000000000) t';

interface SessionState {
  getCurrentDatabase(): string | null;
  getCurrentSchema(): string | null;
  getCurrentWarehouse(): string | null;
  getCurrentRole(): string | null;
}

function sessionState(statement: RowStatement): SessionState {
  return statement.getSessionState() as SessionState;
}

describe('the sandbox through snowflake-sdk', () => {
  let sandbox: TestSandbox;
  let connection: Connection;

  before(async () => {
    sandbox = await startTestSandbox();
    connection = await connect(sandbox, { username: 'analyst' });
  });

  after(async () => {
    await destroy(connection);
    await sandbox.close();
  });

  test('the login name becomes the current user', async () => {
    const rows = await query(connection, 'select current_user() as "U"');
    assert.deepEqual(rows, [{ U: 'ANALYST' }]);
  });

  test('replies carry the final database, schema, warehouse and role', async () => {
    const { statement } = await execute(connection, 'select 1 as "ONE"');
    const state = sessionState(statement);
    assert.equal(state.getCurrentDatabase(), 'SANDBOX');
    assert.equal(state.getCurrentSchema(), 'PUBLIC');
    assert.equal(typeof state.getCurrentWarehouse(), 'string');
    assert.equal(typeof state.getCurrentRole(), 'string');
  });

  test('USE DATABASE and USE SCHEMA move the session, and replies say so', async () => {
    await query(connection, 'create database if not exists moved_db');
    await query(connection, 'use database moved_db');
    await query(connection, 'create schema if not exists moved_schema');
    const { statement } = await execute(connection, 'use schema moved_schema');
    assert.equal(sessionState(statement).getCurrentDatabase(), 'MOVED_DB');
    assert.equal(sessionState(statement).getCurrentSchema(), 'MOVED_SCHEMA');

    const rows = await query(
      connection,
      'select current_database() as "D", current_schema() as "S"',
    );
    assert.deepEqual(rows, [{ D: 'MOVED_DB', S: 'MOVED_SCHEMA' }]);
    await query(connection, 'use schema sandbox.public');
  });

  test('a syntax error is 001003 with SQL state 42000', async () => {
    await assert.rejects(query(connection, 'selec 1'), (error: Record<string, unknown>) => {
      assert.equal(error.code, '001003');
      assert.equal(error.sqlState, '42000');
      assert.match(String(error.message), /syntax error/);
      return true;
    });
  });

  test('an unknown table is 002003 with SQL state 42S02', async () => {
    await assert.rejects(
      query(connection, 'select * from no_such_table'),
      (error: Record<string, unknown>) => {
        assert.equal(error.code, '002003');
        assert.equal(error.sqlState, '42S02');
        assert.match(String(error.message), /NO_SUCH_TABLE|no_such_table/i);
        return true;
      },
    );
  });

  test('multi-statement requests run every statement and hand out each result', async () => {
    const results = await new Promise<Record<string, unknown>[][]>((resolve, reject) => {
      const collected: Record<string, unknown>[][] = [];
      connection.execute({
        sqlText: `select 1 as "A"; select 'two; ünï🌍' as "B"; select 3 as "C"`,
        parameters: { MULTI_STATEMENT_COUNT: 3 },
        complete: (error, statement, rows) => {
          if (error) return reject(error);
          collected.push((rows ?? []) as Record<string, unknown>[]);
          const multi = statement as RowStatement & { hasNext(): boolean; NextResult(): void };
          if (multi.hasNext()) multi.NextResult();
          else resolve(collected);
        },
      });
    });
    assert.deepEqual(results, [[{ A: 1 }], [{ B: 'two; ünï🌍' }], [{ C: 3 }]]);
  });

  test('MULTI_STATEMENT_COUNT 0 accepts any number of statements', async () => {
    const { rows } = await execute(connection, 'select 1 as "A"; select 2 as "B"', {
      parameters: { MULTI_STATEMENT_COUNT: 0 },
    });
    assert.deepEqual(rows, [{ A: 1 }]);
  });

  test('a statement count that does not match is refused as Snowflake refuses it', async () => {
    await assert.rejects(
      query(connection, 'select 1; select 2'),
      (error: Record<string, unknown>) => {
        assert.equal(error.code, '000008');
        assert.equal(error.sqlState, '0A000');
        assert.match(
          String(error.message),
          /Actual statement count 2 did not match the desired statement count 1/,
        );
        return true;
      },
    );
  });

  test('a failing statement in a multi-statement request fails the request', async () => {
    const run = execute(connection, 'select 1; select * from missing_in_multi; select 3', {
      parameters: { MULTI_STATEMENT_COUNT: 3 },
    });
    await assert.rejects(run, (error: Record<string, unknown>) => error.code === '002003');
  });

  test('asyncExec returns a query id at once and the result is fetched by id', async () => {
    const started = await new Promise<string>((resolve, reject) => {
      connection.execute({
        sqlText: 'select 41 + 1 as "ANSWER"',
        asyncExec: true,
        complete: (error, statement) => (error ? reject(error) : resolve(statement.getQueryId())),
      });
    });
    assert.match(started, /^[0-9a-f-]{36}$/);

    const statement = await connection.getResultsFromQueryId({ queryId: started });
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const collected: unknown[] = [];
      statement
        .streamRows()
        .on('data', (row: unknown) => collected.push(row))
        .on('end', () => resolve(collected))
        .on('error', reject);
    });
    assert.deepEqual(rows, [{ ANSWER: 42 }]);
    assert.equal(await connection.getQueryStatus(started), 'SUCCESS');
  });

  test('cancelling a running statement (by request id) ends it with 000604', async () => {
    const outcome = new Promise<Record<string, unknown>>((resolve) => {
      const statement = connection.execute({
        sqlText: LONG_QUERY,
        complete: (error) => resolve((error ?? {}) as Record<string, unknown>),
      });
      statement.cancel();
    });
    const error = await outcome;
    assert.equal(error.code, '000604');
    assert.equal(error.sqlState, '57014');
  });

  test('cancelling an async statement (by query id) marks it ABORTED', async () => {
    const statement = await new Promise<RowStatement>((resolve, reject) => {
      connection.execute({
        sqlText: LONG_QUERY,
        asyncExec: true,
        complete: (error, stmt) => (error ? reject(error) : resolve(stmt)),
      });
    });
    await new Promise<void>((resolve, reject) => {
      statement.cancel((error) => (error ? reject(error) : resolve()));
    });
    assert.equal(await connection.getQueryStatus(statement.getQueryId()), 'ABORTED');
  });

  test('DML reports the rows it changed', async () => {
    await query(connection, 'create or replace table counted (n integer)');
    const { statement } = await execute(connection, 'insert into counted values (1), (2), (3)');
    assert.equal(statement.getNumUpdatedRows(), 3);
    assert.deepEqual(await query(connection, 'select count(*) as "C" from counted'), [{ C: 3 }]);
  });
});

describe('session tokens', () => {
  test('an expired session token is renewed and the statement then succeeds', async () => {
    const sandbox = await startTestSandbox({ sessionTokenSeconds: 1 });
    try {
      const connection = await connect(sandbox);
      const before = tokensOf(connection);
      await query(connection, 'select 1 as "ONE"');
      await new Promise((resolve) => setTimeout(resolve, 1200));

      assert.deepEqual(await query(connection, 'select 2 as "TWO"'), [{ TWO: 2 }]);
      const renewed = tokensOf(connection);
      assert.notEqual(renewed.sessionToken, before.sessionToken);
      assert.notEqual(renewed.masterToken, before.masterToken);
      const codes = sandbox.logs().map((line) => line.code);
      assert.ok(codes.includes('390112'), 'the expired token was refused with 390112 first');
      await destroy(connection);
    } finally {
      await sandbox.close();
    }
  });

  test('after destroy the session token is refused with 390104', async () => {
    const sandbox = await startTestSandbox();
    try {
      const connection = await connect(sandbox);
      const { sessionToken } = tokensOf(connection);
      await destroy(connection);

      const response = await fetch(`${sandbox.url}/queries/v1/query-request`, {
        method: 'POST',
        headers: {
          authorization: `Snowflake Token="${sessionToken}"`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ sqlText: 'select 1' }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200);
      assert.equal(body.success, false);
      assert.equal(body.code, '390104');
    } finally {
      await sandbox.close();
    }
  });
});

/** The driver's current tokens, from its serialized state (the form it shares them in). */
function tokensOf(connection: Connection): { sessionToken: string; masterToken: string } {
  const serialized = JSON.parse(connection.serialize()) as {
    services: { sf: { tokenInfo: { sessionToken: string; masterToken: string } } };
  };
  const { sessionToken, masterToken } = serialized.services.sf.tokenInfo;
  assert.ok(sessionToken && masterToken, 'the driver holds both tokens');
  return { sessionToken, masterToken };
}
