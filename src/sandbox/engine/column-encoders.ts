import { type DuckDBType, DuckDBTypeId, type DuckDBVector } from '@duckdb/node-api';
import {
  type EncodeContext,
  encoderFor,
  fractionalSeconds,
  scaledToString,
  type ValueEncoder,
} from './encode.js';
import type { JsonRow, SnowflakeType } from './types.js';

/**
 * Writes one column of a DuckDB chunk into the rows of a JSON rowset batch.
 *
 * The generic path (`getItem` per value) builds a DuckDB value object and tests validity with
 * BigInt arithmetic for every value. For the fixed-width types that make up most results this
 * module reads the vector's typed array and validity mask directly, which is several times
 * faster; a benchmark reads a million rows through the driver. The fields read
 * (`items`, `dataView`, `validity.data`) belong to @duckdb/node-api's vector classes; when a
 * vector lacks them the generic path is used, so a change there costs speed, not correctness.
 */
export type ColumnWriter = (
  vector: DuckDBVector,
  rowCount: number,
  rows: JsonRow[],
  column: number,
) => void;

/** Reads the value at `index` of one vector, known to be non-null, as rowset text. */
type ValueReader = (index: number) => string;

/** Makes the reader for one vector: views over its memory are built once per chunk. */
type RawReader = (raw: RawVector) => ValueReader;

interface RawVector {
  items?: ArrayLike<number | bigint>;
  dataView?: DataView;
  validity?: { data: BigUint64Array | null; offset: number };
}

const TWO_32 = 4_294_967_296;
const SAFE_HIGH = 0x100000;

/** Picks the writer for a result column once per statement. */
export function columnWriterFor(
  type: DuckDBType,
  snowflakeType: SnowflakeType,
  context: EncodeContext,
): ColumnWriter {
  const generic = genericWriter(encoderFor(type, snowflakeType, context));
  const reader = rawReaderFor(type, snowflakeType, context);
  if (reader === null) return generic;
  return (vector, rowCount, rows, column) => {
    const raw = vector as unknown as RawVector;
    const mask = validityMask(raw);
    if (mask === undefined || !hasStorage(raw)) {
      generic(vector, rowCount, rows, column);
      return;
    }
    const read = reader(raw);
    for (let r = 0; r < rowCount; r++) {
      const valid = mask === null || (mask[r >>> 5]! & (1 << (r & 31))) !== 0;
      (rows[r] as JsonRow)[column] = valid ? read(r) : null;
    }
  };
}

function genericWriter(encode: ValueEncoder): ColumnWriter {
  return (vector, rowCount, rows, column) => {
    for (let r = 0; r < rowCount; r++) {
      const value = vector.getItem(r);
      (rows[r] as JsonRow)[column] = value === null ? null : encode(value);
    }
  };
}

function hasStorage(raw: RawVector): boolean {
  return raw.items !== undefined || raw.dataView !== undefined;
}

/** The validity bits as 32-bit words; null when every value is valid; undefined if unknown. */
function validityMask(raw: RawVector): Uint32Array | null | undefined {
  const validity = raw.validity;
  if (validity === undefined || validity.offset !== 0) return undefined;
  if (validity.data === null) return null;
  const data = validity.data;
  return new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
}

function rawReaderFor(
  type: DuckDBType,
  snowflakeType: SnowflakeType,
  context: EncodeContext,
): RawReader | null {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
      return (raw) => {
        const items = raw.items!;
        return (i) => String(items[i]);
      };
    case DuckDBTypeId.BOOLEAN:
      return (raw) => {
        const view = raw.dataView!;
        return (i) => (view.getUint8(i) === 0 ? '0' : '1');
      };
    case DuckDBTypeId.DECIMAL:
      return decimalReader(type as unknown as { width: number; scale: number });
    case DuckDBTypeId.TIME:
      return (raw) => {
        const int64 = int64Reader(raw);
        return (i) => microsToSeconds(int64(i));
      };
    case DuckDBTypeId.TIMESTAMP:
      return (raw) => {
        const int64 = int64Reader(raw);
        return (i) => microsToSeconds(int64(i));
      };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return snowflakeType === 'timestamp_tz' ? timestampTzReader(context) : timestampLtzReader;
    case DuckDBTypeId.TIMESTAMP_NS:
      return (raw) => {
        const items = raw.items as BigInt64Array;
        return (i) => fractionalSeconds(items[i]!);
      };
    default:
      return null;
  }
}

/**
 * Reads 64-bit integers of a BigInt64Array as numbers through two 32-bit halves, so no BigInt
 * is made; values beyond 2^52 in magnitude go through BigInt and lose nothing.
 */
function int64Reader(raw: RawVector): (index: number) => number {
  const items = raw.items as BigInt64Array;
  const words = new Int32Array(items.buffer, items.byteOffset, items.length * 2);
  return (index) => {
    const high = words[index * 2 + 1]!;
    if (high >= -SAFE_HIGH && high < SAFE_HIGH) return high * TWO_32 + (words[index * 2]! >>> 0);
    return Number(items[index]!);
  };
}

/** Microseconds as Snowflake's seconds with nine fraction digits. */
function microsToSeconds(micros: number): string {
  if (!Number.isSafeInteger(micros)) return fractionalSeconds(BigInt(micros) * 1000n);
  const negative = micros < 0;
  const magnitude = negative ? -micros : micros;
  const seconds = Math.floor(magnitude / 1_000_000);
  const fraction = magnitude - seconds * 1_000_000;
  return `${negative ? '-' : ''}${seconds}.${String(fraction).padStart(6, '0')}000`;
}

function timestampLtzReader(raw: RawVector): ValueReader {
  const int64 = int64Reader(raw);
  return (i) => microsToSeconds(int64(i));
}

function timestampTzReader(context: EncodeContext): RawReader {
  return (raw) => {
    const int64 = int64Reader(raw);
    return (i) => {
      const micros = int64(i);
      const offset = context.offsetMinutesAt(Math.floor(micros / 1000));
      return `${microsToSeconds(micros)} ${offset + 1440}`;
    };
  };
}

/** DECIMAL values by their storage width: int16, int32, int64 or int128 scaled integers. */
function decimalReader({ width, scale }: { width: number; scale: number }): RawReader {
  return (raw) => {
    const view = raw.dataView!;
    if (width <= 4) return (i) => scaledNumber(view.getInt16(i * 2, true), scale);
    if (width <= 9) return (i) => scaledNumber(view.getInt32(i * 4, true), scale);
    if (width <= 18) return (i) => decimal64(view, i * 8, scale);
    return (i) => decimal128(view, i * 16, scale);
  };
}

function decimal64(view: DataView, offset: number, scale: number): string {
  const high = view.getInt32(offset + 4, true);
  if (high >= -SAFE_HIGH && high < SAFE_HIGH) {
    return scaledNumber(high * TWO_32 + view.getUint32(offset, true), scale);
  }
  return scaledToString(view.getBigInt64(offset, true), scale);
}

function decimal128(view: DataView, offset: number, scale: number): string {
  const low = view.getUint32(offset, true);
  const middle = view.getInt32(offset + 4, true);
  const upper = view.getInt32(offset + 8, true);
  const top = view.getInt32(offset + 12, true);
  const extension = middle < 0 ? -1 : 0;
  if (upper === extension && top === extension && middle >= -SAFE_HIGH && middle < SAFE_HIGH) {
    return scaledNumber(middle * TWO_32 + low, scale);
  }
  const high = view.getBigInt64(offset + 8, true);
  const lowBits = view.getBigUint64(offset, true);
  return scaledToString((high << 64n) + lowBits, scale);
}

/** A scaled integer below 2^52 as decimal text with `scale` fraction digits, without BigInt. */
function scaledNumber(scaled: number, scale: number): string {
  if (scale === 0) return String(scaled);
  if (scale > 15) return scaledToString(BigInt(scaled), scale);

  const negative = scaled < 0;
  const magnitude = negative ? -scaled : scaled;
  const unit = 10 ** scale;
  let whole = Math.floor(magnitude / unit);
  let fraction = magnitude - whole * unit;
  // The division may round up across an integer; the products involved are exact.
  if (fraction < 0) {
    whole -= 1;
    fraction += unit;
  }
  return `${negative ? '-' : ''}${whole}.${String(fraction).padStart(scale, '0')}`;
}
