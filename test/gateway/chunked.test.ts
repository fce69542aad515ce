import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowStatement } from 'snowflake-sdk';
import type { ResultChunkEvent } from '../../src/audit/types.js';
import { type Connection, destroy } from './driver.js';
import { type Harness, startHarness } from './harness.js';

const ROWS = 200_000;
const ROWS_SQL = `select range as "ID", 'row-' || range::varchar as "LABEL", range * 0.5 as "HALF" from range(${ROWS}) order by 1`;

interface ChunkedRow {
  ID: number;
  LABEL: string;
  HALF: number;
}

function startStreaming(connection: Connection, sqlText: string): Promise<RowStatement> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      streamResult: true,
      complete: (error, statement) => (error ? reject(error) : resolve(statement)),
    });
  });
}

function readAll(statement: RowStatement): Promise<ChunkedRow[]> {
  return new Promise((resolve, reject) => {
    const rows: ChunkedRow[] = [];
    statement
      .streamRows()
      .on('data', (row: ChunkedRow) => rows.push(row))
      .on('end', () => resolve(rows))
      .on('error', reject);
  });
}

function assertRowsByPosition(rows: ChunkedRow[]): void {
  assert.equal(rows.length, ROWS);
  for (const [i, row] of rows.entries()) {
    if (row.ID !== i || row.LABEL !== `row-${i}` || row.HALF !== i * 0.5) {
      assert.fail(`row ${i} came back as ${JSON.stringify(row)}`);
    }
  }
}

interface Announced {
  /** Rows upstream sent inline with the query reply. */
  inline: number;
  chunks: { rowCount: number; uncompressedSize: number }[];
}

/** What upstream's query reply announced, as the gateway received it. */
function announcedBy(harness: Harness, queryId: string): Announced {
  const reply = harness.upstreamProxy.exchanges
    .map((exchange) => JSON.parse(exchange.body))
    .find((body) => body.data?.queryId === queryId && Array.isArray(body.data?.chunks));
  assert.ok(reply, `upstream's reply for ${queryId} was recorded`);
  return { inline: reply.data.rowset.length, chunks: reply.data.chunks };
}

function chunkEvents(harness: Harness, queryId: string): ResultChunkEvent[] {
  const store = harness.openStore();
  const events = store
    .searchRecords({ kind: 'result_chunk', limit: 1000 })
    .map((record) => record.event as ResultChunkEvent)
    .filter((event) => event.queryId === queryId)
    .sort((a, b) => a.chunkIndex - b.chunkIndex);
  store.close();
  return events;
}

function statementView(harness: Harness, word: string) {
  const store = harness.openStore();
  const [view] = store.searchStatements({ text: word });
  store.close();
  return view;
}

describe('a large result through the gateway', () => {
  let harness: Harness;
  let connection: Connection;

  before(async () => {
    harness = await startHarness({ sandbox: { chunkRows: 30_000 } });
    connection = await harness.connect();
  });

  after(async () => {
    await destroy(connection);
    await harness.close();
  });

  test('a chunked 200,000-row result streams through the gateway and is counted exactly', async () => {
    const statement = await startStreaming(connection, ROWS_SQL);
    assertRowsByPosition(await readAll(statement));
    const queryId = statement.getQueryId();
    await sleep(200);

    const view = statementView(harness, 'row');
    const announced = announcedBy(harness, queryId);
    assert.ok(announced.chunks.length >= 5, 'the result came in several chunks');
    assert.ok(announced.inline > 0, 'some rows came inline');
    assert.equal(view?.rows, ROWS);
    assert.equal(view?.queryId, queryId);
    assert.equal(view?.chunks, announced.chunks.length);
    // Part 0 is the inline rows; each chunk is counted as it streamed, and matches upstream.
    assert.deepEqual(
      chunkEvents(harness, queryId).map((event) => [event.chunkIndex, event.rows, event.bytes]),
      announced.chunks.map((chunk, index) => [index + 1, chunk.rowCount, chunk.uncompressedSize]),
    );
  });

  test('the client downloads chunks only from the gateway and never sees the storage key', () => {
    const replies = harness.clientProxy.exchanges.map((exchange) => JSON.parse(exchange.body));
    const withChunks = replies.filter((body) => Array.isArray(body.data?.chunks));
    assert.ok(withChunks.length > 0);
    for (const body of withChunks) {
      assert.equal(body.data.qrmk, null);
      assert.equal(body.data.chunkHeaders, null);
      for (const chunk of body.data.chunks as { url: string }[]) {
        assert.ok(chunk.url.startsWith(`${harness.clientProxy.url}/tollgate/chunks/`), chunk.url);
      }
    }
    assert.doesNotMatch(harness.clientProxy.allReplies(), new RegExp(harness.sandbox.url));
  });
});

describe('chunk URLs that expired upstream', () => {
  test('are refreshed by the driver through the gateway, and each chunk is counted once', async (t) => {
    // The driver retries a 403 ten times with backoff of 1 to 16 s before it asks for fresh
    // URLs; those waits are shortened so the refresh runs in test time.
    const realSetTimeout = globalThis.setTimeout;
    t.after(() => {
      globalThis.setTimeout = realSetTimeout;
    });
    const backoff = (ms?: number) => (ms !== undefined && ms >= 1000 && ms <= 16_000 ? 5 : ms);
    globalThis.setTimeout = ((
      handler: (...args: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ) => realSetTimeout(handler, backoff(ms), ...args)) as typeof setTimeout;

    const harness = await startHarness({ sandbox: { chunkRows: 30_000, chunkUrlSeconds: 1 } });
    t.after(() => harness.close());
    const connection = await harness.connect();
    const statement = await startStreaming(connection, ROWS_SQL);
    await new Promise((resolve) => realSetTimeout(resolve, 1500));
    assertRowsByPosition(await readAll(statement));
    await destroy(connection);

    const queryId = statement.getQueryId();
    const refused = harness.logLines.filter((line) => line.includes('upstream refused a chunk'));
    assert.ok(refused.length > 0, 'expired chunk URLs were refused upstream');
    const refreshed = harness.clientProxy.exchanges.filter((e) =>
      e.path.startsWith(`/queries/${queryId}/result`),
    );
    assert.ok(refreshed.length > 0, 'the driver asked the gateway for fresh chunk URLs');

    const announced = announcedBy(harness, queryId);
    assert.equal(statementView(harness, 'row')?.rows, ROWS);
    assert.deepEqual(
      chunkEvents(harness, queryId).map((event) => [event.chunkIndex, event.rows]),
      announced.chunks.map((chunk, index) => [index + 1, chunk.rowCount]),
    );
  });
});
