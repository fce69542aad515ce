import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EngineFixture } from './helpers.js';
import { failure, openEngine, run, scalar, tempDir } from './helpers.js';

/** The rows of a SHOW as objects keyed by Snowflake's column names. */
async function shown(
  fixture: EngineFixture,
  sql: string,
): Promise<Record<string, string | null>[]> {
  const { columns, rows } = await run(fixture.session, sql);
  return rows.map((row) =>
    Object.fromEntries(columns.map((column, i) => [column.name, row[i] ?? null])),
  );
}

describe('session commands', () => {
  let fixture: EngineFixture;

  before(async () => {
    fixture = await openEngine();
    await run(
      fixture.session,
      'create table widgets (id number(38,0) not null primary key, name varchar, price number(10,2) default 0)',
    );
    await run(fixture.session, 'create view cheap as select * from widgets where price < 10');
  });

  after(() => fixture.close());

  test('a fresh session is in SANDBOX.PUBLIC with Snowflake default parameters', async () => {
    const { state } = fixture.session;
    assert.equal(state.database, 'SANDBOX');
    assert.equal(state.schema, 'PUBLIC');
    assert.equal(state.user, 'TESTER');
    assert.equal(state.parameters.get('TIMEZONE'), 'America/Los_Angeles');
    assert.equal(state.parameters.get('BINARY_OUTPUT_FORMAT'), 'HEX');
  });

  test('SHOW DATABASES, SCHEMAS, TABLES, VIEWS with Snowflake column names', async () => {
    const databases = await shown(fixture, 'show databases');
    assert.deepEqual(
      databases.map((d) => [d.name, d.is_current]),
      [['SANDBOX', 'Y']],
    );
    assert.ok('created_on' in (databases[0] ?? {}) && 'owner' in (databases[0] ?? {}));

    const schemas = await shown(fixture, 'show schemas in database sandbox');
    assert.deepEqual(
      schemas.map((s) => [s.name, s.database_name]),
      [['PUBLIC', 'SANDBOX']],
    );

    const tables = await shown(fixture, 'show tables');
    assert.deepEqual(
      tables.map((t) => [t.name, t.database_name, t.schema_name, t.kind]),
      [['WIDGETS', 'SANDBOX', 'PUBLIC', 'TABLE']],
    );
    const terse = await run(
      fixture.session,
      "show terse tables like 'wid%' in schema sandbox.public",
    );
    assert.deepEqual(
      terse.columns.map((c) => c.name),
      ['created_on', 'name', 'kind', 'database_name', 'schema_name'],
    );
    assert.equal(terse.result.statementTypeId, 0x4400);
    assert.equal((await shown(fixture, "show tables like 'nothing%'")).length, 0);

    const views = await shown(fixture, 'show views');
    assert.deepEqual(
      views.map((v) => v.name),
      ['CHEAP'],
    );
  });

  test('SHOW COLUMNS and DESCRIBE TABLE report Snowflake types, nullability and keys', async () => {
    const columns = await shown(fixture, 'show columns in table widgets');
    assert.deepEqual(
      columns.map((c) => [c.column_name, c.table_name, JSON.parse(c.data_type ?? '{}').type]),
      [
        ['ID', 'WIDGETS', 'FIXED'],
        ['NAME', 'WIDGETS', 'TEXT'],
        ['PRICE', 'WIDGETS', 'FIXED'],
      ],
    );
    assert.deepEqual(JSON.parse(columns[2]?.data_type ?? '{}'), {
      type: 'FIXED',
      precision: 10,
      scale: 2,
      nullable: true,
    });

    const described = await run(fixture.session, 'describe table widgets');
    assert.equal(described.result.statementTypeId, 0x4500);
    assert.deepEqual(
      described.columns.slice(0, 6).map((c) => c.name),
      ['name', 'type', 'kind', 'null?', 'default', 'primary key'],
    );
    assert.deepEqual(
      described.rows.map((r) => r.slice(0, 6)),
      [
        ['ID', 'NUMBER(38,0)', 'COLUMN', 'N', null, 'Y'],
        ['NAME', 'VARCHAR(16777216)', 'COLUMN', 'Y', null, 'N'],
        ['PRICE', 'NUMBER(10,2)', 'COLUMN', 'Y', '0', 'N'],
      ],
    );
    assert.equal((await run(fixture.session, 'desc table sandbox.public.widgets')).rows.length, 3);
  });

  test('ALTER SESSION SET and UNSET keep parameters; TIMEZONE reaches DuckDB', async () => {
    const set = await run(
      fixture.session,
      "alter session set query_tag = 'nightly', timezone = 'Asia/Tokyo'",
    );
    assert.deepEqual(set.rows, [['Statement executed successfully.']]);
    assert.equal(set.result.statementTypeId, 0x4100);
    assert.equal(fixture.session.state.parameters.get('QUERY_TAG'), 'nightly');
    assert.equal(
      await scalar(
        fixture.session,
        "select '2024-01-01 00:00:00+00:00'::timestamp_ltz::timestamp_ntz::varchar",
      ),
      '2024-01-01 09:00:00',
    );

    await run(fixture.session, 'alter session set python_connector_query_result_format = json');
    assert.equal(
      fixture.session.state.parameters.get('PYTHON_CONNECTOR_QUERY_RESULT_FORMAT'),
      'JSON',
    );
    await run(fixture.session, "alter session set timestamp_ntz_output_format = 'YYYY-MM-DD'");
    assert.equal(fixture.session.state.parameters.get('TIMESTAMP_NTZ_OUTPUT_FORMAT'), 'YYYY-MM-DD');

    await run(fixture.session, 'alter session unset query_tag, timezone');
    assert.equal(fixture.session.state.parameters.get('QUERY_TAG'), '');
    assert.equal(fixture.session.state.parameters.get('TIMEZONE'), 'America/Los_Angeles');
  });

  test('ALTER SESSION refuses unknown parameters and bad values', async () => {
    const unknown = await failure(fixture.session, 'alter session set no_such_thing = 1');
    assert.equal(unknown.code, '001006');
    assert.match(unknown.message, /invalid parameter 'NO_SUCH_THING'/);

    const zone = await failure(fixture.session, "alter session set timezone = 'Mars/Olympus'");
    assert.equal(zone.sqlState, '22023');
    assert.match(zone.message, /invalid value \[Mars\/Olympus\] for parameter 'TIMEZONE'/);

    const format = await failure(
      fixture.session,
      "alter session set jdbc_query_result_format = 'XML'",
    );
    assert.equal(format.code, '002154');
    assert.equal(fixture.session.state.parameters.get('TIMEZONE'), 'America/Los_Angeles');
  });

  test('USE WAREHOUSE and USE ROLE change what CURRENT_* report', async () => {
    const warehouse = await run(fixture.session, 'use warehouse analytics_wh');
    assert.equal(warehouse.result.statementTypeId, 0x4303);
    await run(fixture.session, 'use role analyst');
    const { rows } = await run(fixture.session, 'select current_warehouse(), current_role()');
    assert.deepEqual(rows, [['ANALYTICS_WH', 'ANALYST']]);
  });
});

describe('databases and schemas', () => {
  test('CREATE DATABASE moves the session in; USE, DROP, IF [NOT] EXISTS, OR REPLACE', async () => {
    const fixture = await openEngine();
    try {
      const created = await run(fixture.session, 'create database analytics');
      assert.deepEqual(created.rows, [['Database ANALYTICS successfully created.']]);
      assert.deepEqual(
        [fixture.session.state.database, fixture.session.state.schema],
        ['ANALYTICS', 'PUBLIC'],
      );
      await run(fixture.session, 'create table facts (x int)');
      await run(fixture.session, 'insert into facts values (1)');

      assert.deepEqual(
        (await run(fixture.session, 'create database if not exists analytics')).rows,
        [['ANALYTICS already exists, statement succeeded.']],
      );
      assert.equal((await failure(fixture.session, 'create database analytics')).code, '002002');

      await run(fixture.session, 'use database sandbox');
      assert.equal(
        await scalar(fixture.session, 'select count(*) from analytics.public.facts'),
        '1',
      );

      const schema = await run(fixture.session, 'create schema analytics.staging');
      assert.deepEqual(schema.rows, [['Schema STAGING successfully created.']]);
      assert.deepEqual(
        [fixture.session.state.database, fixture.session.state.schema],
        ['ANALYTICS', 'STAGING'],
      );
      await run(fixture.session, 'create table raw (y int)');
      const tables = await run(fixture.session, 'show tables in database analytics');
      assert.deepEqual(tables.rows.map((r) => r[1]).sort(), ['FACTS', 'RAW']);

      await run(fixture.session, 'use schema analytics.public');
      assert.equal(fixture.session.state.schema, 'PUBLIC');
      assert.deepEqual((await run(fixture.session, 'drop schema analytics.staging')).rows, [
        ['STAGING successfully dropped.'],
      ]);

      await run(fixture.session, 'create or replace database analytics');
      assert.equal(
        (await failure(fixture.session, 'select * from analytics.public.facts')).code,
        '002003',
      );

      const dropped = await run(fixture.session, 'drop database analytics');
      assert.deepEqual(dropped.rows, [['ANALYTICS successfully dropped.']]);
      assert.equal(fixture.session.state.database, null);
      assert.equal((await failure(fixture.session, 'use database analytics')).code, '002003');
      await run(fixture.session, 'drop database if exists analytics');
      await run(fixture.session, 'use database sandbox');
      assert.equal(fixture.session.state.schema, 'PUBLIC');
    } finally {
      await fixture.close();
    }
  });

  test('with a data folder, databases and their tables survive a restart', async () => {
    const folder = tempDir();
    try {
      const first = await openEngine({ dataDir: folder.path });
      await run(first.session, 'create database "Kept"');
      await run(first.session, "create table notes as select 'remember' as note");
      await first.close();
      assert.ok(existsSync(join(folder.path, 'Kept.duckdb')));

      const second = await openEngine({ dataDir: folder.path });
      try {
        const names = (await run(second.session, 'show databases')).rows.map((r) => r[1]);
        assert.deepEqual(names, ['Kept', 'SANDBOX']);
        assert.equal(
          await scalar(second.session, 'select note from "Kept".public.notes'),
          'remember',
        );
        await run(second.session, 'drop database "Kept"');
        assert.ok(!existsSync(join(folder.path, 'Kept.duckdb')), 'file removed');
      } finally {
        await second.close();
      }
    } finally {
      folder.remove();
    }
  });

  test('a login naming a database and schema starts there; unknown ones are left unset', async () => {
    const fixture = await openEngine({
      seedSql: 'create database warehouse; create schema warehouse.marts;',
    });
    try {
      const session = await fixture.engine.openSession({
        user: 'x',
        database: 'warehouse',
        schema: 'marts',
        role: 'R1',
      });
      assert.deepEqual(
        [session.state.database, session.state.schema, session.state.role],
        ['WAREHOUSE', 'MARTS', 'R1'],
      );
      const lost = await fixture.engine.openSession({ user: 'x', database: 'nowhere' });
      assert.equal(lost.state.database, null);
      await session.close();
      await lost.close();
    } finally {
      await fixture.close();
    }
  });
});

describe('seed SQL', () => {
  test('runs statement by statement in Snowflake SQL, comments and strings with semicolons included', async () => {
    const fixture = await openEngine({
      seedSql: `-- a seed file
        create table greetings (id int, text varchar);
        insert into greetings values (1, 'hello; world'), (2, $$it's$$);
        /* done */`,
    });
    try {
      const { rows } = await run(fixture.session, 'select text from greetings order by id');
      assert.deepEqual(rows, [['hello; world'], ["it's"]]);
    } finally {
      await fixture.close();
    }
  });

  test('a failing seed statement fails the start with its Snowflake error', async () => {
    await assert.rejects(createFailingSeed(), { code: '002003' });
  });
});

async function createFailingSeed(): Promise<void> {
  const fixture = await openEngine({ seedSql: 'insert into missing_table values (1);' });
  await fixture.close();
}
