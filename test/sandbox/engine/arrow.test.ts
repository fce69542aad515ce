import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Table, tableFromIPC } from 'apache-arrow';
import {
  type JsonRow,
  type ResultColumn,
  toArrowIpc,
  toArrowIpcBase64,
} from '../../../src/sandbox/engine/index.js';
import type { EngineFixture } from './helpers.js';
import { openEngine, run } from './helpers.js';

const NANOS = 1_000_000_000n;

describe('Arrow results decode with apache-arrow to the values of the JSON rowset', () => {
  let fixture: EngineFixture;
  let columns: ResultColumn[];
  let rows: JsonRow[];
  let table: Table;

  before(async () => {
    fixture = await openEngine();
    await run(fixture.session, "alter session set timezone = 'Europe/Berlin'");
    ({ columns, rows } = await run(
      fixture.session,
      `select id, n, wide, small, r, b, d, t, ntz, ltz, tz::timestamp_tz tz, bin, v, s from (
         select 1 id, 42::number(38,0) n, 12345678901234567890123456789.123456789::number(38,9) wide,
           -1.25::number(10,2) small, 2.5::float r, true b, '1969-07-20'::date d,
           '01:02:03.456789'::time t, '1960-01-01 00:00:00.123456789'::timestamp_ntz ntz,
           '2024-05-01 10:00:00+00:00'::timestamp_ltz ltz, '2024-05-01 10:00:00+00:00'::timestamp_tz tz,
           to_binary('CAFE') bin, parse_json('{"a":[1,2]}') v, 'ünïcode' s
         union all
         select 2, null, null, null, null, null, null, null, null, null, null, null, null, null)
       order by id`,
    ));
    table = tableFromIPC(toArrowIpc(columns, rows));
  });

  after(() => fixture.close());

  test('fields carry Snowflake metadata', () => {
    const field = (name: string) => table.schema.fields.find((f) => f.name === name);
    assert.equal(field('N')?.metadata.get('logicalType'), 'FIXED');
    assert.equal(field('N')?.metadata.get('physicalType'), 'SB8');
    assert.equal(field('WIDE')?.metadata.get('physicalType'), 'SB16');
    assert.equal(field('WIDE')?.metadata.get('scale'), '9');
    assert.equal(field('S')?.metadata.get('charLength'), '16777216');
    assert.equal(field('TZ')?.metadata.get('logicalType'), 'TIMESTAMP_TZ');
    assert.deepEqual(
      table.schema.fields.map((f) => String(f.type)),
      [
        'Int64',
        'Int64',
        'Decimal[38e+9]',
        'Int64',
        'Float64',
        'Bool',
        'Date32<DAY>',
        'Int64',
        'Struct<{epoch:Int64, fraction:Int32}>',
        'Struct<{epoch:Int64, fraction:Int32}>',
        'Struct<{epoch:Int64, fraction:Int32, timezone:Int32}>',
        'Binary',
        'Utf8',
        'Utf8',
      ],
    );
  });

  test('fixed-point numbers are scaled integers, exact at any precision', () => {
    const row = rows[0] as JsonRow;
    assert.equal(table.getChild('N')?.get(0), 42n);
    assert.equal(table.getChild('SMALL')?.get(0), -125n, 'scale 2');
    const wide = table.getChild('WIDE')?.get(0) as Uint32Array;
    assert.equal(unsigned128(wide), BigInt((row[2] as string).replace('.', '')));
  });

  test('scalars, dates and times', () => {
    assert.equal(table.getChild('R')?.get(0), 2.5);
    assert.equal(table.getChild('B')?.get(0), true);
    assert.equal(table.getChild('D')?.get(0), Date.UTC(1969, 6, 20));
    assert.equal(table.getChild('T')?.get(0), 3723n * NANOS + 456_789_000n);
    assert.deepEqual([...(table.getChild('BIN')!.get(0) as Uint8Array)], [0xca, 0xfe]);
    assert.deepEqual(JSON.parse(table.getChild('V')?.get(0) as string), { a: [1, 2] });
    assert.equal(table.getChild('S')?.get(0), 'ünïcode');
  });

  test('timestamps as epoch seconds, nanoseconds and, for TZ, the offset', () => {
    const ntz = table.getChild('NTZ')?.get(0)?.toJSON() as { epoch: bigint; fraction: number };
    assert.equal(ntz.epoch * NANOS + BigInt(ntz.fraction), -315_619_200n * NANOS + 123_456_789n);
    assert.ok(ntz.fraction >= 0, 'fraction is never negative');

    const ltz = table.getChild('LTZ')?.get(0)?.toJSON() as { epoch: bigint; fraction: number };
    assert.equal(ltz.epoch, BigInt(Date.UTC(2024, 4, 1, 10) / 1000));

    const tz = table.getChild('TZ')?.get(0)?.toJSON() as { epoch: bigint; timezone: number };
    assert.equal(tz.epoch, ltz.epoch);
    assert.equal(tz.timezone, 1440 + 120, 'Berlin summer time');
  });

  test('NULL of every type', () => {
    for (const field of table.schema.fields) {
      if (field.name === 'ID') continue;
      assert.equal(table.getChild(field.name)?.get(1), null, field.name);
    }
  });

  test('base64 for rowsetBase64 decodes to the same stream', () => {
    const decoded = tableFromIPC(Buffer.from(toArrowIpcBase64(columns, rows), 'base64'));
    assert.equal(decoded.numRows, 2);
    assert.equal(decoded.getChild('S')?.get(0), 'ünïcode');
  });

  test('an empty result is a stream with a schema and no rows', () => {
    const empty = tableFromIPC(toArrowIpc(columns, []));
    assert.equal(empty.numRows, 0);
    assert.equal(empty.schema.fields.length, columns.length);
  });
});

function unsigned128(words: Uint32Array): bigint {
  let value = 0n;
  for (let i = 3; i >= 0; i--) value = (value << 32n) | BigInt(words[i] as number);
  return BigInt.asIntN(128, value);
}
