import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StatementResultEvent } from '../../src/audit/types.js';
import { type Connection, destroy, execute } from './driver.js';
import { type Harness, startHarness } from './harness.js';

/** Statement guardrails, through the real driver: role changes never reach upstream. */

let harness: Harness;
let connection: Connection;

before(async () => {
  harness = await startHarness();
  connection = await harness.connect();
});

after(async () => {
  await destroy(connection);
  await harness.close();
});

async function currentRole(): Promise<unknown> {
  const { rows } = await execute(connection, 'select current_role() as "ROLE"');
  return rows[0]?.ROLE;
}

function forwardedQueries(): number {
  return harness.upstreamProxy.exchanges.filter((exchange) =>
    exchange.path.startsWith('/queries/v1/query-request'),
  ).length;
}

async function refusalOf(sqlText: string, multiCount?: number) {
  const parameters = multiCount === undefined ? {} : { MULTI_STATEMENT_COUNT: multiCount };
  return execute(connection, sqlText, { parameters }).then(
    () => assert.fail(`the gateway forwarded: ${sqlText}`),
    (failure: Error & { code?: string; sqlState?: string }) => failure,
  );
}

function recordedOutcome(word: string) {
  const store = harness.openStore();
  const [view] = store.searchStatements({ text: word });
  const result = store
    .getStatement(view?.id ?? '')
    ?.records.map((record) => record.event)
    .find((event): event is StatementResultEvent => event.kind === 'statement_result');
  store.close();
  return { view, result };
}

test('USE ROLE is refused, recorded as refused, never forwarded, and the role stays', async () => {
  const roleBefore = await currentRole();
  const forwardedBefore = forwardedQueries();

  const error = await refusalOf('/* escalate */ use role "ACCOUNTADMIN"');
  assert.equal(error.code, '399011');
  assert.equal(error.sqlState, '42501');
  assert.match(error.message, /^TG_STATEMENT_REFUSED: USE ROLE is refused: /);
  assert.equal(forwardedQueries(), forwardedBefore);
  assert.equal(await currentRole(), roleBefore);
  assert.notEqual(roleBefore, 'ACCOUNTADMIN');

  await sleep(100);
  const { view, result } = recordedOutcome('escalate');
  assert.equal(view?.sqlText, '/* escalate */ use role "ACCOUNTADMIN"');
  assert.equal(view?.statementType, 'USE');
  assert.equal(result?.outcome, 'failure');
  assert.equal(result?.errorCode, 'TG_STATEMENT_REFUSED');
});

test('USE SECONDARY ROLES is refused', async () => {
  const error = await refusalOf('USE SECONDARY ROLES ALL');
  assert.equal(error.code, '399011');
  assert.match(error.message, /USE SECONDARY ROLES is refused/);
});

test('a multi-statement request holding a USE ROLE is refused whole', async () => {
  const forwardedBefore = forwardedQueries();
  const roleBefore = await currentRole();

  const sqlText = 'select 1 as before_switch; USE ROLE sysadmin; select 2 as after_switch';
  const error = await refusalOf(sqlText, 3);
  assert.equal(error.code, '399011');
  assert.equal(forwardedQueries(), forwardedBefore + 1, 'only the current_role() query');
  assert.equal(await currentRole(), roleBefore);

  await sleep(100);
  const { view, result } = recordedOutcome('before_switch');
  assert.equal(view?.statementType, 'MULTI');
  assert.equal(result?.outcome, 'failure');
  assert.equal(result?.errorCode, 'TG_STATEMENT_REFUSED');
});

test('other USE statements still reach upstream', async () => {
  await execute(connection, 'use warehouse guardrail_wh');
  const { rows } = await execute(connection, 'select current_warehouse() as "WH"');
  assert.equal(rows[0]?.WH, 'GUARDRAIL_WH');
});
