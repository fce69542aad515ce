import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientReplyText, inspectReply } from '../../../src/engines/snowflake/results.js';
import type { UpstreamReply } from '../../../src/engines/snowflake/upstream.js';

function reply(text: string): UpstreamReply {
  const parsed = JSON.parse(text) as { success: boolean; code: string | null; data: never };
  return {
    text,
    envelope: { success: parsed.success, code: parsed.code, message: null, data: parsed.data },
  };
}

const QUERY_CONTEXT =
  '{"entries":[{"id":0,"timestamp":1736000000123456,"priority":0,"context":"AAECAwQ="}]}';
const CHUNKED = `{"data":{"queryId":"01b0-q","statementTypeId":4096,"rowtype":[],
"rowset":[["1","a"],["2","b ] ["]],"total":5,"returned":2,
"chunks":[{"url":"https://bucket.s3.example/r/0?sig=abc","rowCount":2,"uncompressedSize":20,"compressedSize":12},
{"url":"https://bucket.s3.example/r/1?sig=def","rowCount":1,"uncompressedSize":10,"compressedSize":9}],
"qrmk":"c2VjcmV0LWtleQ==","queryContext":${QUERY_CONTEXT},"queryResultFormat":"json"},
"code":null,"message":null,"success":true}`;

test('reads rows, bytes, chunks and the storage headers from a chunked reply', async () => {
  const summary = await inspectReply(reply(CHUNKED), async () => 0);

  assert.equal(summary.queryId, '01b0-q');
  assert.equal(summary.statementTypeId, 4096);
  assert.equal(summary.rows, 2);
  assert.equal(summary.bytes, Buffer.byteLength('["1","a"],["2","b ] ["]'));
  assert.deepEqual(
    summary.chunks.map((chunk) => chunk.url),
    ['https://bucket.s3.example/r/0?sig=abc', 'https://bucket.s3.example/r/1?sig=def'],
  );
  assert.deepEqual(summary.chunkHeaders, {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': 'c2VjcmV0LWtleQ==',
  });
});

test('the client reply points chunks at the gateway, drops the storage key, keeps the rest exactly', () => {
  const out = clientReplyText(reply(CHUNKED), [
    'http://gw/tollgate/chunks/A',
    'http://gw/tollgate/chunks/B',
  ]);
  const data = JSON.parse(out).data;

  assert.deepEqual(
    data.chunks.map((chunk: { url: string }) => chunk.url),
    ['http://gw/tollgate/chunks/A', 'http://gw/tollgate/chunks/B'],
  );
  assert.equal(data.chunks[0].rowCount, 2);
  assert.equal(data.qrmk, null);
  assert.doesNotMatch(out, /c2VjcmV0LWtleQ|s3\.example|sig=/);
  assert.ok(
    out.includes(`"queryContext":${QUERY_CONTEXT}`),
    'queryContext is passed byte for byte',
  );
  assert.ok(out.includes('"rowset":[["1","a"],["2","b ] ["]]'));
});

test('a reply without chunks reaches the client untouched', () => {
  const text = `{"data":{"queryId":"q2","rowset":[["1"]],"queryContext":${QUERY_CONTEXT},"sessionId":98765432109876543210},"code":null,"message":null,"success":true}`;

  assert.equal(clientReplyText(reply(text), []), text);
});
