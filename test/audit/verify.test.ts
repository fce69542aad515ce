import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { recordHash } from '../../src/audit/chain.js';
import { openAuditStore, verifyExportFile } from '../../src/audit/index.js';
import type { AuditRecord } from '../../src/audit/types.js';
import { loginEvent, resultEvent, statementEvent, tempStore } from './helpers.js';

const RECORDS = 20;

/** Opens the file as an attacker with write access would: guards and foreign keys off first. */
function tamper(path: string, change: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    db.pragma('foreign_keys = OFF');
    for (const table of [
      'audit_records',
      'audit_tag_values',
      'audit_tag_sets',
      'audit_tag_set_members',
    ]) {
      db.exec(`DROP TRIGGER ${table}_no_update; DROP TRIGGER ${table}_no_delete;`);
    }
    change(db);
  } finally {
    db.close();
  }
}

describe('verify', () => {
  let dir: ReturnType<typeof tempStore>;
  let written: AuditRecord[];

  beforeEach(async () => {
    dir = tempStore();
    const store = openAuditStore({ path: dir.path });
    written = [];
    for (let index = 0; index < RECORDS; index += 1) {
      const statementId = `st-${index}`;
      const event =
        index % 2 === 0
          ? statementEvent({ statementId, sqlText: `SELECT ${index} FROM orders` })
          : resultEvent({ statementId: `st-${index - 1}`, rows: index });
      written.push(await store.append(event));
    }
    await store.close();
  });

  afterEach(() => dir.cleanup());

  function verify() {
    const store = openAuditStore({ path: dir.path, readOnly: true });
    try {
      return store.verify();
    } finally {
      void store.close();
    }
  }

  test('names a record whose event was edited', () => {
    tamper(dir.path, (db) => {
      const row = db.prepare('SELECT event FROM audit_records WHERE seq = 7').get() as {
        event: string;
      };
      const edited = row.event.replace('"SELECT 6 FROM orders"', '"SELECT 6 FROM invoices"');
      assert.notEqual(edited, row.event);
      db.prepare('UPDATE audit_records SET event = ? WHERE seq = 7').run(edited);
    });

    const report = verify();
    assert.equal(report.ok, false);
    assert.equal(report.breaks, 1);
    assert.equal(report.records, RECORDS);
    assert.deepEqual(
      { ...report.firstBreak, detail: undefined },
      {
        problem: 'hash_mismatch',
        seq: 7,
        id: written[6]!.id,
        observedSeq: 7,
        observedId: written[6]!.id,
        detail: undefined,
      },
    );
    assert.match(report.firstBreak!.detail, /^record 7 was altered/);
    assert.equal(report.warnings.length, 8);
  });

  test('names the first of the records deleted from the middle', () => {
    tamper(dir.path, (db) => db.exec('DELETE FROM audit_records WHERE seq IN (5, 6)'));

    const report = verify();
    assert.equal(report.ok, false);
    assert.equal(report.breaks, 1);
    assert.equal(report.records, RECORDS - 2);
    assert.deepEqual(report.firstBreak, {
      problem: 'missing_records',
      seq: 5,
      id: null,
      observedSeq: 7,
      observedId: written[6]!.id,
      detail: 'records 5 to 6 are missing (deleted) before record 7',
    });
  });

  test('catches records deleted from the end', () => {
    tamper(dir.path, (db) => db.exec(`DELETE FROM audit_records WHERE seq > ${RECORDS - 3}`));

    const report = verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBreak!.problem, 'missing_records');
    assert.equal(report.firstBreak!.seq, RECORDS - 2);
    assert.equal(report.head!.seq, RECORDS - 3);
  });

  test('catches an edited record whose hash was recomputed, at the record after it', () => {
    tamper(dir.path, (db) => {
      const row = db.prepare('SELECT * FROM audit_records WHERE seq = 4').get() as {
        id: string;
        event: string;
        prev_hash: string;
      };
      const event = row.event.replace('"rows":3', '"rows":3000');
      const hash = recordHash(row.prev_hash, 4, row.id, event);
      db.prepare('UPDATE audit_records SET event = ?, hash = ? WHERE seq = 4').run(event, hash);
    });

    const report = verify();
    assert.equal(report.firstBreak!.problem, 'prev_hash_mismatch');
    assert.equal(report.firstBreak!.seq, 5);
    assert.equal(report.breaks, 1);
  });

  test('catches a search column changed apart from its event', () => {
    tamper(dir.path, (db) =>
      db.exec("UPDATE audit_records SET principal = 'someone-else' WHERE seq = 9"),
    );

    const report = verify();
    assert.equal(report.firstBreak!.problem, 'index_mismatch');
    assert.equal(report.firstBreak!.seq, 9);
    assert.match(report.firstBreak!.detail, /principal column says "someone-else"/);
  });

  test('catches a record moved out of its tag set to hide it from --tag searches', () => {
    tamper(dir.path, (db) => db.exec('UPDATE audit_records SET tag_set_id = NULL WHERE seq = 11'));

    const report = verify();
    assert.equal(report.firstBreak!.problem, 'index_mismatch');
    assert.equal(report.firstBreak!.seq, 11);
    assert.equal(report.breaks, 1);
    assert.match(
      report.firstBreak!.detail,
      /^record 11's stored tags do not match the tags in its event/,
    );
  });

  test('catches a shared tag value rewritten, at the first record carrying it', () => {
    tamper(dir.path, (db) =>
      db.exec("UPDATE audit_tag_values SET value = '9999' WHERE key = 'run_id'"),
    );

    const report = verify();
    assert.equal(report.firstBreak!.problem, 'index_mismatch');
    assert.equal(report.firstBreak!.seq, 1);
    // Only statements carry tags here (results share their statement's): every other record.
    assert.equal(report.breaks, RECORDS / 2);
  });

  test('warns about dropped guards even when nothing else changed', () => {
    tamper(dir.path, () => {});

    const report = verify();
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.warnings.map((warning) => warning.split(' ')[3]),
      [
        'audit_records_no_update',
        'audit_records_no_delete',
        'audit_tag_values_no_update',
        'audit_tag_values_no_delete',
        'audit_tag_sets_no_update',
        'audit_tag_sets_no_delete',
        'audit_tag_set_members_no_update',
        'audit_tag_set_members_no_delete',
      ],
    );
  });
});

describe('export and verify --file', () => {
  let dir: ReturnType<typeof tempStore>;

  beforeEach(async () => {
    dir = tempStore();
    const store = openAuditStore({ path: dir.path });
    for (let hour = 0; hour < 10; hour += 1) {
      const time = `2026-05-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
      await store.append(loginEvent({ time, principal: `p-${hour}` }));
    }
    await store.close();
  });

  afterEach(() => dir.cleanup());

  function exportTo(name: string, range = {}): string {
    const store = openAuditStore({ path: dir.path, readOnly: true });
    const file = join(dir.dir, name);
    writeFileSync(file, [...store.exportLines(range)].map((line) => `${line}\n`).join(''));
    void store.close();
    return file;
  }

  test('an export verifies on its own, from the genesis hash', async () => {
    const report = await verifyExportFile(exportTo('all.jsonl'));
    assert.equal(report.ok, true);
    assert.equal(report.records, 10);
    assert.equal(report.first!.seq, 1);
  });

  test('a time-range export is the contiguous run of records in the range', async () => {
    const file = exportTo('part.jsonl', {
      since: '2026-05-01T03:00:00Z',
      until: '2026-05-01T05:30:00Z',
    });
    const seqs = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).seq);
    assert.deepEqual(seqs, [4, 5, 6]);

    const report = await verifyExportFile(file);
    assert.equal(report.ok, true);
    assert.equal(report.first!.seq, 4);
  });

  test('an edited, dropped or garbled line is named', async () => {
    const file = exportTo('all.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');

    writeFileSync(file, `${lines.map((l) => l.replace('"p-2"', '"p-x"')).join('\n')}\n`);
    assert.equal((await verifyExportFile(file)).firstBreak!.seq, 3);

    writeFileSync(file, `${lines.filter((_, index) => index !== 7).join('\n')}\n`);
    assert.deepEqual(
      { ...(await verifyExportFile(file)).firstBreak, detail: undefined, observedId: undefined },
      {
        problem: 'missing_records',
        seq: 8,
        id: null,
        observedSeq: 9,
        observedId: undefined,
        detail: undefined,
      },
    );

    writeFileSync(file, `${lines.slice(0, 4).join('\n')}\n{"seq":5,"oops\n`);
    const garbled = await verifyExportFile(file);
    assert.equal(garbled.firstBreak!.problem, 'malformed');
    assert.match(garbled.firstBreak!.detail, /^line 5 is not an audit record/);
  });

  test('an export that claims to start at seq 1 must start from the genesis hash', async () => {
    const file = exportTo('all.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const forged = JSON.parse(lines[0]!);
    forged.prevHash = 'f'.repeat(64);
    writeFileSync(file, `${JSON.stringify(forged)}\n`);

    const report = await verifyExportFile(file);
    assert.equal(report.firstBreak!.problem, 'prev_hash_mismatch');
    assert.equal(report.firstBreak!.seq, 1);
  });
});
