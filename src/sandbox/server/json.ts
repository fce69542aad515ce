import { randomBytes } from 'node:crypto';

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

/**
 * Placeholders stand in for raw fragments while JSON.stringify does the rest. The random part
 * keeps a client's own string from ever looking like one; NUL comes out escaped as \u0000.
 */
const PLACEHOLDER_TAG = `\u0000${randomBytes(12).toString('hex')}:`;
const PLACEHOLDER = new RegExp(`"\\\\u0000${PLACEHOLDER_TAG.slice(1)}(\\d+)"`, 'g');

/** Serializes `value`; object keys whose value is `undefined` are left out, as JSON.stringify does. */
export function toJson(value: JsonValue): string {
  const fragments: string[] = [];
  const text = JSON.stringify(value, (_key, member: unknown) => {
    if (typeof member === 'bigint') return placeholder(fragments, member.toString());
    if (member instanceof RawJson) return placeholder(fragments, member.text);
    return member;
  });
  if (fragments.length === 0) return text;
  return text.replace(PLACEHOLDER, (_match, index: string) => fragments[Number(index)] ?? 'null');
}

function placeholder(fragments: string[], text: string): string {
  fragments.push(text);
  return `${PLACEHOLDER_TAG}${fragments.length - 1}`;
}
