import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection, RowStatement } from 'snowflake-sdk';
import { connect, destroy, startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { login, type RawSession, runQuery, send } from './raw-client.js';

const ROWS = 200_000;
const CHUNK_ROWS = 30_000;

/** 200,000 rows whose values can be checked from their position alone. */
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

function chunkParts(sandbox: TestSandbox): number[] {
  return sandbox
    .logs()
    .filter((line) => line.msg === 'sandbox chunk served')
    .map((line) => Number(line.part));
}

describe('large results arrive as chunks', () => {
  let sandbox: TestSandbox;
  let connection: Connection;

  before(async () => {
    sandbox = await startTestSandbox({ chunkRows: CHUNK_ROWS, inlineBytes: 64 * 1024 });
    connection = await connect(sandbox);
  });

  after(async () => {
    await destroy(connection);
    await sandbox.close();
  });

  test('200,000 rows: the first inline, the rest downloaded chunk by chunk, all correct', async () => {
    const statement = await startStreaming(connection, ROWS_SQL);
    assert.equal(statement.getNumRows(), ROWS);
    assertRowsByPosition(await readAll(statement));

    const expectedChunks = Math.ceil(ROWS / CHUNK_ROWS);
    const parts = chunkParts(sandbox);
    assert.ok(parts.length >= expectedChunks - 1, `only ${parts.length} chunk downloads`);
    assert.ok(!parts.includes(0), 'inline rows are not downloaded again');
  });
});

describe('an expired chunk URL', () => {
  test('answers 403 and the driver gets fresh URLs from /queries/{id}/result', async (t) => {
    // The driver retries a 403 ten times with backoff of 1 to 16 s before it refreshes the URLs;
    // those waits are shortened here so the refresh path runs in test time.
    const realSetTimeout = globalThis.setTimeout;
    t.after(() => {
      globalThis.setTimeout = realSetTimeout;
    });
    const backoff = (ms?: number) => (ms !== undefined && ms >= 1000 && ms <= 16_000 ? 5 : ms);
    globalThis.setTimeout = ((handler: () => void, ms?: number) =>
      realSetTimeout(handler, backoff(ms))) as typeof setTimeout;

    const sandbox = await startTestSandbox({
      chunkRows: CHUNK_ROWS,
      inlineBytes: 64 * 1024,
      chunkUrlSeconds: 1,
    });
    try {
      const connection = await connect(sandbox);
      const statement = await startStreaming(connection, ROWS_SQL);
      await new Promise((resolve) => realSetTimeout(resolve, 1100));

      assertRowsByPosition(await readAll(statement));

      const logs = sandbox.logs();
      const expired = logs.filter((l) => l.msg === 'sandbox request refused' && l.status === 403);
      assert.ok(expired.length > 0, 'a chunk URL was refused as expired');
      const refetches = logs.filter(
        (l) =>
          l.msg === 'sandbox request' &&
          String(l.path).endsWith(`/queries/${statement.getQueryId()}/result`),
      );
      assert.ok(refetches.length > 0, 'the driver asked for fresh chunk URLs');
      await destroy(connection);
    } finally {
      await sandbox.close();
    }
  });
});

describe('chunk downloads over raw HTTP', () => {
  let sandbox: TestSandbox;
  let session: RawSession;
  let reply: Record<string, unknown>;

  before(async () => {
    sandbox = await startTestSandbox({ chunkRows: 1000, inlineBytes: 1024 });
    session = await login(sandbox.url);
    const result = await runQuery(sandbox.url, session, {
      sqlText: 'select range as id from range(2500) order by id',
    });
    reply = result.json.data as Record<string, unknown>;
  });

  after(() => sandbox.close());

  function firstChunkUrl(): URL {
    const chunks = reply.chunks as { url: string }[];
    return new URL((chunks[0] as { url: string }).url);
  }

  test('a query reply lists chunks after its inline rows, with qrmk and chunkHeaders', () => {
    const inline = reply.rowset as string[][];
    const chunks = reply.chunks as { rowCount: number }[];
    assert.ok(inline.length > 0);
    assert.equal(inline.length + chunks.reduce((sum, c) => sum + c.rowCount, 0), 2500);
    assert.equal(reply.returned, 2500);
    assert.equal(typeof reply.qrmk, 'string');
    const headers = reply.chunkHeaders as Record<string, string>;
    assert.equal(headers['x-amz-server-side-encryption-customer-key'], reply.qrmk);
  });

  test('a chunk is gzipped rows joined by commas, fetched with the SSE-C key', async () => {
    const url = firstChunkUrl();
    const response = await fetch(url, {
      headers: { 'x-amz-server-side-encryption-customer-key': String(reply.qrmk) },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    const text = await response.text();
    assert.ok(text.startsWith('['), 'rows are JSON arrays');
    const rows = JSON.parse(`[${text}]`) as string[][];
    const inlineCount = (reply.rowset as string[][]).length;
    assert.deepEqual(rows[0], [String(inlineCount)]);
  });

  test('without the key, with a wrong key, or with a forged signature the chunk is refused', async () => {
    const url = firstChunkUrl();
    assert.equal((await fetch(url)).status, 400);
    const wrongKey = await fetch(url, {
      headers: { 'x-amz-server-side-encryption-customer-key': Buffer.alloc(32).toString('base64') },
    });
    assert.equal(wrongKey.status, 403);
    url.searchParams.set('signature', 'forged');
    const forged = await fetch(url, {
      headers: { 'x-amz-server-side-encryption-customer-key': String(reply.qrmk) },
    });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /SignatureDoesNotMatch/);
  });

  test('a re-fetch through /queries/{id}/result lists every row as chunks', async () => {
    const refetch = await send(sandbox.url, 'GET', `/queries/${reply.queryId}/result`, {
      token: session.token,
    });
    const data = refetch.json.data as Record<string, unknown>;
    assert.deepEqual(data.rowset, []);
    const chunks = data.chunks as { rowCount: number }[];
    assert.equal(chunks.length, (reply.chunks as unknown[]).length + 1);
    assert.equal(
      chunks.reduce((sum, c) => sum + c.rowCount, 0),
      2500,
    );
  });
});

describe('result retention', () => {
  test('past the byte budget the oldest result is dropped and its URLs stop working', async () => {
    const budget = 60_000;
    const sandbox = await startTestSandbox({
      chunkRows: 500,
      inlineBytes: 512,
      resultBytes: budget,
    });
    try {
      const session = await login(sandbox.url);
      // MD5 text hardly compresses, so one result takes more than half the budget.
      const sqlText = 'select range as id, md5(range::varchar) as digest from range(2000)';
      const first = await queryData(sandbox, session, sqlText);
      const chunks = first.chunks as { url: string; compressedSize: number }[];
      const held = chunks.reduce((sum, chunk) => sum + chunk.compressedSize, 0);
      assert.ok(held > budget / 2 && held < budget, `one result holds ${held} bytes`);
      const firstUrl = (chunks[0] as { url: string }).url;
      const key = { 'x-amz-server-side-encryption-customer-key': String(first.qrmk) };
      assert.equal((await fetch(firstUrl, { headers: key })).status, 200);

      const second = await queryData(sandbox, session, sqlText);

      assert.equal((await fetch(firstUrl, { headers: key })).status, 404);
      const gone = await send(sandbox.url, 'GET', `/queries/${first.queryId}/result`, {
        token: session.token,
      });
      assert.equal(gone.json.code, '000709');
      const kept = await send(sandbox.url, 'GET', `/queries/${second.queryId}/result`, {
        token: session.token,
      });
      assert.equal(kept.json.success, true);
    } finally {
      await sandbox.close();
    }
  });
});

async function queryData(
  sandbox: TestSandbox,
  session: RawSession,
  sqlText: string,
): Promise<Record<string, unknown>> {
  const reply = await runQuery(sandbox.url, session, { sqlText });
  assert.equal(reply.json.success, true, reply.text);
  return reply.json.data as Record<string, unknown>;
}
