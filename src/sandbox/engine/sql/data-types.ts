import { unsupported } from '../errors.js';
import type { AstNode } from './ast.js';

/**
 * How each Snowflake type is stored in DuckDB, applied to data-type nodes of the Snowflake tree
 * before it is transpiled. The replacements are `custom` types, which polyglot-sql writes out
 * verbatim, or types it maps one to one.
 *
 * - Integers are NUMBER(38,0) in Snowflake, so every integer type becomes DECIMAL(38,0), and
 *   NUMBER without precision is (38,0), not DuckDB's default (18,3).
 * - TIMESTAMP_NTZ (and TIMESTAMP, DATETIME) keep nanoseconds: TIMESTAMP_NS.
 * - TIMESTAMP_LTZ and TIMESTAMP_TZ are instants: TIMESTAMPTZ, to the microsecond.
 * - VARIANT, OBJECT and ARRAY hold JSON text: DuckDB's JSON type.
 * - Every floating-point type is a double, as in Snowflake.
 */
export function duckDbTypeFor(dataType: AstNode): AstNode | undefined {
  switch (dataType.data_type) {
    case 'custom':
      return customType(String(dataType.name ?? ''));
    case 'decimal':
      return decimal(numberOrNull(dataType.precision) ?? 38, numberOrNull(dataType.scale) ?? 0);
    case 'int':
    case 'big_int':
    case 'small_int':
    case 'tiny_int':
      return decimal(38, 0);
    case 'float':
    case 'double':
      return named('DOUBLE');
    case 'var_char':
    case 'char':
    case 'string':
    case 'text':
      return named('VARCHAR');
    case 'binary':
    case 'var_binary':
      return named('BLOB');
    case 'timestamp':
      return named(dataType.timezone === true ? 'TIMESTAMPTZ' : 'TIMESTAMP_NS');
    case 'time':
      return named('TIME');
    case 'geography':
    case 'geometry':
      throw unsupported(`data type ${String(dataType.data_type).toUpperCase()}`);
    default:
      return undefined;
  }
}

/** True for a data-type node (`{ data_type: 'decimal', precision, scale }` and the like). */
export function isDataType(node: AstNode): boolean {
  return typeof node.data_type === 'string';
}

function customType(name: string): AstNode | undefined {
  const match = /^(\w+)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?$/.exec(name.trim());
  const base = match?.[1]?.toUpperCase() ?? name.toUpperCase();
  switch (base) {
    case 'NUMBER':
      return decimal(Number(match?.[2] ?? 38), Number(match?.[3] ?? 0));
    case 'BYTEINT':
      return decimal(38, 0);
    case 'FLOAT4':
    case 'FLOAT8':
      return named('DOUBLE');
    case 'TIMESTAMPNTZ':
    case 'TIMESTAMP_NTZ':
    case 'DATETIME':
      return named('TIMESTAMP_NS');
    case 'TIMESTAMPLTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMPTZ':
    case 'TIMESTAMP_TZ':
      return named('TIMESTAMPTZ');
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return named('JSON');
    default:
      return undefined;
  }
}

function decimal(precision: number, scale: number): AstNode {
  return { data_type: 'custom', name: `DECIMAL(${precision}, ${scale})` };
}

function named(name: string): AstNode {
  return { data_type: 'custom', name };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
