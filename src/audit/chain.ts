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
  const text = encodeValue(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
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
  switch (typeof plain) {
    case 'string':
      return JSON.stringify(plain);
    case 'number':
      return encodeNumber(plain);
    case 'boolean':
      return plain ? 'true' : 'false';
    case 'object':
      if (plain === null) return 'null';
      return Array.isArray(plain) ? encodeArray(plain) : encodeObject(plain as object);
    case 'bigint':
      throw new TypeError('canonicalJson: bigint has no JSON form; convert it to a string first');
    default:
      return undefined;
  }
}

function encodeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
  return JSON.stringify(value);
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
