import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
} from 'apache-arrow';
import type { JsonRow, ResultColumn, SnowflakeType } from './types.js';

/**
 * Arrow results as Snowflake serves them in `rowsetBase64`: an IPC stream whose fields carry
 * Snowflake's metadata (`logicalType`, `precision`, `scale`, `charLength`, `byteLength`,
 * `physicalType`) and Snowflake's physical layouts, which the Go, Python and JDBC drivers decode:
 *
 * - FIXED: scaled 64-bit integers, or 128-bit decimals past 18 digits of precision;
 * - REAL: float64; BOOLEAN: bool; DATE: date32 (days); BINARY: binary;
 * - TEXT, VARIANT, OBJECT, ARRAY: utf8 (VARIANT and friends as JSON text);
 * - TIME: 64-bit integer scaled by the column's scale (nanoseconds at scale 9);
 * - TIMESTAMP_NTZ/LTZ: struct {epoch: int64 seconds, fraction: int32 nanoseconds};
 * - TIMESTAMP_TZ: struct {epoch, fraction, timezone: int32 offset minutes + 1440}.
 *
 * Values come in as JSON rowset text, so both formats are built from one encoding.
 */
export function toArrowIpc(columns: ResultColumn[], rows: JsonRow[]): Uint8Array {
  const layouts = columns.map((column, i) => layoutOf(column, rows, i));
  const fields = columns.map((column, i) => fieldOf(column, layouts[i] as Layout));
  const children = columns.map((column, i) => columnData(column, layouts[i] as Layout, rows, i));
  const schema = new Schema(fields);
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children }),
  );
  return tableToIPC(new Table(schema, [batch]), 'stream');
}

/** {@link toArrowIpc}, base64-encoded as `rowsetBase64` and chunk bodies carry it. */
export function toArrowIpcBase64(columns: ResultColumn[], rows: JsonRow[]): string {
  return Buffer.from(toArrowIpc(columns, rows)).toString('base64');
}

/**
 * How a column is laid out. FIXED columns use 64-bit integers when every value of the batch fits,
 * else 128-bit decimals, as Snowflake picks the narrowest physical type per batch.
 */
interface Layout {
  wide: boolean;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function layoutOf(column: ResultColumn, rows: JsonRow[], index: number): Layout {
  if (column.type !== 'fixed') return { wide: false };
  const scale = column.scale ?? 0;
  const wide = rows.some((row) => {
    const value = row[index];
    if (value === null || value === undefined) return false;
    const scaled = scaledBigInt(value, scale);
    return scaled < INT64_MIN || scaled > INT64_MAX;
  });
  return { wide };
}

function fieldOf(column: ResultColumn, layout: Layout): Field {
  const metadata = new Map<string, string>([
    ['logicalType', logicalType(column.type)],
    ['precision', String(column.precision ?? 0)],
    ['scale', String(column.scale ?? 0)],
    ['charLength', String(column.length ?? 0)],
    ['byteLength', String(column.byteLength ?? 0)],
    ['physicalType', physicalType(column, layout)],
  ]);
  return new Field(column.name, arrowType(column, layout), true, metadata);
}

function logicalType(type: SnowflakeType): string {
  return type.toUpperCase();
}

function physicalType(column: ResultColumn, layout: Layout): string {
  switch (column.type) {
    case 'fixed':
      return layout.wide ? 'SB16' : 'SB8';
    case 'real':
      return 'DOUBLE';
    case 'boolean':
      return 'SB1';
    case 'date':
      return 'SB4';
    case 'time':
      return 'SB8';
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return 'SB16';
    case 'binary':
      return 'BINARY';
    default:
      return 'LOB';
  }
}

const EPOCH_FIELDS = [
  new Field('epoch', new Int64(), true),
  new Field('fraction', new Int32(), true),
];
const TZ_FIELDS = [...EPOCH_FIELDS, new Field('timezone', new Int32(), true)];

function arrowType(column: ResultColumn, layout: Layout): DataType {
  switch (column.type) {
    case 'fixed':
      return layout.wide
        ? new Decimal(column.scale ?? 0, column.precision ?? 38, 128)
        : new Int64();
    case 'real':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'time':
      return new Int64();
    case 'timestamp_ntz':
    case 'timestamp_ltz':
      return new Struct(EPOCH_FIELDS);
    case 'timestamp_tz':
      return new Struct(TZ_FIELDS);
    case 'binary':
      return new Binary();
    default:
      return new Utf8();
  }
}

/** Validity bits (LSB first, as Arrow lays them out) and the null count of one column. */
interface Validity {
  bitmap: Uint8Array;
  nullCount: number;
}

function validityOf(rows: JsonRow[], index: number): Validity {
  const bitmap = new Uint8Array(Math.ceil(rows.length / 8));
  let nullCount = 0;
  rows.forEach((row, r) => {
    if (row[index] === null || row[index] === undefined) nullCount++;
    else bitmap[r >>> 3]! |= 1 << (r & 7);
  });
  return { bitmap, nullCount };
}

function columnData(column: ResultColumn, layout: Layout, rows: JsonRow[], index: number): Data {
  const validity = validityOf(rows, index);
  const type = arrowType(column, layout);
  const values = rows.map((row) => row[index] ?? null);
  const base = { length: rows.length, nullCount: validity.nullCount, nullBitmap: validity.bitmap };

  switch (column.type) {
    case 'fixed':
      return layout.wide
        ? makeData({
            ...base,
            type: type as Decimal,
            data: decimal128Words(values, column.scale ?? 0),
          })
        : makeData({ ...base, type: type as Int64, data: scaledInt64s(values, column.scale ?? 0) });
    case 'real':
      return makeData({
        ...base,
        type: type as Float64,
        data: Float64Array.from(values, (v) => (v === null ? 0 : Number(v))),
      });
    case 'boolean':
      return makeData({ ...base, type: type as Bool, data: booleanBits(values) });
    case 'date':
      return makeData({
        ...base,
        type: type as DateDay,
        data: Int32Array.from(values, (v) => (v === null ? 0 : Number(v))),
      });
    case 'time':
      return makeData({
        ...base,
        type: type as Int64,
        data: scaledInt64s(values, column.scale ?? 9),
      });
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return timestampData(column.type, type as Struct, values, base);
    case 'binary':
      return binaryData(type as Binary, values, base);
    default:
      return utf8Data(type as Utf8, values, base);
  }
}

/** Decimal text with up to `scale` fraction digits as the integer scaled by 10^scale. */
export function scaledBigInt(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const unsigned = negative || text.startsWith('+') ? text.slice(1) : text;
  const [whole = '0', fraction = ''] = unsigned.split('.');
  const digits = `${whole}${fraction.padEnd(scale, '0').slice(0, scale)}`;
  const magnitude = BigInt(digits === '' ? '0' : digits);
  return negative ? -magnitude : magnitude;
}

function scaledInt64s(values: (string | null)[], scale: number): BigInt64Array {
  return BigInt64Array.from(values, (v) => (v === null ? 0n : scaledBigInt(v, scale)));
}

/** 128-bit two's complement little-endian words, four 32-bit words per value. */
function decimal128Words(values: (string | null)[], scale: number): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    if (value === null) return;
    let bits = BigInt.asUintN(128, scaledBigInt(value, scale));
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(bits & 0xffffffffn);
      bits >>= 32n;
    }
  });
  return words;
}

function booleanBits(values: (string | null)[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, i) => {
    if (value === '1' || value === 'true') bits[i >>> 3]! |= 1 << (i & 7);
  });
  return bits;
}

interface BaseProps {
  length: number;
  nullCount: number;
  nullBitmap: Uint8Array;
}

/** Splits "seconds.fraction[ offset]" into epoch seconds, nanoseconds (>= 0) and offset. */
function timestampData(
  type: SnowflakeType,
  struct: Struct,
  values: (string | null)[],
  base: BaseProps,
): Data {
  const epochs = new BigInt64Array(values.length);
  const fractions = new Int32Array(values.length);
  const zones = new Int32Array(values.length);
  values.forEach((value, i) => {
    if (value === null) return;
    const [instant = '0', zone = '1440'] = value.split(' ');
    const nanos = scaledBigInt(instant, 9);
    const seconds =
      nanos >= 0n ? nanos / 1_000_000_000n : -((-nanos + 999_999_999n) / 1_000_000_000n);
    epochs[i] = seconds;
    fractions[i] = Number(nanos - seconds * 1_000_000_000n);
    zones[i] = Number(zone);
  });

  const child = { length: values.length, nullCount: base.nullCount, nullBitmap: base.nullBitmap };
  const children: Data[] = [
    makeData({ ...child, type: new Int64(), data: epochs }),
    makeData({ ...child, type: new Int32(), data: fractions }),
  ];
  if (type === 'timestamp_tz')
    children.push(makeData({ ...child, type: new Int32(), data: zones }));
  return makeData({ ...base, type: struct, children });
}

const encoder = new TextEncoder();

function utf8Data(type: Utf8, values: (string | null)[], base: BaseProps): Data {
  const { offsets, bytes } = packed(
    values.map((v) => (v === null ? new Uint8Array(0) : encoder.encode(v))),
  );
  return makeData({ ...base, type, valueOffsets: offsets, data: bytes });
}

function binaryData(type: Binary, values: (string | null)[], base: BaseProps): Data {
  const { offsets, bytes } = packed(
    values.map((v) => (v === null ? new Uint8Array(0) : Buffer.from(v, 'hex'))),
  );
  return makeData({ ...base, type, valueOffsets: offsets, data: bytes });
}

/** Variable-length values laid end to end, with Arrow's n + 1 offsets. */
function packed(parts: Uint8Array[]): { offsets: Int32Array; bytes: Uint8Array } {
  const offsets = new Int32Array(parts.length + 1);
  parts.forEach((part, i) => {
    offsets[i + 1] = (offsets[i] as number) + part.length;
  });
  const bytes = new Uint8Array(offsets[parts.length] as number);
  parts.forEach((part, i) => {
    bytes.set(part, offsets[i]);
  });
  return { offsets, bytes };
}
