import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classifyStatement,
  queryTagChange,
  shapeOf,
  splitStatements,
} from '../../../src/engines/snowflake/statements.js';

test('classifies statements by their leading keywords, past comments and brackets', () => {
  const cases: [string, string][] = [
    ['select 1', 'SELECT'],
    ['  -- why\n/* note */ (SELECT 1)', 'SELECT'],
    ['with t as (select 1) select * from t', 'SELECT'],
    ['insert into t values (1)', 'INSERT'],
    ['UPDATE t SET a = 1 WHERE b = 2', 'UPDATE'],
    ['delete from t', 'DELETE'],
    ['merge into t using s on t.id = s.id when matched then delete', 'MERGE'],
    ['create table t (a int)', 'DDL'],
    ['alter table t add column b int', 'DDL'],
    ["alter session set query_tag = 'x'", 'ALTER_SESSION'],
    ['use database analytics', 'USE'],
    ['show tables', 'SHOW'],
    ['desc table t', 'DESCRIBE'],
    ['grant select on t to role r', 'DCL'],
    ['begin', 'TRANSACTION'],
    ['call proc()', 'CALL'],
    ['put file:///tmp/x.csv @stage', 'FILE_TRANSFER'],
    ['get @stage/x.csv file:///tmp/', 'FILE_TRANSFER'],
    ['frobnicate', 'OTHER'],
  ];
  for (const [text, type] of cases) assert.equal(classifyStatement(text), type, text);
});

test('splits on semicolons outside quotes, identifiers, $$ blocks and comments', () => {
  const text = `select 'a;b'; select "x;y" from t; -- c;d
  create function f() returns int as $$ 1; $$; /* e;f */ select 3;`;

  assert.deepEqual(splitStatements(text), [
    "select 'a;b'",
    'select "x;y" from t',
    '-- c;d\n  create function f() returns int as $$ 1; $$',
    '/* e;f */ select 3',
  ]);
});

test('a text of several statements is MULTI; a PUT anywhere in it transfers files', () => {
  assert.equal(shapeOf('select 1; select 2').type, 'MULTI');
  assert.equal(shapeOf('select 1;').type, 'SELECT');
  assert.equal(shapeOf('select 1; put file:///x @s').transfersFiles, true);
  assert.equal(shapeOf("select 'put file:///x @s'").transfersFiles, false);
});

test('reads QUERY_TAG changes made by ALTER SESSION', () => {
  assert.deepEqual(queryTagChange("alter session set query_tag = 'nightly ''run'''"), {
    kind: 'set',
    value: "nightly 'run'",
  });
  assert.deepEqual(queryTagChange("ALTER SESSION SET TIMEZONE = 'UTC', QUERY_TAG='x'"), {
    kind: 'set',
    value: 'x',
  });
  assert.deepEqual(queryTagChange('alter session unset query_tag'), { kind: 'unset' });
  assert.equal(queryTagChange("select 'query_tag = ''x'''"), null);
  assert.equal(queryTagChange("alter session set timezone = 'UTC'"), null);
});
