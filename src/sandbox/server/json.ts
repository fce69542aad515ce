/**
 * JSON writing for replies. Snowflake sends 64-bit integers (session ids) as bare JSON numbers,
 * which a JavaScript number cannot carry past 2^53, and rowsets are produced as text ahead of
 * time. This writer takes `bigint` values and pre-encoded {@link RawJson} fragments as they are.
 */

/** JSON text that is written into a reply verbatim. */
export class RawJson {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}

/** Anything {@link toJson} can write. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | bigint
  | RawJson
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/** Serializes `value`; object keys whose value is `undefined` are left out, as JSON.stringify does. */
export function toJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object') return objectToJson(value);
  return JSON.stringify(value);
}

function objectToJson(value: { [key: string]: JsonValue | undefined }): string {
  const members: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${toJson(member)}`);
  }
  return `{${members.join(',')}}`;
}
