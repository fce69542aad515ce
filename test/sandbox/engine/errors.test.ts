import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EngineFixture } from './helpers.js';
import { failure, openEngine, run } from './helpers.js';

describe('errors carry Snowflake codes, SQL states and wording, and nothing internal', () => {
  let fixture: EngineFixture;

  before(async () => {
    fixture = await openEngine();
    await run(fixture.session, 'create table known (id int)');
  });

  after(() => fixture.close());

  const cases: { name: string; sql: string; code: string; sqlState: string; message: RegExp }[] = [
    {
      name: 'syntax error',
      sql: 'selec 1',
      code: '001003',
      sqlState: '42000',
      message: /^SQL compilation error:\nsyntax error line 1 at position \d+ unexpected/,
    },
    {
      name: 'unknown table',
      sql: 'select * from nowhere',
      code: '002003',
      sqlState: '42S02',
      message: /^SQL compilation error:\nObject 'NOWHERE' does not exist or not authorized\.$/,
    },
    {
      name: 'unknown database in a three-part name',
      sql: 'select * from nodb.public.known',
      code: '002003',
      sqlState: '42S02',
      message: /Database 'NODB' does not exist or not authorized/,
    },
    {
      name: 'unknown column',
      sql: 'select missing_col from known',
      code: '000904',
      sqlState: '42000',
      message: /invalid identifier 'MISSING_COL'/,
    },
    {
      name: 'unknown function',
      sql: 'select no_such_function(1)',
      code: '002140',
      sqlState: '42601',
      message: /Unknown function NO_SUCH_FUNCTION/,
    },
    {
      name: 'division by zero',
      sql: 'select id / 0 from known union all select 1 / 0',
      code: '100051',
      sqlState: '22012',
      message: /^Division by zero$/,
    },
    {
      name: 'a value that is not a number',
      sql: "select 'abc'::int",
      code: '100038',
      sqlState: '22018',
      message: /^Numeric value is not recognized$/,
    },
    {
      name: 'several statements in one request',
      sql: 'select 1; select 2',
      code: '000008',
      sqlState: '0A000',
      message: /Actual statement count 2 did not match the desired statement count 1/,
    },
    {
      name: 'an empty statement',
      sql: '  -- nothing\n',
      code: '000900',
      sqlState: '42000',
      message: /Empty SQL statement/,
    },
    {
      name: 'file transfer',
      sql: 'put file:///etc/passwd @~',
      code: '002040',
      sqlState: '0A000',
      message: /Unsupported feature 'PUT'/,
    },
    {
      name: 'COPY INTO',
      sql: 'copy into known from @stage',
      code: '002040',
      sqlState: '0A000',
      message: /Unsupported feature 'COPY INTO'/,
    },
    {
      name: 'session variables',
      sql: 'set x = 1',
      code: '002040',
      sqlState: '0A000',
      message: /Unsupported feature/,
    },
    {
      name: 'FLATTEN RECURSIVE',
      sql: "select * from table(flatten(input => parse_json('[1]'), recursive => true))",
      code: '002040',
      sqlState: '0A000',
      message: /FLATTEN with RECURSIVE/,
    },
    {
      name: 'a numeric TO_VARCHAR format',
      sql: "select to_varchar(1.5, '999.99')",
      code: '002040',
      sqlState: '0A000',
      message: /numeric format/,
    },
  ];

  for (const expected of cases) {
    test(expected.name, async () => {
      const error = await failure(fixture.session, expected.sql);
      assert.equal(error.code, expected.code);
      assert.equal(error.sqlState, expected.sqlState);
      assert.match(error.message, expected.message);
      assert.doesNotMatch(error.message, /DuckDB|duckdb|INT32|at .*\.js/, 'no internals');
    });
  }

  test('files are out of reach: DuckDB file and URL readers are refused', async () => {
    for (const sql of [
      "select * from read_csv('/etc/passwd')",
      "select * from '/etc/hostname'",
      "select * from read_text('/etc/hostname')",
    ]) {
      const error = await failure(fixture.session, sql);
      assert.ok(['002040', '002003'].includes(error.code), `${sql}: ${error.code}`);
      assert.doesNotMatch(error.message, /root|localhost/);
    }
  });

  test('the session keeps working after each error', async () => {
    await failure(fixture.session, 'select * from nowhere');
    const { rows } = await run(fixture.session, 'select count(*) from known');
    assert.deepEqual(rows, [['0']]);
  });
});
