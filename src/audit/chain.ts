import crypto from 'node:crypto';

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
  const ordered = inCanonicalOrder(value);
  const text = ordered === NEEDS_ENCODER ? encodeValue(value) : JSON.stringify(ordered);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}

/** Marks a value the native `JSON.stringify` would not write canonically. */
const NEEDS_ENCODER = Symbol('needs the canonical encoder');

/** Keys JavaScript treats as array indexes (or could): always enumerated first, numerically. */
const INDEX_LIKE_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * The fast path: `value` arranged so that the native `JSON.stringify` writes it canonically, in
 * native code. That is `value` itself when every object in it already has its keys in sorted
 * order (as JSON parsed from canonical text does), so most of it is never copied; otherwise a
 * copy whose objects have their keys inserted in sorted order. An object with index-like keys
 * out of order (Snowflake binds: "1", "2", ..., "10") cannot be reordered, because such keys
 * are enumerated numerically whatever the insertion order; for those it gives up and the
 * encoder below does the whole value.
 */
function inCanonicalOrder(value: unknown): unknown {
  checkHasJsonForm(value);
  if (typeof value !== 'object' || value === null) return value;
  if (hasToJson(value)) return inCanonicalOrder(value.toJSON());

  return Array.isArray(value) ? orderedItems(value) : orderedObject(value as JsonObject);
}

type JsonObject = Record<string, unknown>;

function orderedItems(items: unknown[]): unknown {
  const ordered = items.map(inCanonicalOrder);
  if (ordered.includes(NEEDS_ENCODER)) return NEEDS_ENCODER;
  return ordered.every((item, index) => item === items[index]) ? items : ordered;
}

function orderedObject(object: JsonObject): unknown {
  const keys = Object.keys(object);
  if (isSorted(keys)) return orderedMembers(object, keys, true);
  if (keys.some((key) => INDEX_LIKE_KEY.test(key))) return NEEDS_ENCODER;
  return orderedMembers(object, sortedKeys(keys), false);
}

/**
 * The last key order sorted for each number of keys. Events of one kind have the same keys in
 * the same order, so sorting them again (most of the cost of reordering an event) is skipped.
 */
const lastSorted = new Map<number, { keys: string[]; sorted: string[] }>();

function sortedKeys(keys: string[]): string[] {
  const last = lastSorted.get(keys.length);
  if (last && keys.every((key, index) => key === last.keys[index])) return last.sorted;

  const sorted = [...keys].sort();
  lastSorted.set(keys.length, { keys, sorted });
  return sorted;
}

/**
 * `object` itself when its keys are already in order and none of its members had to change;
 * otherwise a copy with its `sortedKeys` inserted in that order. The copy is only started at the
 * first member that differs, so an object that needs none allocates nothing.
 */
function orderedMembers(object: JsonObject, sortedKeys: string[], inOrder: boolean): unknown {
  // Assigning "__proto__" would set the copy's prototype instead of adding a member.
  const canCopy = !sortedKeys.includes('__proto__');
  let copy: JsonObject | null = inOrder ? null : {};

  for (const [index, key] of sortedKeys.entries()) {
    const value = inCanonicalOrder(object[key]);
    if (value === NEEDS_ENCODER) return NEEDS_ENCODER;
    if (copy === null && value !== object[key]) copy = copyOf(object, sortedKeys.slice(0, index));
    if (copy !== null && !canCopy) return NEEDS_ENCODER;
    if (copy !== null) copy[key] = value;
  }
  return copy ?? object;
}

function copyOf(object: JsonObject, keys: string[]): JsonObject {
  const copy: JsonObject = {};
  for (const key of keys) copy[key] = object[key];
  return copy;
}

/** True when the keys are in ascending UTF-16 code unit order, as `Array.prototype.sort` puts them. */
function isSorted(keys: string[]): boolean {
  for (let index = 1; index < keys.length; index += 1) {
    if (keys[index - 1]! > keys[index]!) return false;
  }
  return true;
}

/**
 * The hash that chains a record: SHA-256 (hex) of the canonical JSON of the record without its
 * own hash, that is of `{"event":…,"id":…,"prevHash":…,"seq":…}`. `eventJson` must already be
 * canonical; the keys are in sorted order, so the concatenation below is exactly
 * `canonicalJson({ event, id, prevHash, seq })`.
 */
export function recordHash(prevHash: string, seq: number, id: string, eventJson: string): string {
  const rest = `,"id":${JSON.stringify(id)},"prevHash":${JSON.stringify(prevHash)},"seq":${seq}}`;
  return sha256Hex(`{"event":${eventJson}${rest}`);
}

/**
 * SHA-256 as lowercase hex. The one-shot `crypto.hash` (Node 20.12 and later) skips creating a
 * Hash object, which is a third of the cost for a record of a kilobyte.
 */
const sha256Hex: (text: string) => string = crypto.hash
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

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
