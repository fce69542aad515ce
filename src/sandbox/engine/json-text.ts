import {
  DuckDBArrayType,
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBListType,
  DuckDBMapType,
  DuckDBMapValue,
  DuckDBStructType,
  DuckDBStructValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import { scaledToString } from './encode.js';

/**
 * A DuckDB list, struct or map as the JSON text Snowflake gives an ARRAY or OBJECT. Numbers stay
 * JSON numbers written from their exact decimal text (DuckDB's own JSON converter turns decimals
 * and 64-bit integers into strings), JSON-typed members are embedded as they are, and other
 * scalars (dates, timestamps) become strings, as Snowflake writes them inside semi-structured
 * values. Binary becomes upper-case hex text.
 */
export function jsonText(value: DuckDBValue, type: DuckDBType): string {
  if (value === null) return 'null';
  if (type instanceof DuckDBListType || type instanceof DuckDBArrayType) {
    const items = (value as { items: readonly DuckDBValue[] }).items;
    return `[${items.map((item) => jsonText(item, type.valueType)).join(',')}]`;
  }
  if (type instanceof DuckDBStructType && value instanceof DuckDBStructValue) {
    const members = type.entryNames.map(
      (name, i) =>
        `${JSON.stringify(name)}:${jsonText(value.entries[name] ?? null, type.entryTypes[i] as DuckDBType)}`,
    );
    return `{${members.join(',')}}`;
  }
  if (type instanceof DuckDBMapType && value instanceof DuckDBMapValue) {
    const members = value.entries.map(
      ({ key, value: member }) =>
        `${JSON.stringify(String(key))}:${jsonText(member, type.valueType)}`,
    );
    return `{${members.join(',')}}`;
  }
  return scalarJson(value, type);
}

function scalarJson(value: DuckDBValue, type: DuckDBType): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (value instanceof DuckDBDecimalValue) return scaledToString(value.value, value.scale);
  if (value instanceof DuckDBBlobValue)
    return JSON.stringify(Buffer.from(value.bytes).toString('hex').toUpperCase());
  if (typeof value === 'string') {
    return type.typeId === DuckDBTypeId.VARCHAR && type.alias === 'JSON'
      ? value
      : JSON.stringify(value);
  }
  return JSON.stringify(String(value));
}
