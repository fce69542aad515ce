import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inflateBody, isGzip, parseRequestJson } from '../../../src/engines/snowflake/codec.js';
import { TollgateError } from '../../../src/errors.js';

const BODY = JSON.stringify({ sqlText: 'select 1', bindings: { 1: { type: 'TEXT', value: 'x' } } });

test('gzipped bodies are recognised by their magic bytes, not by headers', () => {
  const gzipped = gzipSync(BODY);

  assert.equal(isGzip(gzipped), true);
  assert.equal(isGzip(Buffer.from(BODY)), false);
  assert.deepEqual(parseRequestJson(inflateBody(gzipped, 1 << 20)), JSON.parse(BODY));
  assert.deepEqual(parseRequestJson(inflateBody(Buffer.from(BODY), 1 << 20)), JSON.parse(BODY));
});

test('bad bodies are refused with stable codes', () => {
  const bomb = gzipSync(Buffer.alloc(2 << 20));
  const truncated = gzipSync(BODY).subarray(0, 20);
  const expectCode = (fn: () => unknown, code: string) =>
    assert.throws(fn, (error: unknown) => error instanceof TollgateError && error.code === code);

  expectCode(() => inflateBody(bomb, 1 << 20), 'TG_REQUEST_TOO_LARGE');
  expectCode(() => inflateBody(truncated, 1 << 20), 'TG_REQUEST_INVALID');
  expectCode(() => parseRequestJson(Buffer.from('{"sqlText": ')), 'TG_REQUEST_INVALID');
  expectCode(() => parseRequestJson(Buffer.from('[1, 2]')), 'TG_REQUEST_INVALID');
  assert.deepEqual(parseRequestJson(Buffer.alloc(0)), {});
});
