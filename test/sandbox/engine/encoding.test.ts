import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { columnWriterFor } from '../../../src/sandbox/engine/column-encoders.js';
import {
  encoderFor,
  fractionalSeconds,
  scaledToString,
} from '../../../src/sandbox/engine/encode.js';
import { encodeChunk } from '../../../src/sandbox/engine/results.js';
import { snowflakeTypeOf } from '../../../src/sandbox/engine/rowtype.js';
import type { JsonRow } from '../../../src/sandbox/engine/types.js';

const context = { offsetMinutesAt: (millis: number) => (millis < 0 ? -300 : 60) };

/**
 * Expressions over `i` (0..n) that reach every storage width and edge: negative values,
 * NULLs every seventh row, values past 2^53 and 2^63, nanoseconds, dates before 1970.
 */
const EXPRESSIONS: Record<string, string> = {
  tinyint: 'CAST(i % 200 - 100 AS TINYINT)',
  integer: 'CAST(i * 7919 - 5000000 AS INTEGER)',
  bigint: 'CAST(i AS BIGINT) * 9007199254 - 4503599627370496',
  double: 'CASE WHEN i % 11 = 0 THEN NULL ELSE (i - 500) / 7.0 END::DOUBLE',
  decimal4: 'CAST((i % 1999 - 999) / 100 AS DECIMAL(4,2))',
  decimal9: 'CAST(i * 1.234 - 600 AS DECIMAL(9,3))',
  decimal18: 'CAST(i * 12345678901.2345 - 1e12 AS DECIMAL(18,4))',
  decimal18big: 'CAST(i AS DECIMAL(18,0)) * 9876543210123 - 99999999999999999',
  decimal38: 'CAST(i AS DECIMAL(38,0)) * 1234567890123456789012345678 - 5e32::DECIMAL(38,0)',
  decimal38small: 'CAST(i - 500 AS DECIMAL(38,10)) / 3',
  decimal38scale37: 'CAST((i % 10) / 10 AS DECIMAL(38,37))',
  boolean: 'CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END',
  date: "DATE '1969-12-25' + CAST(i AS INTEGER)",
  time: "TIME '00:00:00.000001' + to_microseconds(i * 86399999)",
  timestamp: "TIMESTAMP '1960-01-01 00:00:00.000001' + to_microseconds(i * 123456789011)",
  timestamp_ns: "CAST(TIMESTAMP '1965-06-01' AS TIMESTAMP_NS) + to_microseconds(i * 987654321)",
  timestamptz: "TIMESTAMPTZ '1969-12-31 23:59:59.5+00' + to_microseconds(i * 3333333)",
};

describe('the vector fast path encodes exactly like the per-value path', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  for (const [name, expression] of Object.entries(EXPRESSIONS)) {
    test(name, async () => {
      const sql = `SELECT CASE WHEN i % 7 = 3 THEN NULL ELSE ${expression} END, ${expression}
        FROM range(3000) t(i)`;
      const fast = await encodeAll(sql, (type, sfType) => columnWriterFor(type, sfType, context));
      const slow = await encodeAll(sql, (type, sfType) => {
        const encode = encoderFor(type, sfType, context);
        return (vector, rowCount, rows, column) => {
          for (let r = 0; r < rowCount; r++) {
            const value = vector.getItem(r);
            (rows[r] as JsonRow)[column] = value === null ? null : encode(value);
          }
        };
      });
      assert.equal(fast.length, 3000);
      assert.deepEqual(fast, slow);
      assert.ok(fast.some((row) => row[0] === null) && fast.some((row) => row[0] !== null));
      assert.ok(
        fast.some((row) => row[1] !== null),
        'the column without NULLs has values',
      );
    });
  }

  test('TIMESTAMP_TZ adds the offset of the instant', async () => {
    const sql =
      "SELECT TIMESTAMPTZ '1969-12-31 23:59:59.5+00', TIMESTAMPTZ '2024-01-01 00:00:00+00'";
    const rows = await encodeAll(sql, (type) => columnWriterFor(type, 'timestamp_tz', context));
    assert.deepEqual(rows, [['-0.500000000 1140', '1704067200.000000000 1500']]);
  });

  async function encodeAll(
    sql: string,
    writerFor: (
      type: Parameters<typeof columnWriterFor>[0],
      sfType: ReturnType<typeof snowflakeTypeOf>,
    ) => ReturnType<typeof columnWriterFor>,
  ): Promise<JsonRow[]> {
    const result = await connection.stream(sql);
    const writers = result.columnTypes().map((type) => writerFor(type, snowflakeTypeOf(type)));
    const rows: JsonRow[] = [];
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      rows.push(...encodeChunk(chunk, writers));
    }
    return rows;
  }
});

describe('decimal text', () => {
  test('scaled integers keep every digit and the sign', () => {
    assert.equal(scaledToString(-5n, 3), '-0.005');
    assert.equal(scaledToString(10n ** 37n + 1n, 37), '1.0000000000000000000000000000000000001');
    assert.equal(scaledToString(-(10n ** 38n - 1n), 0), '-99999999999999999999999999999999999999');
    assert.equal(fractionalSeconds(-1_500_000_000n), '-1.500000000');
    assert.equal(fractionalSeconds(0n), '0.000000000');
  });
});
