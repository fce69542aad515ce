import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EngineFixture } from './helpers.js';
import { openEngine, run } from './helpers.js';

const ROWS = 120_000;
const BIG_QUERY = `select range as id, 'row ' || range as label, range * 0.5::float as half,
  (range % 1000)::number(10,2) as amount, dateadd(second, range, '2024-01-01'::timestamp_ntz) as at
  from range(${ROWS})`;

describe('results stream from DuckDB in batches', () => {
  let fixture: EngineFixture;

  before(async () => {
    fixture = await openEngine();
  });

  after(() => fixture.close());

  test('a large result arrives in many bounded batches, every row once and in order', async () => {
    const result = await fixture.session.execute(`${BIG_QUERY} order by id`, []);
    assert.deepEqual(
      result.columns.map((c) => c.type),
      ['fixed', 'text', 'real', 'fixed', 'timestamp_ntz'],
    );

    let batches = 0;
    let largest = 0;
    let next = 0;
    for await (const batch of result.batches()) {
      batches++;
      largest = Math.max(largest, batch.length);
      for (const row of batch) {
        assert.equal(row[0], String(next));
        next++;
      }
    }
    assert.equal(next, ROWS);
    assert.ok(batches >= ROWS / 2048, `${batches} batches`);
    assert.ok(largest <= 2048, `largest batch ${largest}`);
  });

  test('values in late batches are encoded like early ones', async () => {
    const result = await fixture.session.execute(`${BIG_QUERY} order by id`, []);
    let last: (string | null)[] = [];
    for await (const batch of result.batches()) last = batch[batch.length - 1] ?? last;
    const id = ROWS - 1;
    const seconds = Date.UTC(2024, 0, 1) / 1000 + id;
    assert.deepEqual(last, [
      String(id),
      `row ${id}`,
      String(id * 0.5),
      `${id % 1000}.00`,
      `${seconds}.000000000`,
    ]);
  });

  test('statements run while an earlier result is still being read do not cut it short', async () => {
    const open = await fixture.session.execute(`${BIG_QUERY} order by id`, []);
    const reader = open.batches()[Symbol.asyncIterator]();
    const first = await reader.next();
    assert.equal(first.value?.[0]?.[0], '0');

    const { rows } = await run(fixture.session, 'select 42');
    assert.deepEqual(rows, [['42']]);

    let count = first.value?.length ?? 0;
    for (let next = await reader.next(); !next.done; next = await reader.next())
      count += next.value.length;
    assert.equal(count, ROWS);
  });

  test('a reader that stops early frees its connection for later statements', async () => {
    for (let i = 0; i < 5; i++) {
      const result = await fixture.session.execute(BIG_QUERY, []);
      for await (const _ of result.batches()) break;
    }
    assert.deepEqual((await run(fixture.session, 'select 1')).rows, [['1']]);
  });

  test('batches() may be called once', async () => {
    const result = await fixture.session.execute('select 1', []);
    for await (const _ of result.batches()) {
      // drain
    }
    assert.throws(() => result.batches(), TypeError);
  });

  test("an aborted statement is cancelled with Snowflake's code", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(fixture.session.execute('select 1', [], controller.signal), {
      code: '000604',
    });
  });
});
