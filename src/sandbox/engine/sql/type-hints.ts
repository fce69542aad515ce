import type { SnowflakeType } from '../types.js';
import { type AstNode, fieldsOf, kindOf } from './ast.js';

const OBJECT_FUNCTIONS = new Set(['object_construct', 'object_construct_keep_null', 'to_object']);
const ARRAY_FUNCTIONS = new Set(['array_construct', 'array_construct_compact', 'to_array']);
const TZ_FUNCTIONS = new Set(['to_timestamp_tz', 'try_to_timestamp_tz']);

/**
 * The Snowflake type of a SELECT item when its DuckDB storage cannot tell: OBJECT, ARRAY and
 * VARIANT are all JSON in DuckDB, TIMESTAMP_TZ and TIMESTAMP_LTZ both TIMESTAMPTZ. Read from
 * the item's outermost function or cast; undefined when nothing says.
 */
export function typeHintOf(item: unknown): SnowflakeType | undefined {
  const kind = kindOf(item);
  if (kind === 'alias') return typeHintOf(fieldsOf(item, 'alias')?.this);
  if (kind === 'cast' || kind === 'try_cast') return castHint(fieldsOf(item, kind)?.to);
  if (kind === 'array_agg') return 'array';

  const call = fieldsOf(item, 'function');
  const name = String(call?.name ?? '').toLowerCase();
  if (OBJECT_FUNCTIONS.has(name)) return 'object';
  if (ARRAY_FUNCTIONS.has(name)) return 'array';
  return TZ_FUNCTIONS.has(name) ? 'timestamp_tz' : undefined;
}

function castHint(to: unknown): SnowflakeType | undefined {
  const type = to as AstNode | undefined;
  if (type?.data_type === 'timestamp' && type.timezone === true) return 'timestamp_tz';
  if (type?.data_type !== 'custom') return undefined;

  const name = String(type.name).toUpperCase();
  if (name === 'OBJECT') return 'object';
  if (name === 'ARRAY') return 'array';
  return name === 'VARIANT' ? 'variant' : undefined;
}
