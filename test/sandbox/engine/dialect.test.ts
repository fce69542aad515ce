import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EngineFixture } from './helpers.js';
import { openEngine, run, scalar } from './helpers.js';

describe('Snowflake SQL on DuckDB', () => {
  let fixture: EngineFixture;

  before(async () => {
    fixture = await openEngine();
    const { session } = fixture;
    await run(
      session,
      'create table orders (id int, customer varchar, amount number(10,2), placed date, info variant)',
    );
    await run(
      session,
      `insert into orders
       select 1, 'Ada', 10.50, '2024-01-01', parse_json('{"tags":["a","b"],"ship":{"city":"Oslo","zip":"0150"}}')
       union all select 2, 'Bob', 20.00, '2024-01-15', parse_json('{"tags":[],"ship":{"city":"Bergen"}}')
       union all select 3, 'ada', null, '2024-02-01', null
       union all select 4, 'Cy', 5.25, '2024-02-03', parse_json('{"tags":["c"]}')`,
    );
  });

  after(() => fixture.close());

  const sql = (text: string) => run(fixture.session, text);
  const one = (text: string) => scalar(fixture.session, text);

  test('unquoted identifiers fold to upper case; quoted ones keep their case', async () => {
    const { columns } = await sql(
      'select id, customer as who, 1 as x, 2 as "lower" from orders limit 1',
    );
    assert.deepEqual(
      columns.map((c) => c.name),
      ['ID', 'WHO', 'X', 'lower'],
    );
    await sql('create table "MixedCase" ("Key" int)');
    await sql('insert into "MixedCase" values (7)');
    assert.equal(await one('select "Key" from "MixedCase"'), '7');
  });

  test('unaliased expressions are named by their text, upper-cased', async () => {
    const { columns } = await sql(
      "select count(*), sum(amount), upper('x'), id + 1 from orders group by id",
    );
    assert.deepEqual(
      columns.map((c) => c.name),
      ['COUNT(*)', 'SUM(AMOUNT)', "UPPER('X')", 'ID + 1'],
    );
  });

  test('three-part names', async () => {
    assert.equal(await one('select count(*) from sandbox.public.orders'), '4');
    assert.equal(await one('select count(*) from public.orders'), '4');
  });

  test('IFF, NVL, ZEROIFNULL', async () => {
    const { rows } = await sql(
      "select iff(amount > 10, 'big', 'small'), nvl(amount, -1), zeroifnull(amount) from orders order by id",
    );
    assert.deepEqual(rows, [
      ['big', '10.50', '10.50'],
      ['big', '20.00', '20.00'],
      ['small', '-1.00', '0.00'],
      ['small', '5.25', '5.25'],
    ]);
  });

  test('TO_VARCHAR with and without a format, TO_DATE', async () => {
    const { rows } = await sql(
      "select to_varchar(placed, 'YYYY/MM/DD'), to_varchar(id), to_date('2024-03-05'), to_date('05.03.2024', 'DD.MM.YYYY') from orders where id = 1",
    );
    assert.deepEqual(rows[0]?.slice(0, 2), ['2024/01/01', '1']);
    const days = Date.UTC(2024, 2, 5) / 86_400_000;
    assert.deepEqual(rows[0]?.slice(2), [String(days), String(days)]);
  });

  test('DATEADD and DATEDIFF, with literal and column amounts and sub-day parts', async () => {
    const { rows } = await sql(
      `select dateadd(day, id, placed)::date, dateadd(month, 1, placed)::date,
         datediff(day, placed, '2024-03-01'::date),
         datediff(hour, '2024-01-01 10:59'::timestamp_ntz, '2024-01-01 12:01'::timestamp_ntz),
         dateadd(minute, 90, '2024-01-01 00:00'::timestamp_ntz)
       from orders where id = 2`,
    );
    const day = (y: number, m: number, d: number) => String(Date.UTC(y, m - 1, d) / 86_400_000);
    assert.deepEqual(rows[0], [
      day(2024, 1, 17),
      day(2024, 2, 15),
      '46',
      '2',
      `${Date.UTC(2024, 0, 1, 1, 30) / 1000}.000000000`,
    ]);
  });

  test("PARSE_JSON and VARIANT paths: col:field.sub, col['k'], [n], and ::casts", async () => {
    const { rows } = await sql(
      `select info:ship.city, info['ship']['zip'], info:tags[0]::varchar, info:ship.city::string,
         info:missing from orders order by id`,
    );
    assert.deepEqual(rows[0], ['"Oslo"', '"0150"', 'a', 'Oslo', null]);
    assert.deepEqual(rows[1], ['"Bergen"', null, null, 'Bergen', null]);
    assert.deepEqual(rows[2], [null, null, null, null, null]);
  });

  test('arrays count from 0 whether DuckDB holds them as lists or JSON', async () => {
    const { rows } = await sql(
      `select info:tags[1], get(info:tags, 0), array_size(info:tags), array_contains('b'::variant, info:tags),
         array_construct(5, 6)[0], array_size(array_construct(1, 2, 3)), object_keys(info)
       from orders where id = 1`,
    );
    assert.deepEqual(rows, [['"b"', '"a"', '2', '1', '5', '3', '["tags","ship"]']]);
  });

  test('casts to VARIANT keep strings strings; TO_NUMBER, STARTSWITH, CURRENT_TIMESTAMP', async () => {
    const { columns, rows } = await sql(
      `select 'x'::variant, to_number('12.345', 10, 2), try_to_number('x'), startswith(customer, 'A'),
         current_timestamp() > '2020-01-01'::timestamp_ltz
       from orders where id = 1`,
    );
    assert.deepEqual(rows, [['"x"', '12.35', null, '1', '1']]);
    assert.deepEqual(
      columns.map((c) => c.type),
      ['variant', 'fixed', 'fixed', 'boolean', 'boolean'],
    );
  });

  test('OBJECT_CONSTRUCT with mixed value types, and ARRAY_AGG with WITHIN GROUP', async () => {
    const { rows } = await sql(
      `select object_construct('id', id, 'who', customer),
         array_agg(customer) within group (order by customer desc) over ()
       from orders where id = 1`,
    );
    assert.deepEqual(JSON.parse(rows[0]?.[0] ?? ''), { id: 1, who: 'Ada' });
    const all = await one('select array_agg(id) within group (order by id desc) from orders');
    assert.deepEqual(JSON.parse(all ?? ''), [4, 3, 2, 1]);
  });

  test('FLATTEN with LATERAL and TABLE(), its columns, PATH and OUTER', async () => {
    const { columns, rows } = await sql(
      `select o.id, f.value::varchar, f.index, f.key, f.path from orders o,
         lateral flatten(input => o.info:tags) f order by o.id, f.index`,
    );
    assert.deepEqual(
      columns.map((c) => c.name),
      ['ID', 'F.VALUE::VARCHAR', 'INDEX', 'KEY', 'PATH'],
    );
    assert.deepEqual(rows, [
      ['1', 'a', '0', null, '[0]'],
      ['1', 'b', '1', null, '[1]'],
      ['4', 'c', '0', null, '[0]'],
    ]);

    const keys = await sql(
      'select key, value from table(flatten(input => parse_json(\'{"a":1,"b":[2]}\'))) order by key',
    );
    assert.deepEqual(keys.rows, [
      ['a', '1'],
      ['b', '[2]'],
    ]);

    const outer = await sql(
      'select o.id, f.value from orders o, lateral flatten(input => o.info:tags, outer => true) f where o.id = 2',
    );
    assert.deepEqual(outer.rows, [['2', null]]);

    const nested = await sql(
      'select value from table(flatten(input => parse_json(\'{"x":{"y":[5,6]}}\'), path => \'x.y\'))',
    );
    assert.deepEqual(nested.rows, [['5'], ['6']]);
  });

  test('QUALIFY, ILIKE, LIMIT/OFFSET and TOP n', async () => {
    const latest = await sql(
      'select customer, id from orders qualify row_number() over (partition by upper(customer) order by id desc) = 1 order by id',
    );
    assert.deepEqual(latest.rows, [
      ['Bob', '2'],
      ['ada', '3'],
      ['Cy', '4'],
    ]);
    assert.deepEqual(
      (await sql("select id from orders where customer ilike 'ADA' order by id")).rows,
      [['1'], ['3']],
    );
    assert.deepEqual((await sql('select id from orders order by id limit 2 offset 1')).rows, [
      ['2'],
      ['3'],
    ]);
    assert.deepEqual((await sql('select top 2 id from orders order by id')).rows, [['1'], ['2']]);
  });

  test('CURRENT_DATABASE/SCHEMA/USER/ROLE/WAREHOUSE/SESSION()', async () => {
    const { columns, rows } = await sql(
      'select current_database(), current_schema(), current_user(), current_role(), current_warehouse(), current_session()',
    );
    assert.deepEqual(
      columns.map((c) => c.name),
      [
        'CURRENT_DATABASE()',
        'CURRENT_SCHEMA()',
        'CURRENT_USER()',
        'CURRENT_ROLE()',
        'CURRENT_WAREHOUSE()',
        'CURRENT_SESSION()',
      ],
    );
    const { state } = fixture.session;
    assert.deepEqual(rows[0]?.slice(0, 5), [
      'SANDBOX',
      'PUBLIC',
      'TESTER',
      state.role,
      state.warehouse,
    ]);
    assert.match(rows[0]?.[5] ?? '', /^\d+$/);
  });

  test("UPDATE, DELETE and MERGE answer with Snowflake's row counts", async () => {
    await sql('create table stock (sku varchar, qty int)');
    const inserted = await sql("insert into stock values ('a', 1), ('b', 2), ('c', 3)");
    assert.deepEqual(
      inserted.columns.map((c) => c.name),
      ['number of rows inserted'],
    );
    assert.equal(inserted.result.rowsAffected, 3);

    const updated = await sql("update stock set qty = qty + 1 where sku <> 'a'");
    assert.deepEqual(updated.rows, [['2', '0']]);
    assert.equal(updated.result.statementTypeId, 0x3200);

    const merged = await sql(
      `merge into stock s using (select 'a' sku, 10 qty union all select 'z', 1) n on s.sku = n.sku
       when matched then update set qty = n.qty when not matched then insert values (n.sku, n.qty)`,
    );
    assert.deepEqual(
      merged.columns.map((c) => c.name),
      ['number of rows inserted', 'number of rows updated', 'number of rows deleted'],
    );
    assert.deepEqual(merged.rows, [['1', '1', '0']]);
    assert.equal(merged.result.statementTypeId, 0x3400);

    const deleted = await sql("delete from stock where sku in ('b', 'c')");
    assert.deepEqual(deleted.rows, [['2']]);
    assert.equal(deleted.result.statementTypeId, 0x3300);
    assert.deepEqual((await sql('select sku, qty from stock order by sku')).rows, [
      ['a', '10'],
      ['z', '1'],
    ]);
  });

  test('BEGIN, COMMIT and ROLLBACK are transactions', async () => {
    await sql('create table ledger (n int)');
    const begun = await sql('begin');
    assert.equal(begun.result.statementTypeId, 0x5000);
    await sql('insert into ledger values (1)');
    await sql('rollback');
    await sql('begin transaction');
    await sql('insert into ledger values (2)');
    await sql('commit');
    assert.deepEqual((await sql('select n from ledger')).rows, [['2']]);
  });

  test('DDL answers with a status and a DDL statement type', async () => {
    const created = await sql('create table t_ddl (a int)');
    assert.deepEqual(created.rows, [['Table T_DDL successfully created.']]);
    assert.ok(created.result.statementTypeId >= 0x6000);
    assert.deepEqual((await sql('create view v_ddl as select a from t_ddl')).rows, [
      ['View V_DDL successfully created.'],
    ]);
    assert.deepEqual((await sql('drop view v_ddl')).rows, [['V_DDL successfully dropped.']]);
    assert.deepEqual((await sql('drop table t_ddl')).rows, [['T_DDL successfully dropped.']]);
  });
});
