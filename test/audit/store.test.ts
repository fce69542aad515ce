import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { canonicalJson, GENESIS_HASH, recordHash } from '../../src/audit/chain.js';
import { type StoredRow, toEventRow } from '../../src/audit/event-row.js';
import { type AuditStore, openAuditStore } from '../../src/audit/index.js';
import { prepareSchema } from '../../src/audit/schema.js';
import { ChainWriter } from '../../src/audit/sqlite-writer.js';
import type { AuditEvent, AuditRecord } from '../../src/audit/types.js';
import {
  chunkEvent,
  loginEvent,
  resultEvent,
  sessionBase,
  sessionEndEvent,
  statementEvent,
  tempStore,
} from './helpers.js';

const bob = sessionBase({
  principal: 'bob',
  connection: 'prod',
  gatewaySessionId: 'gw-session-2',
  verifiedTags: { repository: 'acme/etl', run_id: '2002' },
  claimedTags: { CLIENT_APP_ID: 'dbt' },
});

/** One session of alice's with a chunked SELECT, bob's failed INSERT, and an unfinished DELETE. */
const EVENTS: AuditEvent[] = [
  loginEvent(),
  loginEvent({
    ...sessionBase({ principal: null, verifiedTags: {}, time: '2026-05-01T09:59:00.000Z' }),
    outcome: 'failure',
    errorCode: 'TG_TOKEN_EXPIRED',
    errorMessage: 'the token expired at 2026-05-01T09:58:00Z',
  }),
  statementEvent(),
  resultEvent(),
  chunkEvent({ chunkIndex: 0, rows: 1000, bytes: 64_000 }),
  chunkEvent({ chunkIndex: 1, rows: 500, bytes: 32_000 }),
  statementEvent({
    ...bob,
    time: '2026-05-01T11:00:00.000Z',
    statementId: 'st-2',
    requestId: 'req-2',
    sqlText: 'INSERT INTO audit_copy SELECT * FROM orders',
    binds: null,
    bindRecording: 'omitted',
    statementType: 'INSERT',
    receivedAt: '2026-05-01T11:00:00.000Z',
    startedAt: '2026-05-01T11:00:00.002Z',
  }),
  resultEvent({
    ...bob,
    time: '2026-05-01T11:00:01.000Z',
    statementId: 'st-2',
    queryId: 'q-2',
    outcome: 'failure',
    errorCode: '002003',
    errorMessage: "Table 'AUDIT_COPY' does not exist",
    rows: 0,
    bytes: 0,
  }),
  statementEvent({
    ...sessionBase({ time: '2026-05-01T12:00:00.000Z' }),
    statementId: 'st-3',
    requestId: 'req-3',
    sqlText: 'DELETE FROM customers WHERE churned',
    statementType: 'DELETE',
    receivedAt: '2026-05-01T12:00:00.000Z',
    startedAt: '2026-05-01T12:00:00.000Z',
  }),
  sessionEndEvent({ time: '2026-05-01T12:30:00.000Z' }),
];

describe('SQLite audit store', () => {
  const dir = tempStore();
  let store: AuditStore;
  let written: AuditRecord[];

  before(async () => {
    store = openAuditStore({ path: dir.path });
    written = [];
    for (const event of EVENTS) written.push(await store.append(event));
  });

  after(async () => {
    await store.close();
    dir.cleanup();
  });

  test('numbers records from 1 and chains each to the one before', () => {
    assert.deepEqual(
      written.map((record) => record.seq),
      EVENTS.map((_, index) => index + 1),
    );
    assert.equal(written[0]!.prevHash, GENESIS_HASH);

    for (const [index, record] of written.entries()) {
      const prevHash = index === 0 ? GENESIS_HASH : written[index - 1]!.hash;
      assert.equal(record.prevHash, prevHash);
      assert.equal(
        record.hash,
        recordHash(prevHash, record.seq, record.id, canonicalJson(EVENTS[index])),
      );
    }
  });

  test('gives records ids that sort in seq order', () => {
    const ids = written.map((record) => record.id);
    assert.deepEqual([...ids].sort(), ids);
  });

  test('reads a record back by seq and by id, as it was appended', () => {
    const third = written[2]!;
    assert.deepEqual(store.getBySeq(3), { ...third, event: EVENTS[2] });
    assert.deepEqual(store.getById(third.id), store.getBySeq(3));
    assert.equal(store.getBySeq(999), null);
    assert.equal(store.getById('nope'), null);
    assert.equal(store.count(), EVENTS.length);
  });

  test('folds a statement with its result and chunks into one view', () => {
    const detail = store.getStatement('st-1')!;
    assert.deepEqual(
      detail.records.map((record) => record.event.kind),
      ['statement', 'statement_result', 'result_chunk', 'result_chunk'],
    );
    assert.deepEqual(detail.view, {
      id: 'st-1',
      seq: 3,
      recordId: written[2]!.id,
      receivedAt: '2026-05-01T10:00:00.000Z',
      startedAt: '2026-05-01T10:00:00.001Z',
      finishedAt: '2026-05-01T10:00:00.250Z',
      durationMs: 249,
      principal: 'repo:acme/warehouse:ref:refs/heads/main',
      verifiedTags: { repository: 'acme/warehouse', run_id: '1001' },
      claimedTags: { QUERY_TAG: 'nightly-report' },
      connection: 'sandbox',
      clientApp: 'JavaScript',
      clientVersion: '3.4.0',
      gatewaySessionId: 'gw-session-1',
      upstreamSessionId: 'up-session-1',
      requestId: 'req-1',
      parentStatementId: null,
      queryId: 'q-1',
      sqlText: 'SELECT id, total FROM order_items WHERE id = ?',
      binds: { '1': { type: 'FIXED', value: '42' } },
      bindRecording: 'recorded',
      statementType: 'SELECT',
      statementTypeId: 4096,
      outcome: 'success',
      errorCode: null,
      errorMessage: null,
      rows: 10 + 1000 + 500,
      bytes: 640 + 64_000 + 32_000,
      chunks: 2,
    });
  });

  test('shows a statement with no result as unfinished', () => {
    const view = store.getStatement('st-3')!.view;
    assert.equal(view.outcome, null);
    assert.equal(view.finishedAt, null);
    assert.equal(view.rows, 0);
    assert.equal(store.getStatement('st-unknown'), null);
  });

  test('lists statements newest first by default', () => {
    assert.deepEqual(ids(store.searchStatements()), ['st-3', 'st-2', 'st-1']);
    assert.deepEqual(ids(store.searchStatements({ limit: 1 })), ['st-3']);
  });

  test('filters by principal and connection', () => {
    assert.deepEqual(ids(store.searchStatements({ principal: 'bob' })), ['st-2']);
    assert.deepEqual(ids(store.searchStatements({ connection: 'sandbox' })), ['st-3', 'st-1']);
    assert.deepEqual(ids(store.searchStatements({ principal: 'bob', connection: 'sandbox' })), []);
  });

  test('filters by verified and claimed tags, apart from each other', () => {
    assert.deepEqual(ids(store.searchStatements({ tags: { run_id: '2002' } })), ['st-2']);
    assert.deepEqual(
      ids(store.searchStatements({ tags: { run_id: '1001', repository: 'acme/warehouse' } })),
      ['st-3', 'st-1'],
    );
    assert.deepEqual(ids(store.searchStatements({ claimedTags: { CLIENT_APP_ID: 'dbt' } })), [
      'st-2',
    ]);
    // A claimed tag is not a verified one.
    assert.deepEqual(ids(store.searchStatements({ tags: { CLIENT_APP_ID: 'dbt' } })), []);
  });

  test('filters by time range, inclusive at both ends', () => {
    const range = { since: '2026-05-01T11:00:00.000Z', until: '2026-05-01T12:00:00.000Z' };
    assert.deepEqual(ids(store.searchStatements(range)), ['st-3', 'st-2']);
    assert.deepEqual(ids(store.searchStatements({ until: new Date('2026-05-01T10:30:00Z') })), [
      'st-1',
    ]);
  });

  test('filters by outcome from the latest result, and by statement type in any case', () => {
    assert.deepEqual(ids(store.searchStatements({ outcome: 'failure' })), ['st-2']);
    assert.deepEqual(ids(store.searchStatements({ outcome: 'success' })), ['st-1']);
    assert.deepEqual(ids(store.searchStatements({ statementType: 'delete' })), ['st-3']);
  });

  test('searches SQL text: whole words, underscores inside words, prefixes with *', () => {
    assert.deepEqual(ids(store.searchStatements({ text: 'order_items' })), ['st-1']);
    assert.deepEqual(ids(store.searchStatements({ text: 'order' })), []);
    assert.deepEqual(ids(store.searchStatements({ text: 'order*' })), ['st-2', 'st-1']);
    assert.deepEqual(ids(store.searchStatements({ text: 'select FROM' })), ['st-2', 'st-1']);
    assert.deepEqual(ids(store.searchStatements({ text: 'customers "where" (' })), ['st-3']);
  });

  test('lists logins and session ends as records of their own', () => {
    const logins = store.searchRecords({ kind: 'login' });
    assert.deepEqual(
      logins.map((record) => record.seq),
      [2, 1],
    );
    assert.deepEqual(
      store.searchRecords({ kind: 'login', outcome: 'failure' }).map((record) => record.seq),
      [2],
    );
    assert.deepEqual(
      store.searchRecords({ kind: 'session_end', tags: { run_id: '1001' } }).map((r) => r.seq),
      [10],
    );
  });

  test('raises TypeError for filters that cannot apply', () => {
    assert.throws(() => store.searchRecords({ kind: 'login', text: 'x' }), TypeError);
    assert.throws(
      () => store.searchRecords({ kind: 'session_end', outcome: 'success' }),
      TypeError,
    );
    assert.throws(() => store.searchStatements({ since: 'yesterday-ish' }), TypeError);
    assert.throws(() => store.searchStatements({ limit: 0 }), TypeError);
    assert.throws(() => store.searchStatements({ text: '  "" ' }), TypeError);
  });

  test('refuses malformed events with TypeError and writes nothing', async () => {
    const count = store.count();
    await assert.rejects(store.append({ ...statementEvent(), statementId: '' }), TypeError);
    await assert.rejects(store.append({ ...loginEvent(), time: 'not a time' }), TypeError);
    await assert.rejects(
      store.append({ ...loginEvent(), verifiedTags: { run_id: 7 as unknown as string } }),
      TypeError,
    );
    assert.equal(store.count(), count);
  });

  test('the database itself refuses UPDATE and DELETE of written records and tags', () => {
    const db = new Database(dir.path);
    try {
      assert.throws(
        () => db.prepare("UPDATE audit_records SET principal = 'x'").run(),
        /append-only/,
      );
      assert.throws(
        () => db.prepare('DELETE FROM audit_records WHERE seq = 1').run(),
        /append-only/,
      );
      for (const [table, column] of [
        ['audit_tag_values', 'value'],
        ['audit_tag_sets', 'tag_ids'],
        ['audit_tag_set_members', 'tag_id'],
      ]) {
        assert.throws(() => db.prepare(`UPDATE ${table} SET ${column} = 0`).run(), /append-only/);
        assert.throws(() => db.prepare(`DELETE FROM ${table}`).run(), /append-only/);
      }
    } finally {
      db.close();
    }
  });

  test('a read-only store reads the same data and refuses to append', async () => {
    const reader = openAuditStore({ path: dir.path, readOnly: true });
    try {
      assert.deepEqual(ids(reader.searchStatements({ principal: 'bob' })), ['st-2']);
      await assert.rejects(reader.append(loginEvent()), { code: 'TG_AUDIT_UNAVAILABLE' });
    } finally {
      await reader.close();
    }
  });

  test('verify passes on an untouched store', () => {
    const report = store.verify();
    assert.equal(report.ok, true);
    assert.equal(report.records, EVENTS.length);
    assert.deepEqual(report.kinds, {
      login: 2,
      statement: 3,
      statement_result: 2,
      result_chunk: 2,
      session_end: 1,
    });
    assert.deepEqual(report.head, { seq: 10, id: written[9]!.id, hash: written[9]!.hash });
    assert.deepEqual(report.warnings, []);
  });
});

describe('opening a store', () => {
  test('refuses to read a store that does not exist', () => {
    const dir = tempStore();
    try {
      assert.throws(() => openAuditStore({ path: dir.path, readOnly: true }), {
        code: 'TG_AUDIT_UNAVAILABLE',
        message: `there is no audit store at ${dir.path}`,
      });
    } finally {
      dir.cleanup();
    }
  });

  test('refuses a SQLite file that is not an audit store', () => {
    const dir = tempStore();
    const other = new Database(dir.path);
    other.exec('CREATE TABLE t (x)');
    other.close();
    try {
      assert.throws(() => openAuditStore({ path: dir.path, readOnly: true }), {
        code: 'TG_AUDIT_UNAVAILABLE',
        message: `${dir.path} is not a Tollgate audit store`,
      });
    } finally {
      dir.cleanup();
    }
  });

  test('refuses a store written with another schema version', async () => {
    const dir = tempStore();
    await openAuditStore({ path: dir.path }).close();
    const db = new Database(dir.path);
    db.exec('UPDATE audit_schema SET version = 99');
    db.close();
    try {
      assert.throws(() => openAuditStore({ path: dir.path }), {
        code: 'TG_AUDIT_UNAVAILABLE',
        message: `${dir.path} has audit schema version 99; this Tollgate reads version 1`,
      });
    } finally {
      dir.cleanup();
    }
  });

  test('uses WAL, with synchronous NORMAL by default and FULL for fsync durability', async () => {
    const dir = tempStore();
    try {
      for (const [durability, level] of [
        ['default', 1],
        ['fsync', 2],
      ] as const) {
        const store = openAuditStore({ path: dir.path, durability });
        assert.deepEqual(await store.ready(), { journalMode: 'wal', synchronous: level });
        await store.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('concurrent appends', () => {
  test('appends made together get distinct, gap-free seqs and an intact chain', async () => {
    const dir = tempStore();
    const store = openAuditStore({ path: dir.path, durability: 'fsync' });
    try {
      const records = await Promise.all(
        Array.from({ length: 2000 }, (_, index) =>
          store.append(statementEvent({ statementId: `st-${index}`, sqlText: `SELECT ${index}` })),
        ),
      );

      assert.deepEqual(
        records.map((record) => record.seq),
        Array.from({ length: 2000 }, (_, index) => index + 1),
      );
      assert.equal(store.getStatement('st-1234')!.view.sqlText, 'SELECT 1234');
      assert.equal(store.verify().ok, true);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });

  test('each record of many batches in flight at once points at the one before it', async () => {
    const dir = tempStore();
    const store = openAuditStore({ path: dir.path });
    try {
      const records = await Promise.all(
        Array.from({ length: 500 }, (_, index) =>
          store.append(loginEvent({ principal: `p-${index}` })),
        ),
      );

      for (const [index, record] of records.entries()) {
        assert.equal(record.prevHash, index === 0 ? GENESIS_HASH : records[index - 1]!.hash);
        assert.deepEqual(store.getBySeq(record.seq), record);
      }
    } finally {
      await store.close();
      dir.cleanup();
    }
  });

  test('two stores writing to one file interleave into one chain', async () => {
    const dir = tempStore();
    const first = openAuditStore({ path: dir.path });
    const second = openAuditStore({ path: dir.path });
    try {
      const rounds = Array.from({ length: 50 }, (_, round) =>
        Promise.all(
          [first, second].flatMap((store, which) =>
            Array.from({ length: 10 }, (_, index) =>
              store.append(loginEvent({ principal: `p-${which}-${round}-${index}` })),
            ),
          ),
        ),
      );
      const records = (await Promise.all(rounds)).flat();

      const seqs = records.map((record) => record.seq).sort((a, b) => a - b);
      assert.deepEqual(
        seqs,
        Array.from({ length: 1000 }, (_, index) => index + 1),
      );
      const report = first.verify();
      assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
      assert.equal(report.records, 1000);
    } finally {
      await first.close();
      await second.close();
      dir.cleanup();
    }
  });
});

describe('ChainWriter', () => {
  function openWriter() {
    const dir = tempStore();
    const db = new Database(dir.path);
    prepareSchema(db, dir.path);
    return { dir, db, writer: new ChainWriter(db) };
  }

  const row = (principal: string) => toEventRow(loginEvent({ principal })).stored;

  test('writes several batches as one stretch of the chain, each starting where the last ended', () => {
    const { dir, db, writer } = openWriter();
    try {
      const [first, second] = writer.write([[row('a'), row('b')], [row('c')]]);

      assert.equal(first!.firstSeq, 1);
      assert.equal(first!.prevHash, GENESIS_HASH);
      assert.equal(second!.firstSeq, 3);
      assert.equal(second!.prevHash, first!.hashes[1]);
      const stored = db.prepare('SELECT hash FROM audit_records ORDER BY seq').pluck().all();
      assert.deepEqual(stored, [...first!.hashes, ...second!.hashes]);
    } finally {
      db.close();
      dir.cleanup();
    }
  });

  test('writes nothing of any batch when one of them fails', () => {
    const { dir, db, writer } = openWriter();
    try {
      const broken = { ...row('b'), kind: null } as unknown as StoredRow;
      assert.throws(() => writer.write([[row('a')], [broken]]), /NOT NULL/);
      assert.equal(db.prepare('SELECT count(*) FROM audit_records').pluck().get(), 0);

      const [after] = writer.write([[row('c')]]);
      assert.equal(after!.firstSeq, 1);
    } finally {
      db.close();
      dir.cleanup();
    }
  });
});

function ids(views: Array<{ id: string }>): string[] {
  return views.map((view) => view.id);
}
