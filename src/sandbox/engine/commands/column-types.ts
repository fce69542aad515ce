import { MAX_BINARY_LENGTH, MAX_TEXT_LENGTH, TIME_SCALE } from '../rowtype.js';
import type { SnowflakeType } from '../types.js';

/** A table column's Snowflake type, derived from its DuckDB storage type. */
export interface ColumnType {
  type: SnowflakeType;
  precision: number | null;
  scale: number | null;
  length: number | null;
}

const INTEGER_NAMES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
]);

/** Reads a DuckDB type name as `duckdb_columns()` spells it (`DECIMAL(10,2)`, `INTEGER[]`). */
export function columnTypeOf(duckDbName: string): ColumnType {
  const name = duckDbName.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(name);
  if (decimal !== null) return fixed(Number(decimal[1]), Number(decimal[2]));
  if (INTEGER_NAMES.has(name)) return fixed(38, 0);
  if (name.endsWith(']')) return plain('array');
  if (name.startsWith('STRUCT') || name.startsWith('MAP')) return plain('object');
  return byName(name);
}

function byName(name: string): ColumnType {
  switch (name) {
    case 'FLOAT':
    case 'DOUBLE':
      return plain('real');
    case 'BOOLEAN':
      return plain('boolean');
    case 'DATE':
      return plain('date');
    case 'TIME':
    case 'TIME_NS':
      return { type: 'time', precision: 0, scale: TIME_SCALE, length: null };
    case 'TIMESTAMP WITH TIME ZONE':
      return { type: 'timestamp_ltz', precision: 0, scale: TIME_SCALE, length: null };
    case 'BLOB':
      return { type: 'binary', precision: null, scale: null, length: MAX_BINARY_LENGTH };
    case 'JSON':
      return plain('variant');
    default:
      if (name.startsWith('TIMESTAMP')) {
        return { type: 'timestamp_ntz', precision: 0, scale: TIME_SCALE, length: null };
      }
      return { type: 'text', precision: null, scale: null, length: MAX_TEXT_LENGTH };
  }
}

function fixed(precision: number, scale: number): ColumnType {
  return { type: 'fixed', precision, scale, length: null };
}

function plain(type: SnowflakeType): ColumnType {
  return { type, precision: null, scale: null, length: null };
}

/** The type as DESCRIBE TABLE shows it: `NUMBER(38,0)`, `VARCHAR(16777216)`, `TIMESTAMP_NTZ(9)`. */
export function typeText(column: ColumnType): string {
  switch (column.type) {
    case 'fixed':
      return `NUMBER(${column.precision},${column.scale})`;
    case 'real':
      return 'FLOAT';
    case 'text':
      return `VARCHAR(${column.length})`;
    case 'binary':
      return `BINARY(${column.length})`;
    case 'time':
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return `${column.type.toUpperCase()}(${column.scale})`;
    default:
      return column.type.toUpperCase();
  }
}

/** The type as SHOW COLUMNS shows it in `data_type`: a JSON object. */
export function typeJson(column: ColumnType, nullable: boolean): string {
  const type = column.type === 'fixed' ? 'FIXED' : column.type.toUpperCase();
  switch (column.type) {
    case 'fixed':
      return JSON.stringify({ type, precision: column.precision, scale: column.scale, nullable });
    case 'text':
    case 'binary':
      return JSON.stringify({
        type,
        length: column.length,
        byteLength: column.length,
        nullable,
        fixed: false,
      });
    case 'time':
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return JSON.stringify({ type, precision: 0, scale: column.scale, nullable });
    default:
      return JSON.stringify({ type, nullable });
  }
}
