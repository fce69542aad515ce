import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimeValue,
  DuckDBValue,
} from '@duckdb/node-api';
import type { JsonRow, ResultColumn } from '../../../src/sandbox/engine/index.js';
import {
  type DriverTime,
  type DriverTimestamp,
  decodeWithDriver,
  openEngine,
  readDuckDbFile,
  run,
  tempDir,
} from './helpers.js';

const CREATE = `create table every_type (
  n_int number(38,0), n_dec number(38,37), n_small number(10,2), f float, b boolean, d date,
  t time, ts_ntz timestamp_ntz, ts_ltz timestamp_ltz, bin binary, v variant, o object,
  a array, s varchar)`;

const INSERT = `insert into every_type select
  12345678901234567890123456789012345678, 0.1234567890123456789012345678901234567, -1234.5,
  -1.5e-7, true, '1969-07-20', '23:59:59.999999', '2024-02-29 12:34:56.123456789',
  '1960-01-01 00:00:00.5+00:00', to_binary('DEADBEEF00'), parse_json('{"k":[1,"two",null]}'),
  parse_json('{"a":1}'), parse_json('[1,2,3]'), 'héllo, 世界 🌍'`;

const COLUMNS = [
  'N_INT',
  'N_DEC',
  'N_SMALL',
  'F',
  'B',
  'D',
  'T',
  'TS_NTZ',
  'TS_LTZ',
  'BIN',
  'V',
  'O',
  'A',
  'S',
];

describe('every Snowflake type, as the driver decodes it, equals what DuckDB stored', () => {
  const folder = tempDir();
  let columns: ResultColumn[];
  let rows: JsonRow[];
  let stored: DuckDBValue[][];

  before(async () => {
    const fixture = await openEngine({ dataDir: folder.path });
    await run(fixture.session, CREATE);
    await run(fixture.session, INSERT);
    await run(fixture.session, 'insert into every_type (n_int) values (null)');
    ({ columns, rows } = await run(
      fixture.session,
      'select * from every_type order by n_int nulls last',
    ));
    await fixture.close();

    const file = join(folder.path, 'SANDBOX.duckdb');
    stored = await readDuckDbFile(
      file,
      `SELECT * FROM "SANDBOX"."PUBLIC"."EVERY_TYPE" ORDER BY "N_INT" NULLS LAST`,
    );
  });

  after(() => folder.remove());

  test('rowtype names, types, precision and scale', () => {
    assert.deepEqual(
      columns.map((c) => c.name),
      COLUMNS,
    );
    assert.deepEqual(
      columns.map((c) => c.type),
      [
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
      ],
    );
    assert.deepEqual(
      columns.slice(0, 3).map((c) => [c.precision, c.scale]),
      [
        [38, 0],
        [38, 37],
        [10, 2],
      ],
    );
    assert.equal(columns[7]?.scale, 9);
    assert.equal(columns[13]?.length, 16_777_216);
  });

  test('numbers: exact decimal text at scale 37, and the numbers the driver makes of it', () => {
    const { values, strings } = decodeWithDriver(columns, rows[0] as JsonRow);
    const [nInt, nDec, nSmall, f] = stored[0] as DuckDBValue[];

    assert.equal(strings[0], (nInt as DuckDBDecimalValue).toString());
    assert.equal(strings[1], (nDec as DuckDBDecimalValue).toString());
    assert.equal(rows[0]?.[2], '-1234.50');
    assert.equal(values[2], (nSmall as DuckDBDecimalValue).toDouble());
    assert.equal(values[3], f);
  });

  test('boolean, date and time', () => {
    const { values, converted } = decodeWithDriver(columns, rows[0] as JsonRow);
    const [, , , , b, d, t] = stored[0] as DuckDBValue[];

    assert.equal(values[4], b);
    assert.equal((values[5] as Date).getTime() / 86_400_000, (d as DuckDBDateValue).days);
    assert.equal(values[6], '23:59:59', 'TIME_OUTPUT_FORMAT applied');
    const time = converted[6] as DriverTime;
    const nanos =
      BigInt(time.getMidnightSeconds()) * 1_000_000_000n + BigInt(time.getNanoSeconds());
    assert.equal(nanos, (t as DuckDBTimeValue).micros * 1000n);
  });

  test('timestamps keep nanoseconds (NTZ) and the instant (LTZ)', () => {
    const { values } = decodeWithDriver(columns, rows[0] as JsonRow);
    const [, , , , , , , ntz, ltz] = stored[0] as DuckDBValue[];

    assert.equal(
      epochNanos(values[7] as DriverTimestamp),
      (ntz as DuckDBTimestampNanosecondsValue).nanos,
    );
    assert.equal(
      (ntz as DuckDBTimestampNanosecondsValue).nanos % 1000n,
      789n,
      'nanoseconds stored',
    );
    assert.equal(
      epochNanos(values[8] as DriverTimestamp),
      (ltz as DuckDBTimestampTZValue).micros * 1000n,
    );
    assert.ok(epochNanos(values[8] as DriverTimestamp) < 0n, 'before 1970');
  });

  test('binary, semi-structured values and unicode text', () => {
    const { values } = decodeWithDriver(columns, rows[0] as JsonRow);
    const [, , , , , , , , , bin, v, o, a, s] = stored[0] as DuckDBValue[];

    assert.equal(rows[0]?.[9], 'DEADBEEF00', 'upper-case hex');
    assert.deepEqual([...(values[9] as Buffer)], [...(bin as DuckDBBlobValue).bytes]);
    assert.deepEqual(values[10], JSON.parse(String(v)));
    assert.deepEqual(values[11], JSON.parse(String(o)));
    assert.deepEqual(values[12], JSON.parse(String(a)));
    assert.equal(values[13], s);
  });

  test('NULL of every type is a JSON null the driver returns as null', () => {
    assert.ok(stored[1]?.every((value) => value === null));
    assert.deepEqual(
      rows[1],
      COLUMNS.map(() => null),
    );
    assert.deepEqual(
      decodeWithDriver(columns, rows[1] as JsonRow).converted,
      COLUMNS.map(() => null),
    );
  });
});

function epochNanos(value: DriverTimestamp): bigint {
  return BigInt(value.getEpochSeconds()) * 1_000_000_000n + BigInt(value.getNanoSeconds());
}

describe('types the statement names where DuckDB storage cannot tell them apart', () => {
  test('::object, ::array, constructors and TIMESTAMP_TZ in the session time zone', async () => {
    const fixture = await openEngine();
    try {
      await run(fixture.session, "alter session set timezone = 'Asia/Kolkata'");
      const { columns, rows } = await run(
        fixture.session,
        `select parse_json('{"a":1}')::object o, parse_json('[1]')::array a,
           object_construct('k', 'v', 'n', 2) oc, array_construct(1, 2) ac, array_agg(1) ag,
           '2024-01-01 00:00:00+00:00'::timestamp_tz tz, null::timestamp_tz ntz`,
      );
      assert.deepEqual(
        columns.map((c) => c.type),
        ['object', 'array', 'object', 'array', 'array', 'timestamp_tz', 'timestamp_tz'],
      );
      assert.equal(rows[0]?.[5], `1704067200.000000000 ${330 + 1440}`);

      const parameters = { TIMEZONE: 'Asia/Kolkata', TIMESTAMP_TZ_OUTPUT_FORMAT: '' };
      const { values } = decodeWithDriver(columns, rows[0] as JsonRow, parameters);
      assert.deepEqual(values[2], { k: 'v', n: 2 });
      assert.deepEqual(values[3], [1, 2]);
      assert.equal((values[5] as DriverTimestamp).getTime(), Date.UTC(2024, 0, 1));
      assert.equal((values[5] as DriverTimestamp).getTimezone(), 330);
      assert.equal(values[6], null);
    } finally {
      await fixture.close();
    }
  });

  test('literal results: integers are NUMBER(38,0), division and floats are REAL', async () => {
    const fixture = await openEngine();
    try {
      const { columns, rows } = await run(fixture.session, "select 1, 7 / 2, 1.5::double, 'x'");
      assert.deepEqual(
        columns.map((c) => [c.type, c.precision, c.scale]),
        [
          ['fixed', 38, 0],
          ['real', null, null],
          ['real', null, null],
          ['text', null, null],
        ],
      );
      assert.deepEqual(rows, [['1', '3.5', '1.5', 'x']]);
    } finally {
      await fixture.close();
    }
  });
});
