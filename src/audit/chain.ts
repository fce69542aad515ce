import { createHash } from 'node:crypto';

/** The `prevHash` of the first record: 64 zeros, as SHA-256 hex has 64 characters. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Serialises a JSON value canonically, as RFC 8785 (JSON Canonicalization Scheme) does: object
 * keys sorted by UTF-16 code units, no whitespace, numbers and strings as ECMAScript's
 * `JSON.stringify` writes them. Equal values give equal bytes in any language that follows the
 * RFC, which is what lets an exported log be checked elsewhere.
 * https://www.rfc-editor.org/rfc/rfc8785
 *
 * `undefined` members are left out (as JSON does); non-finite numbers and bigints have no JSON
 * form and raise a `TypeError`.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedForJson(value);
  const text = sorted === NEEDS_ENCODER ? encodeValue(value) : JSON.stringify(sorted);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}

/** Marks a value the native `JSON.stringify` would not write canonically. */
const NEEDS_ENCODER = Symbol('needs the canonical encoder');

/** Keys JavaScript treats as array indexes (or could): always enumerated first, numerically. */
const INDEX_LIKE_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * The fast path: a copy of `value` with every object's keys inserted in sorted order, which
 * `JSON.stringify` then writes canonically, in native code and with little garbage. Objects
 * with index-like keys (Snowflake binds: "1", "2", ..., "10") are enumerated numerically whatever
 * the insertion order, so for those it gives up and the encoder below does the whole value.
 */
function sortedForJson(value: unknown): unknown {
  checkHasJsonForm(value);
  if (typeof value !== 'object' || value === null) return value;
  if (hasToJson(value)) return sortedForJson(value.toJSON());

  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const item of value) {
      const sorted = sortedForJson(item);
      if (sorted === NEEDS_ENCODER) return NEEDS_ENCODER;
      copy.push(sorted);
    }
    return copy;
  }

  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const sorted = INDEX_LIKE_KEY.test(key)
      ? NEEDS_ENCODER
      : sortedForJson((value as Record<string, unknown>)[key]);
    if (sorted === NEEDS_ENCODER) return NEEDS_ENCODER;
    copy[key] = sorted;
  }
  return copy;
}

/**
 * The hash that chains a record: SHA-256 (hex) of the canonical JSON of the record without its
 * own hash, that is of `{"event":…,"id":…,"prevHash":…,"seq":…}`. `eventJson` must already be
 * canonical; the keys are in sorted order, so the concatenation below is exactly
 * `canonicalJson({ event, id, prevHash, seq })`.
 */
export function recordHash(prevHash: string, seq: number, id: string, eventJson: string): string {
  const rest = `,"id":${JSON.stringify(id)},"prevHash":${JSON.stringify(prevHash)},"seq":${seq}}`;
  return createHash('sha256')
    .update('{"event":', 'utf8')
    .update(eventJson, 'utf8')
    .update(rest, 'utf8')
    .digest('hex');
}

function encodeValue(value: unknown): string | undefined {
  const plain = hasToJson(value) ? value.toJSON() : value;
  checkHasJsonForm(plain);

  switch (typeof plain) {
    case 'string':
    case 'number':
      return JSON.stringify(plain);
    case 'boolean':
      return plain ? 'true' : 'false';
    case 'object':
      if (plain === null) return 'null';
      return Array.isArray(plain) ? encodeArray(plain) : encodeObject(plain as object);
    default:
      return undefined;
  }
}

/** JSON has no NaN, no infinities and no bigints; `JSON.stringify` would write null or throw. */
function checkHasJsonForm(value: unknown): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: ${value} has no JSON form`);
  }
  if (typeof value === 'bigint') {
    throw new TypeError('canonicalJson: bigint has no JSON form; convert it to a string first');
  }
}

function encodeArray(items: unknown[]): string {
  let text = '[';
  for (const [index, item] of items.entries()) {
    text += `${index > 0 ? ',' : ''}${encodeValue(item) ?? 'null'}`;
  }
  return `${text}]`;
}

function encodeObject(object: object): string {
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const member = encodeValue((object as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${member}`;
  }
  return `${text}}`;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}
