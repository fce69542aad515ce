import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type DuckDBBlobValue,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  DuckDBInstance,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimeValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Connection } from 'snowflake-sdk';
import { connect, destroy, execute, query, startTestSandbox } from '../../support/sandbox.js';
import { login, runQuery } from './raw-client.js';

/** The Date subclass the driver returns for timestamps, which keeps nanoseconds. */
interface DriverTimestamp extends Date {
  getEpochSeconds(): number;
  getNanoSeconds(): number;
}

const NAMES = [
  'N_INT',
  'N_DEC',
  'N_SMALL',
  'F',
  'B',
  'D',
  'T',
  'NTZ',
  'LTZ',
  'BIN',
  'V',
  'O',
  'A',
  'S',
];

const CREATE = `create table every_type (n_int number(38,0), n_dec number(38,37), n_small number(10,2),
  f float, b boolean, d date, t time, ntz timestamp_ntz, ltz timestamp_ltz, bin binary,
  v variant, o object, a array, s varchar)`;

const INSERT = `insert into every_type select 12345678901234567890123456789012345678,
  0.1234567890123456789012345678901234567, -1234.5, -1.5e-7, true, '1969-07-20',
  '23:59:59.999999', '2024-02-29 12:34:56.123456789', '1960-01-01 00:00:00.5+00:00',
  to_binary('DEADBEEF00'), parse_json('{"k":[1,"two",null]}'), parse_json('{"a":1}'),
  parse_json('[1,2,3]'), 'héllo, 世界 🌍 "quoted"'`;

/** Every value as the driver decodes it, with numbers, dates and JSON also read as text. */
async function selectBoth(connection: Connection, sql: string) {
  const typed = (await execute(connection, sql)).rows;
  const text = (
    await execute(connection, sql, {
      fetchAsString: ['Number', 'Date', 'JSON', 'Buffer', 'Boolean'],
    })
  ).rows;
  return { typed, text };
}

function epochNanos(value: unknown): bigint {
  const timestamp = value as DriverTimestamp;
  return BigInt(timestamp.getEpochSeconds()) * 1_000_000_000n + BigInt(timestamp.getNanoSeconds());
}

describe('every type through the driver, value by value against the DuckDB file', () => {
  let typed: Record<string, unknown>[];
  let text: Record<string, unknown>[];
  let columnTypes: string[];
  let stored: DuckDBValue[][];

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-types-'));
    const sandbox = await startTestSandbox({ dataDir });
    const connection = await connect(sandbox);
    await query(connection, CREATE);
    await query(connection, INSERT);
    await query(connection, 'insert into every_type (n_int) values (null)');
    const select = 'select * from every_type order by n_int nulls last';
    ({ typed, text } = await selectBoth(connection, select));
    const { statement } = await execute(connection, select);
    columnTypes = (statement.getColumns() ?? []).map((c) => c.getType());
    await destroy(connection);
    await sandbox.close();

    const instance = await DuckDBInstance.create(join(dataDir, 'SANDBOX.duckdb'), {
      access_mode: 'READ_ONLY',
    });
    const duck = await instance.connect();
    stored = (
      await duck.runAndReadAll(
        'SELECT * FROM "SANDBOX"."PUBLIC"."EVERY_TYPE" ORDER BY "N_INT" NULLS LAST',
      )
    ).getRows();
    duck.closeSync();
    instance.closeSync();
  });

  const at = (name: string) => NAMES.indexOf(name);
  const storedValue = (name: string) => (stored[0] as DuckDBValue[])[at(name)];

  test('the driver sees the Snowflake types', () => {
    // DuckDB stores OBJECT and ARRAY columns as JSON, like VARIANT, so a table column of those
    // types reads back as VARIANT (docs/sandbox.md, limits); the values are exact all the same.
    assert.deepEqual(columnTypes, [
      'fixed',
      'fixed',
      'fixed',
      'real',
      'boolean',
      'date',
      'time',
      'timestamp_ntz',
      'timestamp_ltz',
      'binary',
      'variant',
      'variant',
      'variant',
      'text',
    ]);
  });

  test('decimals: 38 digits and scale 37 arrive exactly', () => {
    const row = text[0] as Record<string, unknown>;
    assert.equal(row.N_INT, (storedValue('N_INT') as DuckDBDecimalValue).toString());
    assert.equal(row.N_DEC, (storedValue('N_DEC') as DuckDBDecimalValue).toString());
    assert.equal(row.N_DEC, '0.1234567890123456789012345678901234567');
    assert.equal(typed[0]?.N_SMALL, (storedValue('N_SMALL') as DuckDBDecimalValue).toDouble());
    assert.equal(typed[0]?.F, storedValue('F'));
  });

  test('boolean, date and time', () => {
    const row = typed[0] as Record<string, unknown>;
    assert.equal(row.B, storedValue('B'));
    assert.equal(
      (row.D as Date).getTime() / 86_400_000,
      (storedValue('D') as DuckDBDateValue).days,
    );
    assert.equal(text[0]?.D, '1969-07-20');
    const micros = (storedValue('T') as DuckDBTimeValue).micros;
    assert.equal(micros, 86_399_999_999n);
    assert.equal(row.T, '23:59:59');
  });

  test('timestamps keep nanoseconds (NTZ) and the instant (LTZ, before 1970)', () => {
    const row = typed[0] as Record<string, unknown>;
    const ntz = (storedValue('NTZ') as DuckDBTimestampNanosecondsValue).nanos;
    assert.equal(epochNanos(row.NTZ), ntz);
    assert.equal(ntz % 1_000_000_000n, 123_456_789n);
    const ltz = (storedValue('LTZ') as DuckDBTimestampTZValue).micros;
    assert.equal(epochNanos(row.LTZ), ltz * 1000n);
    assert.ok(ltz < 0n);
  });

  test('binary, VARIANT, OBJECT, ARRAY and unicode text', () => {
    const row = typed[0] as Record<string, unknown>;
    assert.deepEqual([...(row.BIN as Buffer)], [...(storedValue('BIN') as DuckDBBlobValue).bytes]);
    assert.equal(text[0]?.BIN, 'DEADBEEF00');
    assert.deepEqual(row.V, JSON.parse(String(storedValue('V'))));
    assert.deepEqual(row.O, JSON.parse(String(storedValue('O'))));
    assert.deepEqual(row.A, JSON.parse(String(storedValue('A'))));
    assert.equal(row.S, storedValue('S'));
    assert.equal(row.S, 'héllo, 世界 🌍 "quoted"');
  });

  test('NULL of every type is null in DuckDB and in the driver', () => {
    assert.ok(stored[1]?.every((value) => value === null));
    // The driver turns a NULL TIME into the string 'NULL' (its toValueFromTime), and does the
    // same for every type it is asked to fetch as text; on the wire each is a JSON null.
    const nulls = Object.fromEntries(NAMES.map((name) => [name, name === 'T' ? 'NULL' : null]));
    assert.deepEqual(typed[1], nulls);
    assert.deepEqual(Object.keys(text[1] ?? {}), NAMES);
    assert.ok(Object.values(text[1] ?? {}).every((value) => value === null || value === 'NULL'));
  });
});

describe('TIMESTAMP_TZ and the session time zone', () => {
  test('the offset travels with the value and the driver keeps the instant', async () => {
    const sandbox = await startTestSandbox();
    try {
      const connection = await connect(sandbox);
      await query(connection, "alter session set timezone = 'Asia/Kolkata'");
      const { typed, text } = await selectBoth(
        connection,
        `select '2024-01-01 12:00:00.123456+02:00'::timestamp_tz as "TZ",
          '2024-01-01 12:00:00'::timestamp_ltz as "LTZ"`,
      );
      const row = typed[0] as Record<string, unknown>;
      assert.equal(epochNanos(row.TZ), 1_704_103_200_123_456_000n);
      // DuckDB stores TIMESTAMP_TZ as an instant; the sandbox shows it at the session's offset.
      assert.match(String(text[0]?.TZ), /^2024-01-01 15:30:00\.123 \+0530$/);
      assert.equal(epochNanos(row.LTZ), BigInt(Date.UTC(2024, 0, 1, 6, 30)) * 1_000_000n);
      await destroy(connection);
    } finally {
      await sandbox.close();
    }
  });
});

describe('binds', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let connection: Connection;

  before(async () => {
    sandbox = await startTestSandbox();
    connection = await connect(sandbox);
    await query(
      connection,
      `create table bound (t varchar, n number(38,0), r float, b boolean, v variant, d date,
        tm time, ntz timestamp_ntz, ltz timestamp_ltz, tz timestamp_tz, bin binary)`,
    );
  });

  after(async () => {
    await destroy(connection);
    await sandbox.close();
  });

  test('every bind type the Node driver sends: TEXT, FIXED, REAL, BOOLEAN, VARIANT, null', async () => {
    await query(connection, 'insert into bound (t, n, r, b, v) select ?, ?, ?, ?, parse_json(?)', [
      "it's ünïcode",
      1234567890123,
      -2.5,
      true,
      JSON.stringify({ k: [1, 'two'] }),
    ]);
    await query(connection, 'insert into bound (t, n) values (?, ?)', [null, null]);
    const rows = await query(connection, 'select t, n, r, b, v from bound order by n nulls last');
    assert.deepEqual(rows, [
      { T: "it's ünïcode", N: 1234567890123, R: -2.5, B: true, V: { k: [1, 'two'] } },
      { T: null, N: null, R: null, B: null, V: null },
    ]);
    await query(connection, 'delete from bound');
  });

  test('array binds insert one row per element', async () => {
    const { statement } = await execute(connection, 'insert into bound (t, n) values (?, ?)', {
      binds: [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ],
    });
    assert.equal(statement.getNumUpdatedRows(), 3);
    const rows = await query(connection, 'select t, n from bound order by n');
    assert.deepEqual(rows, [
      { T: 'a', N: 1 },
      { T: 'b', N: 2 },
      { T: 'c', N: 3 },
    ]);
    await query(connection, 'delete from bound');
  });

  test('typed binds as Python and JDBC send them: DATE, TIME, TIMESTAMP_*, BINARY', async () => {
    const session = await login(sandbox.url);
    const instant = 1_710_074_096_123_456_789n;
    // DuckDB keeps TIMESTAMP_LTZ and TIMESTAMP_TZ in microseconds (docs/sandbox.md, limits).
    const instantMicros = instant - 789n;
    const reply = await runQuery(sandbox.url, session, {
      sqlText: 'insert into bound (d, tm, ntz, ltz, tz, bin) values (?, ?, ?, ?, ?, ?)',
      bindings: {
        1: { type: 'DATE', value: String(Date.UTC(2024, 2, 10)) },
        2: { type: 'TIME', value: String(45_296_123_456_000n) },
        3: { type: 'TIMESTAMP_NTZ', value: String(instant) },
        4: { type: 'TIMESTAMP_LTZ', value: String(instantMicros) },
        5: { type: 'TIMESTAMP_TZ', value: `${instantMicros} ${1440 + 60}` },
        6: { type: 'BINARY', value: '00ff10' },
      },
    });
    assert.equal(reply.json.success, true, reply.text);

    const rows = (await execute(connection, 'select d, tm, ntz, ltz, tz, bin from bound')).rows;
    const row = rows[0] as Record<string, unknown>;
    assert.equal((row.D as Date).getTime(), Date.UTC(2024, 2, 10));
    assert.equal(epochNanos(row.NTZ), instant);
    assert.equal(epochNanos(row.LTZ), instantMicros);
    assert.equal(epochNanos(row.TZ), instantMicros);
    assert.deepEqual([...(row.BIN as Buffer)], [0x00, 0xff, 0x10]);
    await query(connection, 'delete from bound');
  });
});
