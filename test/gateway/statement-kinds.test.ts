import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowStatement } from 'snowflake-sdk';
import type { StatementEvent, StatementResultEvent } from '../../src/audit/types.js';
import { type Connection, destroy, execute, type Row } from './driver.js';
import { type Harness, startHarness } from './harness.js';

/** Multi-statement, async, cancelled and retried statements, and the tags clients claim. */

/** A statement that runs for seconds in DuckDB, long enough to be cancelled on the way. */
const LONG_QUERY = 'select count(*) as "N" from range(20000000000) t';

let harness: Harness;
let connection: Connection;

before(async () => {
  harness = await startHarness();
  connection = await harness.connect({ application: 'gateway-tests' });
});

after(async () => {
  await destroy(connection);
  await harness.close();
});

function statementEvents(): StatementEvent[] {
  const store = harness.openStore();
  const events = store
    .searchRecords({ kind: 'statement', limit: 1000 })
    .map((record) => record.event as StatementEvent);
  store.close();
  return events.reverse();
}

function resultOf(statementId: string): StatementResultEvent | undefined {
  const store = harness.openStore();
  const detail = store.getStatement(statementId);
  store.close();
  return detail?.records
    .map((record) => record.event)
    .find((event): event is StatementResultEvent => event.kind === 'statement_result');
}

function viewOf(word: string) {
  const store = harness.openStore();
  const [view] = store.searchStatements({ text: word });
  store.close();
  return view;
}

/** How long a query may stay running before a test gives up waiting for its final status. */
const STATUS_WAIT_MS = 30_000;

/**
 * Polls monitoring (through the gateway) until the query no longer runs, so a test asserts the
 * final status however loaded the machine is; fails after STATUS_WAIT_MS.
 */
async function statusWhenDone(queryId: string): Promise<string> {
  const deadline = Date.now() + STATUS_WAIT_MS;
  let status = await connection.getQueryStatus(queryId);
  while (connection.isStillRunning(status as never)) {
    if (Date.now() > deadline) assert.fail(`query ${queryId} still ${status} after 30 s`);
    await sleep(50);
    status = await connection.getQueryStatus(queryId);
  }
  return status;
}

function executeMulti(sqlText: string, count: number): Promise<Row[][]> {
  return new Promise((resolve, reject) => {
    const results: Row[][] = [];
    connection.execute({
      sqlText,
      parameters: { MULTI_STATEMENT_COUNT: count },
      complete: (error, statement, rows) => {
        if (error) return reject(error);
        results.push((rows ?? []) as Row[]);
        const multi = statement as unknown as { hasNext(): boolean; NextResult(): void };
        if (multi.hasNext()) multi.NextResult();
        else resolve(results);
      },
    });
  });
}

test('a multi-statement request is recorded whole before it runs, and each statement with its rows', async () => {
  const results = await executeMulti(
    'select 1 as multi_one; select range as multi_two from range(3)',
    2,
  );
  assert.deepEqual(results, [
    [{ MULTI_ONE: 1 }],
    [{ MULTI_TWO: 0 }, { MULTI_TWO: 1 }, { MULTI_TWO: 2 }],
  ]);
  await sleep(100);

  const events = statementEvents();
  const parent = events.find((event) => event.sqlText.includes('multi_one; select'));
  assert.equal(parent?.statementType, 'MULTI');
  const children = events.filter((event) => event.parentStatementId === parent?.statementId);
  assert.deepEqual(
    children.map((child) => [child.sqlText, child.statementType]),
    [
      ['select 1 as multi_one', 'SELECT'],
      ['select range as multi_two from range(3)', 'SELECT'],
    ],
  );
  const childResults = children.map((child) => resultOf(child.statementId));
  assert.deepEqual(
    childResults.map((result) => [result?.outcome, result?.rows]),
    [
      ['success', 1],
      ['success', 3],
    ],
  );
  assert.notEqual(childResults[0]?.queryId, childResults[1]?.queryId);
});

test('an async statement is recorded at once, and its result when the client fetches it', async () => {
  const queryId = await new Promise<string>((resolve, reject) => {
    connection.execute({
      sqlText: 'select range as async_rows from range(7)',
      asyncExec: true,
      complete: (error, statement) => (error ? reject(error) : resolve(statement.getQueryId())),
    });
  });
  assert.equal(viewOf('async_rows')?.outcome, null, 'no result yet');

  assert.equal(await statusWhenDone(queryId), 'SUCCESS');
  const statement = await connection.getResultsFromQueryId({ queryId });
  const rows = await new Promise<unknown[]>((resolve, reject) => {
    const collected: unknown[] = [];
    statement
      .streamRows()
      .on('data', (row: unknown) => collected.push(row))
      .on('end', () => resolve(collected))
      .on('error', reject);
  });
  assert.equal(rows.length, 7);
  await sleep(100);

  const view = viewOf('async_rows');
  assert.equal(view?.queryId, queryId);
  assert.equal(view?.outcome, 'success');
  assert.equal(view?.rows, 7);
});

test('a statement cancelled while it runs is recorded as cancelled', async () => {
  const error = await new Promise<Record<string, unknown>>((resolve) => {
    const statement = connection.execute({
      sqlText: `${LONG_QUERY} where 'sync' = 'sync'`,
      complete: (failure) => resolve((failure ?? {}) as Record<string, unknown>),
    });
    setTimeout(() => statement.cancel(), 300);
  });
  assert.equal(error.code, '000604');
  await sleep(100);

  const view = viewOf('sync');
  assert.equal(view?.outcome, 'cancelled');
  assert.equal(view?.errorCode, '000604');
});

test('an async statement cancelled by query id is recorded as cancelled when seen ABORTED', async () => {
  const statement = await new Promise<RowStatement>((resolve, reject) => {
    connection.execute({
      sqlText: `${LONG_QUERY} where 'detached' = 'detached'`,
      asyncExec: true,
      complete: (error, stmt) => (error ? reject(error) : resolve(stmt)),
    });
  });
  await new Promise<void>((resolve, reject) => {
    statement.cancel((error) => (error ? reject(error) : resolve()));
  });
  assert.equal(await statusWhenDone(statement.getQueryId()), 'ABORTED');
  await sleep(100);

  assert.equal(viewOf('detached')?.outcome, 'cancelled');
});

test('a statement resubmitted with the same requestId is recorded once', async () => {
  const requestId = '6f2b9d3e-0c1a-4e5f-9a8b-7c6d5e4f3a2b';
  const first = await execute(connection, 'select 5 as resubmitted', { requestId });
  const second = await execute(connection, 'select 5 as resubmitted', { requestId });
  assert.deepEqual(first.rows, [{ RESUBMITTED: 5 }]);
  assert.deepEqual(second.rows, first.rows);

  const recorded = statementEvents().filter((event) => event.requestId === requestId);
  assert.equal(recorded.length, 1);
});

test('query tags the client claims are recorded apart from the verified tags', async () => {
  await execute(connection, 'select 1 as untagged');
  await execute(connection, 'select 1 as tagged_by_parameter', {
    parameters: { QUERY_TAG: 'from-parameter' },
  });
  await execute(connection, "alter session set query_tag = 'from-alter-session'");
  await execute(connection, 'select 1 as tagged_by_session');
  await execute(connection, 'alter session unset query_tag');
  await execute(connection, 'select 1 as untagged_again');

  const tags = (word: string) => viewOf(word)?.claimedTags;
  assert.equal(tags('untagged')?.query_tag, undefined);
  assert.equal(tags('tagged_by_parameter')?.query_tag, 'from-parameter');
  assert.equal(tags('tagged_by_session')?.query_tag, 'from-alter-session');
  assert.equal(tags('untagged_again')?.query_tag, undefined);
  assert.equal(tags('untagged')?.application, 'gateway-tests');
  assert.equal(tags('untagged')?.client_app_id, 'JavaScript');
  assert.equal(viewOf('untagged')?.verifiedTags.repository, 'acme/widgets');
});

test('PUT and GET are refused with a clear error and recorded as refused', async () => {
  const error = await execute(connection, 'get @~/secret.csv file:///tmp/').then(
    () => assert.fail('GET was accepted'),
    (failure: Error & { code?: string }) => failure,
  );
  assert.equal(error.code, '399007');
  assert.match(error.message, /^TG_FILE_TRANSFER_REFUSED: /);
  await sleep(50);
  const view = viewOf('secret');
  assert.equal(view?.statementType, 'FILE_TRANSFER');
  assert.equal(view?.errorCode, 'TG_FILE_TRANSFER_REFUSED');
});

test('staged binds are refused like PUT and GET, over the raw protocol too', async () => {
  const base = harness.clientProxy.url;
  const login = await fetch(`${base}/session/v1/login-request?requestId=staged-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      data: { ACCOUNT_NAME: 'sandbox', AUTHENTICATOR: 'OAUTH', TOKEN: await harness.token() },
    }),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;

  const query = await fetch(`${base}/queries/v1/query-request?requestId=staged-1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Snowflake Token="${token}"` },
    body: JSON.stringify({
      sqlText: 'insert into staged_target values (?)',
      bindStage: '@"DB"."PUBLIC".SYSTEMBIND/0c4b6d',
    }),
  });
  const reply = (await query.json()) as { success: boolean; code: string; message: string };
  assert.equal(reply.success, false);
  assert.equal(reply.code, '399007');
  assert.match(reply.message, /^TG_FILE_TRANSFER_REFUSED: /);
  const forwarded = harness.upstreamProxy.exchanges.some((e) => e.path.includes('staged-1'));
  assert.equal(forwarded, false, 'the statement never reached upstream');
  await sleep(50);
  assert.equal(viewOf('staged_target')?.errorCode, 'TG_FILE_TRANSFER_REFUSED');
});
