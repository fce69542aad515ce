import {
  BLOB,
  BOOLEAN,
  blobValue,
  DATE,
  DECIMAL,
  DOUBLE,
  type DuckDBType,
  type DuckDBValue,
  dateValue,
  decimalValue,
  TIME,
  TIMESTAMP_NS,
  TIMESTAMPTZ,
  timestampNanosValue,
  timestampTZValue,
  timeValue,
  VARCHAR,
} from '@duckdb/node-api';
import { sqlError } from './errors.js';
import type { Bind } from './types.js';

/** Bind values for one execution of a statement, with their DuckDB types. */
export interface BoundValues {
  values: DuckDBValue[];
  types: DuckDBType[];
}

const MILLIS_PER_DAY = 86_400_000n;

/**
 * Splits a statement's binds into one set per execution. Array binds (every bind's value an
 * array of the same length) give one set per element; scalar binds give one set.
 */
export function executionsOf(binds: Bind[], bindCount: number): BoundValues[] {
  if (binds.length !== bindCount) {
    throw sqlError(
      'bindMismatch',
      `Bind variable count mismatch: the statement takes ${bindCount}, ${binds.length} were given.`,
    );
  }

  const rowCount = arrayBindLength(binds);
  if (rowCount === null)
    return [
      boundValues(
        binds.map((bind) => bind.value as string | null),
        binds,
      ),
    ];

  const executions: BoundValues[] = [];
  for (let row = 0; row < rowCount; row++) {
    executions.push(
      boundValues(
        binds.map((bind) => (bind.value as (string | null)[])[row] ?? null),
        binds,
      ),
    );
  }
  return executions;
}

/** The element count of array binds, null for scalar binds; mixed or ragged binds are refused. */
function arrayBindLength(binds: Bind[]): number | null {
  const arrays = binds.filter((bind) => Array.isArray(bind.value));
  if (arrays.length === 0) return null;

  const length = (arrays[0]!.value as unknown[]).length;
  if (
    arrays.length !== binds.length ||
    arrays.some((bind) => (bind.value as unknown[]).length !== length)
  ) {
    throw sqlError('bindMismatch', 'Array binds must all be arrays of the same length.');
  }
  return length;
}

function boundValues(texts: (string | null)[], binds: Bind[]): BoundValues {
  const values: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  texts.forEach((text, i) => {
    const type = (binds[i]?.type ?? 'TEXT').toUpperCase();
    const converted =
      text === null ? { value: null, type: typeFor(type) } : convert(type, text, i + 1);
    values.push(converted.value);
    types.push(converted.type);
  });
  return { values, types };
}

interface Converted {
  value: DuckDBValue;
  type: DuckDBType;
}

/**
 * One bind as the drivers encode it (snowflake-sdk `buildBindsMap`, the JDBC, Python and Go
 * binders): FIXED and REAL as decimal text, DATE as epoch milliseconds, TIME as nanoseconds since
 * midnight, TIMESTAMP_* as epoch nanoseconds (TIMESTAMP_TZ followed by the offset in minutes
 * plus 1440), BINARY as hex, VARIANT/OBJECT/ARRAY as JSON text.
 */
function convert(type: string, text: string, position: number): Converted {
  try {
    return convertOrThrow(type, text);
  } catch (error) {
    throw sqlError(
      'conversion',
      `Bind variable ${position} of type ${type} has a value that is not recognized.`,
      error,
    );
  }
}

function convertOrThrow(type: string, text: string): Converted {
  switch (type) {
    case 'FIXED':
      return fixedValue(text);
    case 'REAL':
      return { value: Number(text), type: DOUBLE };
    case 'BOOLEAN':
      return { value: booleanValue(text), type: BOOLEAN };
    case 'DATE':
      return { value: dateValue(Number(floorDiv(BigInt(text), MILLIS_PER_DAY))), type: DATE };
    case 'TIME':
      return { value: timeValue(BigInt(text) / 1000n), type: TIME };
    case 'TIMESTAMP_NTZ':
      return { value: timestampNanosValue(BigInt(text)), type: TIMESTAMP_NS };
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return {
        value: timestampTZValue(floorDiv(BigInt(text.split(' ')[0] ?? ''), 1000n)),
        type: TIMESTAMPTZ,
      };
    case 'BINARY':
      return { value: blobValue(hexBytes(text)), type: BLOB };
    default:
      return { value: text, type: VARCHAR };
  }
}

function typeFor(type: string): DuckDBType {
  switch (type) {
    case 'FIXED':
      return DECIMAL(38, 0);
    case 'REAL':
      return DOUBLE;
    case 'BOOLEAN':
      return BOOLEAN;
    case 'DATE':
      return DATE;
    case 'TIME':
      return TIME;
    case 'TIMESTAMP_NTZ':
      return TIMESTAMP_NS;
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return TIMESTAMPTZ;
    case 'BINARY':
      return BLOB;
    default:
      return VARCHAR;
  }
}

/** Decimal text as an exact DECIMAL(38, scale): no float on the way. */
function fixedValue(text: string): Converted {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new TypeError('not a number');
  }
  if (match[4] !== undefined) return { value: Number(text), type: DOUBLE };

  const fraction = match[3] ?? '';
  const digits = `${match[2]}${fraction}`.replace(/^0+(?=\d)/, '');
  if (fraction.length > 37 || digits.length > 38) throw new RangeError('more than 38 digits');

  const scaled = BigInt(`${match[1]}${digits || '0'}`);
  return { value: decimalValue(scaled, 38, fraction.length), type: DECIMAL(38, fraction.length) };
}

function booleanValue(text: string): boolean {
  const normalized = text.trim().toLowerCase();
  if (normalized === 'true' || normalized === '1') return true;
  if (normalized === 'false' || normalized === '0') return false;
  throw new TypeError('not a boolean');
}

function hexBytes(text: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new TypeError('not hex');
  return Buffer.from(text, 'hex');
}

function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? quotient - 1n : quotient;
}
