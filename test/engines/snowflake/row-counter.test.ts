import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonRowCounter } from '../../../src/engines/snowflake/row-counter.js';

/** A chunk body as Snowflake stores it: rows joined by commas, no outer brackets. */
function chunkBody(rows: (string | null)[][]): string {
  return rows.map((row) => JSON.stringify(row)).join(',');
}

const TRICKY_ROWS: (string | null)[][] = [
  ['1', 'plain', null],
  ['2', 'brackets ] [ inside', '{"json": [1, 2]}'],
  ['3', 'an escaped quote \\" and backslash \\\\', 'ünïcödé ✓'],
  ['4', '', '"'],
  ['5', '\\', '[[['],
];

test('counts rows and bytes of a chunk body, whatever the strings hold', () => {
  const body = chunkBody(TRICKY_ROWS);
  const counter = new JsonRowCounter();
  counter.push(Buffer.from(body));

  assert.equal(counter.rows, (JSON.parse(`[${body}]`) as unknown[]).length);
  assert.equal(counter.bytes, Buffer.byteLength(body));
});

test('gives the same count however the body is split into pieces', () => {
  const body = Buffer.from(chunkBody(TRICKY_ROWS));
  const expected = (JSON.parse(`[${body}]`) as unknown[]).length;

  for (let cut = 1; cut < body.length; cut++) {
    const counter = new JsonRowCounter();
    counter.push(body.subarray(0, cut));
    counter.push(body.subarray(cut));
    assert.equal(counter.rows, expected, `split at byte ${cut}`);
  }

  const byteByByte = new JsonRowCounter();
  for (const byte of body) byteByByte.push(Uint8Array.of(byte));
  assert.equal(byteByByte.rows, expected);
});

test('counts many generated rows', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => [
    String(i),
    `name "${i}" [x]`,
    i % 7 ? null : '\\',
  ]);
  const counter = new JsonRowCounter();
  const body = Buffer.from(chunkBody(rows));
  for (let at = 0; at < body.length; at += 977) counter.push(body.subarray(at, at + 977));

  assert.equal(counter.rows, rows.length);
});
