import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applySplices,
  objectMembers,
  spanText,
  valueEnd,
} from '../../../src/engines/snowflake/json-spans.js';

const REPLY = `{"data" : {"sessionId": 1172562260498, "big": 98765432109876543210,
  "text": "a \\"quoted\\" ] } [ {", "nested": {"a": [1, {"b": "]"}]}, "empty": {}, "list": []},
  "success": true}`;

test('objectMembers finds each member and keeps integers wider than 2^53 digit for digit', () => {
  const data = objectMembers(REPLY, objectMembers(REPLY, 0).get('data')!.start);

  assert.deepEqual([...data.keys()], ['sessionId', 'big', 'text', 'nested', 'empty', 'list']);
  assert.equal(spanText(REPLY, data.get('big')!), '98765432109876543210');
  assert.notEqual(String(JSON.parse('98765432109876543210')), '98765432109876543210');
  assert.equal(JSON.parse(spanText(REPLY, data.get('text')!)), 'a "quoted" ] } [ {');
  assert.deepEqual(JSON.parse(spanText(REPLY, data.get('nested')!)), { a: [1, { b: ']' }] });
});

test('every span is exactly the value JSON.parse reads there', () => {
  const data = objectMembers(REPLY, objectMembers(REPLY, 0).get('data')!.start);
  const parsed = JSON.parse(REPLY).data as Record<string, unknown>;
  for (const key of ['text', 'nested', 'empty', 'list']) {
    assert.deepEqual(JSON.parse(spanText(REPLY, data.get(key)!)), parsed[key], key);
  }
});

test('applySplices replaces spans and leaves every other byte alone', () => {
  const text = '{"a":1,"keep":"x y","b":[2,3]}';
  const members = objectMembers(text, 0);
  const out = applySplices(text, [
    { span: members.get('b')!, text: 'null' },
    { span: members.get('a')!, text: '"one"' },
  ]);

  assert.equal(out, '{"a":"one","keep":"x y","b":null}');
});

test('malformed JSON is refused rather than half read', () => {
  assert.throws(() => objectMembers('{"a": "unterminated', 0), SyntaxError);
  assert.throws(() => objectMembers('{"a" 1}', 0), SyntaxError);
  assert.throws(() => objectMembers('[1,2]', 0), SyntaxError);
  assert.throws(() => valueEnd('{"a": [1, 2}', 0), SyntaxError);
});
