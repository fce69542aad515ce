import {
  type DuckDBBlobValue,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  DuckDBTimeNSValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import { jsonText } from './json-text.js';
import type { SnowflakeType } from './types.js';

/**
 * Turns one non-null DuckDB value into the string Snowflake's JSON rowset carries for it.
 * See https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses for the rules.
 */
export type ValueEncoder = (value: DuckDBValue) => string;

/** Context an encoder may need: the offset TIMESTAMP_TZ values are shown in. */
export interface EncodeContext {
  /** Offset in minutes east of UTC for an instant given in epoch milliseconds. */
  offsetMinutesAt(epochMillis: number): number;
}

const NANOS_PER_SECOND = 1_000_000_000n;

/** Picks the encoder for a result column once, so the per-value path has no type dispatch. */
export function encoderFor(
  type: DuckDBType,
  snowflakeType: SnowflakeType,
  context: EncodeContext,
): ValueEncoder {
  switch (snowflakeType) {
    case 'fixed':
      return type.typeId === DuckDBTypeId.DECIMAL ? encodeDecimal : encodeInteger;
    case 'real':
      return encodeReal;
    case 'boolean':
      return encodeBoolean;
    case 'date':
      return (value) => String((value as DuckDBDateValue).days);
    case 'time':
      return (value) => fractionalSeconds(timeNanos(value));
    case 'timestamp_ntz':
    case 'timestamp_ltz':
      return (value) => fractionalSeconds(timestampNanos(value));
    case 'timestamp_tz':
      return (value) => encodeTimestampTz(timestampNanos(value), context);
    case 'binary':
      return (value) =>
        Buffer.from((value as DuckDBBlobValue).bytes)
          .toString('hex')
          .toUpperCase();
    case 'variant':
    case 'object':
    case 'array':
      return jsonEncoder(type);
    default:
      return encodeText;
  }
}

function encodeInteger(value: DuckDBValue): string {
  return String(value);
}

function encodeDecimal(value: DuckDBValue): string {
  const decimal = value as DuckDBDecimalValue;
  return scaledToString(decimal.value, decimal.scale);
}

/** JavaScript's spelling of the non-finite doubles is one every driver's parser accepts. */
function encodeReal(value: DuckDBValue): string {
  return String(value);
}

function encodeBoolean(value: DuckDBValue): string {
  return value ? '1' : '0';
}

function encodeText(value: DuckDBValue): string {
  return typeof value === 'string' ? value : String(value);
}

function jsonEncoder(type: DuckDBType): ValueEncoder {
  if (type.typeId === DuckDBTypeId.VARCHAR) return encodeText;
  return (value) => jsonText(value, type);
}

/** `"<epoch seconds with fraction> <offset minutes + 1440>"`, as Snowflake's result version 1. */
function encodeTimestampTz(nanos: bigint, context: EncodeContext): string {
  const offset = context.offsetMinutesAt(Number(nanos / 1_000_000n));
  return `${fractionalSeconds(nanos)} ${offset + 1440}`;
}

function timeNanos(value: DuckDBValue): bigint {
  if (value instanceof DuckDBTimeValue) return value.micros * 1000n;
  if (value instanceof DuckDBTimeNSValue) return value.nanos;
  if (value instanceof DuckDBTimeTZValue) return value.micros * 1000n;
  throw new TypeError('not a time value');
}

function timestampNanos(value: DuckDBValue): bigint {
  if (value instanceof DuckDBTimestampValue) return value.micros * 1000n;
  if (value instanceof DuckDBTimestampTZValue) return value.micros * 1000n;
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis * 1_000_000n;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * NANOS_PER_SECOND;
  throw new TypeError('not a timestamp value');
}

/** Nanoseconds as seconds with a nine-digit fraction: -1500000000n gives "-1.500000000". */
export function fractionalSeconds(nanos: bigint): string {
  return scaledToString(nanos, 9);
}

/** A scaled integer as decimal text with exactly `scale` fraction digits, no float on the way. */
export function scaledToString(scaled: bigint, scale: number): string {
  if (scale === 0) return scaled.toString();

  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}
