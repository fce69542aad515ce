import { DuckDBDecimalType, type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import type { ResultColumn, SnowflakeType } from './types.js';

/** Snowflake's default and maximum VARCHAR length, in characters (16 MB). */
export const MAX_TEXT_LENGTH = 16_777_216;

/** Snowflake's default and maximum BINARY length, in bytes (8 MB). */
export const MAX_BINARY_LENGTH = 8_388_608;

/** Scale Snowflake reports for TIME and TIMESTAMP_* columns: nanoseconds. */
export const TIME_SCALE = 9;

/** Where a result column came from, for the rowtype's `database`/`schema`/`table` fields. */
export interface ColumnOrigin {
  database: string;
  schema: string;
  table: string;
}

const NO_ORIGIN: ColumnOrigin = { database: '', schema: '', table: '' };

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.INTEGER_LITERAL,
  DuckDBTypeId.BIGNUM,
]);

/**
 * The Snowflake type a DuckDB result type is reported as.
 *
 * DuckDB's JSON type (VARCHAR with the alias `JSON`) stands for Snowflake's VARIANT; DuckDB
 * structs and maps are OBJECTs and lists are ARRAYs, sent as JSON text.
 */
export function snowflakeTypeOf(type: DuckDBType): SnowflakeType {
  const id = type.typeId;
  if (INTEGER_TYPES.has(id) || id === DuckDBTypeId.DECIMAL) return 'fixed';

  switch (id) {
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'real';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.TIME_TZ:
      return 'time';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp_ntz';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp_ltz';
    case DuckDBTypeId.BLOB:
      return 'binary';
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return 'object';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return 'array';
    case DuckDBTypeId.VARIANT:
      return 'variant';
    case DuckDBTypeId.VARCHAR:
      return type.alias === 'JSON' ? 'variant' : 'text';
    default:
      return 'text';
  }
}

const JSON_KINDS = new Set<SnowflakeType>(['variant', 'object', 'array']);

/**
 * The type to report for a result column: DuckDB's, refined by what the statement says
 * (`::OBJECT`, `TO_TIMESTAMP_TZ(...)`) when DuckDB's storage cannot tell the two apart.
 */
export function refinedType(type: DuckDBType, hint: SnowflakeType | undefined): SnowflakeType {
  const stored = snowflakeTypeOf(type);
  if (hint === undefined) return stored;
  if (JSON_KINDS.has(stored) && JSON_KINDS.has(hint)) return hint;
  return stored === 'timestamp_ltz' && hint === 'timestamp_tz' ? hint : stored;
}

/** Builds one `rowtype` entry for a DuckDB result column. */
export function resultColumnOf(
  name: string,
  type: DuckDBType,
  origin: ColumnOrigin = NO_ORIGIN,
  snowflakeType: SnowflakeType = snowflakeTypeOf(type),
): ResultColumn {
  const column: ResultColumn = {
    name,
    database: origin.database,
    schema: origin.schema,
    table: origin.table,
    type: snowflakeType,
    precision: null,
    scale: null,
    length: null,
    byteLength: null,
    nullable: true,
    collation: null,
  };
  return describeSize(column, type);
}

function describeSize(column: ResultColumn, type: DuckDBType): ResultColumn {
  switch (column.type) {
    case 'fixed':
      column.precision = type instanceof DuckDBDecimalType ? type.width : 38;
      column.scale = type instanceof DuckDBDecimalType ? type.scale : 0;
      return column;
    case 'time':
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      column.precision = 0;
      column.scale = TIME_SCALE;
      return column;
    case 'text':
    case 'variant':
    case 'object':
    case 'array':
      column.length = MAX_TEXT_LENGTH;
      column.byteLength = MAX_TEXT_LENGTH;
      return column;
    case 'binary':
      column.length = MAX_BINARY_LENGTH;
      column.byteLength = MAX_BINARY_LENGTH;
      return column;
    default:
      return column;
  }
}
