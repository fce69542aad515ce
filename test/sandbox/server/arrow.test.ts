import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type Table, tableFromIPC } from 'apache-arrow';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { login, type RawSession, runQuery } from './raw-client.js';

/** What the Python connector sends at login: its CLIENT_APP_ID makes Arrow the default. */
const PYTHON = { CLIENT_APP_ID: 'PythonConnector', CLIENT_APP_VERSION: '3.12.0' };

function decode(base64: string): Table {
  return tableFromIPC(Buffer.from(base64, 'base64'));
}

describe('Arrow results for the drivers that ask for them', () => {
  let sandbox: TestSandbox;
  let session: RawSession;

  before(async () => {
    sandbox = await startTestSandbox({ chunkRows: 1000, inlineBytes: 2048 });
    session = await login(sandbox.url, PYTHON);
  });

  after(() => sandbox.close());

  test('a Python session gets rowsetBase64 with Snowflake field metadata', async () => {
    const reply = await runQuery(sandbox.url, session, {
      sqlText: `select 42::number(10,0) as "N", 123.45::number(10,2) as "D", 'héllo ✓' as "T",
        true as "B", to_date('2024-02-29') as "DAY", null::varchar as "NOTHING"`,
    });
    const data = reply.json.data as Record<string, unknown>;
    assert.equal(data.queryResultFormat, 'arrow');
    assert.equal(data.rowset, undefined);

    const table = decode(String(data.rowsetBase64));
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ['N', 'D', 'T', 'B', 'DAY', 'NOTHING'],
    );
    const meta = (name: string) =>
      Object.fromEntries(table.schema.fields.find((f) => f.name === name)?.metadata ?? []);
    assert.equal(meta('N').logicalType, 'FIXED');
    assert.equal(meta('D').logicalType, 'FIXED');
    assert.equal(meta('D').scale, '2');
    assert.equal(meta('T').logicalType, 'TEXT');
    assert.equal(meta('DAY').logicalType, 'DATE');

    const row = table.get(0)?.toJSON() as Record<string, unknown>;
    assert.equal(Number(row.N), 42);
    assert.equal(Number(row.D), 12345, 'FIXED with scale is the scaled integer');
    assert.equal(row.T, 'héllo ✓');
    assert.equal(row.B, true);
    assert.equal(row.NOTHING, null);
    const storedDays = table.getChild('DAY')?.data[0]?.values[0];
    assert.equal(
      storedDays,
      Date.UTC(2024, 1, 29) / 86_400_000,
      'DATE is date32, days since epoch',
    );
  });

  test('large Arrow results come as gzipped IPC chunks that decode to every row', async () => {
    const reply = await runQuery(sandbox.url, session, {
      sqlText: 'select range as "ID" from range(5000) order by 1',
    });
    const data = reply.json.data as Record<string, unknown>;
    const chunks = data.chunks as { url: string; rowCount: number }[];
    assert.ok(chunks.length > 1);

    const ids: number[] = [];
    if (data.rowsetBase64)
      for (const row of decode(String(data.rowsetBase64))) ids.push(Number(row.ID));
    for (const chunk of chunks) {
      const response = await fetch(chunk.url, {
        headers: { 'x-amz-server-side-encryption-customer-key': String(data.qrmk) },
      });
      assert.equal(response.status, 200);
      const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
      assert.equal(table.numRows, chunk.rowCount);
      for (const row of table) ids.push(Number(row.ID));
    }
    assert.deepEqual(
      ids,
      Array.from({ length: 5000 }, (_, i) => i),
    );
  });

  test('ALTER SESSION switches a Python session to JSON and back', async () => {
    await runQuery(sandbox.url, session, {
      sqlText: "alter session set python_connector_query_result_format = 'JSON'",
    });
    const json = await runQuery(sandbox.url, session, { sqlText: 'select 1 as "ONE"' });
    assert.equal((json.json.data as Record<string, unknown>).queryResultFormat, 'json');
    assert.deepEqual((json.json.data as Record<string, unknown>).rowset, [['1']]);

    await runQuery(sandbox.url, session, {
      sqlText: "alter session set python_connector_query_result_format = 'ARROW'",
    });
    const arrow = await runQuery(sandbox.url, session, { sqlText: 'select 1 as "ONE"' });
    assert.equal((arrow.json.data as Record<string, unknown>).queryResultFormat, 'arrow');
  });

  test('the Node driver is always answered in JSON', async () => {
    const node = await login(sandbox.url, {
      CLIENT_APP_ID: 'JavaScript',
      CLIENT_APP_VERSION: '3.4.0',
    });
    await runQuery(sandbox.url, node, {
      sqlText: "alter session set query_result_format = 'ARROW'",
    });
    const reply = await runQuery(sandbox.url, node, { sqlText: 'select 1 as "ONE"' });
    assert.equal((reply.json.data as Record<string, unknown>).queryResultFormat, 'json');
  });
});

// A gzip body is what S3 stores; fetch undoes Content-Encoding, so check the raw bytes too.
test('Arrow chunk bodies are stored gzipped', async () => {
  const sandbox = await startTestSandbox({ chunkRows: 100, inlineBytes: 64 });
  try {
    const session = await login(sandbox.url, PYTHON);
    const reply = await runQuery(sandbox.url, session, {
      sqlText: 'select range as "ID" from range(300)',
    });
    const data = reply.json.data as Record<string, unknown>;
    const first = (data.chunks as { url: string }[])[0] as { url: string };
    const { request } = await import('undici');
    const raw = await request(first.url, {
      headers: { 'x-amz-server-side-encryption-customer-key': String(data.qrmk) },
    });
    assert.equal(raw.headers['content-encoding'], 'gzip');
    const bytes = gunzipSync(Buffer.from(await raw.body.arrayBuffer()));
    assert.equal(tableFromIPC(bytes).numRows, 100);
  } finally {
    await sandbox.close();
  }
});
