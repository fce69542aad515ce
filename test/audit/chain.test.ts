import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { canonicalJson, GENESIS_HASH, recordHash } from '../../src/audit/chain.js';
import { SortableIdGenerator } from '../../src/audit/ids.js';
import { statementEvent } from './helpers.js';

describe('canonicalJson', () => {
  test('sorts keys at every depth and leaves array order alone', () => {
    const text = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } });
    assert.equal(text, '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  test('orders keys by UTF-16 code units, digits before letters, capitals before lower case', () => {
    assert.equal(canonicalJson({ b: 1, B: 2, '10': 3, '9': 4 }), '{"10":3,"9":4,"B":2,"b":1}');
  });

  test('writes objects with index-like keys (Snowflake binds) canonically wherever they sit', () => {
    const binds = { '10': { type: 'TEXT', value: 'j' }, '9': { value: 'i', type: 'TEXT' }, a: 0 };
    assert.equal(
      canonicalJson({ z: [binds], a: 1 }),
      '{"a":1,"z":[{"10":{"type":"TEXT","value":"j"},"9":{"type":"TEXT","value":"i"},"a":0}]}',
    );
    assert.equal(canonicalJson({ '1': 2, '01': 1 }), '{"01":1,"1":2}');
  });

  test('reorders an object beside or inside one whose index-like keys are already in order', () => {
    assert.equal(
      canonicalJson({ b: { '1': 'x', a: { d: 1, c: 2 } }, a: { '2': 'y', '3': 'z' } }),
      '{"a":{"2":"y","3":"z"},"b":{"1":"x","a":{"c":2,"d":1}}}',
    );
  });

  test('keeps a member named __proto__ as a member', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":1}}') as unknown;
    assert.equal(canonicalJson(value), '{"__proto__":{"x":1},"b":1}');
    assert.equal(canonicalJson({ z: value }), '{"z":{"__proto__":{"x":1},"b":1}}');
  });

  test('gives the same text for objects of one shape whatever order their keys came in', () => {
    const orders = [
      { kind: 'a', time: 't', principal: 'p' },
      { principal: 'p', kind: 'a', time: 't' },
      { time: 't', principal: 'p', kind: 'a' },
      { kind: 'a', time: 't', principal: 'q' },
      { z: 1, y: 2, x: 3 },
    ];
    assert.deepEqual(orders.map(canonicalJson), [
      '{"kind":"a","principal":"p","time":"t"}',
      '{"kind":"a","principal":"p","time":"t"}',
      '{"kind":"a","principal":"p","time":"t"}',
      '{"kind":"a","principal":"q","time":"t"}',
      '{"x":3,"y":2,"z":1}',
    ]);
  });

  test('drops undefined members, writes undefined array items as null, -0 as 0', () => {
    assert.equal(canonicalJson({ a: undefined, b: [undefined, -0] }), '{"b":[null,0]}');
  });

  test('uses toJSON, so a Date is its ISO string', () => {
    assert.equal(canonicalJson({ at: new Date(0) }), '{"at":"1970-01-01T00:00:00.000Z"}');
  });

  test('escapes strings as JSON.stringify does', () => {
    assert.equal(
      canonicalJson({ s: 'quote " slash \\ line\n' }),
      '{"s":"quote \\" slash \\\\ line\\n"}',
    );
  });

  test('refuses values JSON cannot hold', () => {
    assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
    assert.throws(() => canonicalJson({ n: Number.POSITIVE_INFINITY }), TypeError);
    assert.throws(() => canonicalJson({ n: 10n }), TypeError);
  });

  test('is stable through a parse and a second encoding', () => {
    const event = statementEvent({ binds: { '1': { type: 'TEXT', value: 'é\u2028😀' } } });
    const once = canonicalJson(event);
    assert.equal(canonicalJson(JSON.parse(once)), once);
  });
});

describe('recordHash', () => {
  test('is SHA-256 of the canonical record without its hash', () => {
    const event = statementEvent();
    const id = '01HZX3M5Q8T1V2W3X4Y5Z6A7B8';
    const expected = createHash('sha256')
      .update(canonicalJson({ seq: 7, id, prevHash: GENESIS_HASH, event }))
      .digest('hex');

    assert.equal(recordHash(GENESIS_HASH, 7, id, canonicalJson(event)), expected);
  });

  test('changes with each of seq, id, prevHash and event', () => {
    const json = canonicalJson(statementEvent());
    const base = recordHash(GENESIS_HASH, 1, 'A', json);
    const variants = [
      recordHash(GENESIS_HASH, 2, 'A', json),
      recordHash(GENESIS_HASH, 1, 'B', json),
      recordHash('1'.repeat(64), 1, 'A', json),
      recordHash(GENESIS_HASH, 1, 'A', canonicalJson(statementEvent({ sqlText: 'SELECT 2' }))),
    ];
    for (const variant of variants) assert.notEqual(variant, base);
    assert.equal(GENESIS_HASH, '0'.repeat(64));
  });
});

describe('SortableIdGenerator', () => {
  test('makes 26-character Crockford base32 ids that sort by time', () => {
    const ids = new SortableIdGenerator();
    const early = ids.next(Date.UTC(2026, 0, 1));
    const late = ids.next(Date.UTC(2027, 0, 1));

    assert.match(early, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.ok(early < late);
  });

  test('keeps order within one millisecond and when the clock steps back', () => {
    const ids = new SortableIdGenerator();
    const now = Date.UTC(2026, 4, 1);
    const made = [ids.next(now), ids.next(now), ids.next(now), ids.next(now - 5000), ids.next(now)];

    assert.deepEqual([...made].sort(), made);
    assert.equal(new Set(made).size, made.length);
  });

  test('encodes the millisecond time in the first ten characters', () => {
    const ids = new SortableIdGenerator();
    // 2^40 ms: a 1 followed by eight zeros in base32 (40 bits = 8 characters).
    assert.equal(ids.next(2 ** 40).slice(0, 10), '0100000000');
  });
});
