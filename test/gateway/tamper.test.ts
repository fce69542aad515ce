import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { destroy, execute } from './driver.js';
import { type Harness, startHarness } from './harness.js';

/**
 * Evidence after a real session: `tollgate audit verify` passes on the log the gateway wrote, and
 * names the first broken event once a record is altered or deleted directly in the SQLite file.
 */

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let harness: Harness;

before(async () => {
  harness = await startHarness();
  const connection = await harness.connect();
  for (const n of [1, 2, 3]) await execute(connection, `select ${n} as tamper_${n}`);
  await destroy(connection);
  await harness.gateway.close();
});

after(async () => {
  // Undefined when startHarness itself failed; that error is the one to see.
  await harness?.close();
});

/** A bound on one `audit verify` run, which takes well under a second on this small log. */
const VERIFY_TIMEOUT_MS = 60_000;

interface Verified {
  status: number | null;
  report: { ok: boolean; firstBreak: { seq: number; problem: string } | null };
}

/**
 * Runs `tollgate audit verify` as a child process. Asynchronously and with a bound: a child that
 * never exits must fail this test, not freeze the event loop so that no timeout or `after` hook
 * can run.
 */
function verify(): Promise<Verified> {
  const args = [CLI, 'audit', 'verify', '--db', harness.config.audit.path, '--json'];
  const options = {
    encoding: 'utf8' as const,
    timeout: VERIFY_TIMEOUT_MS,
    killSignal: 'SIGKILL' as const,
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, options, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`audit verify did not finish: ${stderr}`));
      else resolve({ status: error ? Number(error.code ?? 1) : 0, report: JSON.parse(stdout) });
    });
  });
}

/** The seq of the `statement` record of the statement whose SQL has `marker`. */
function seqOf(db: Database.Database, marker: string): number {
  const row = db
    .prepare("SELECT seq FROM audit_records WHERE kind = 'statement' AND event LIKE ?")
    .get(`%${marker}%`) as { seq: number };
  return row.seq;
}

/** Opens the store as an attacker with file access would: triggers dropped first. */
function tamperWith(change: (db: Database.Database) => void): void {
  const db = new Database(harness.config.audit.path);
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
  }[];
  for (const { name } of triggers) db.exec(`DROP TRIGGER ${name}`);
  change(db);
  db.close();
}

test('the log the gateway wrote verifies', async () => {
  const { status, report } = await verify();
  assert.equal(status, 0);
  assert.equal(report.ok, true);
});

test('an event altered in the store is named by audit verify', async () => {
  let altered = 0;
  tamperWith((db) => {
    altered = seqOf(db, 'tamper_2');
    db.prepare('UPDATE audit_records SET event = replace(event, ?, ?) WHERE seq = ?').run(
      'select 2 as tamper_2',
      'select 0 as tamper_2',
      altered,
    );
  });

  const { status, report } = await verify();
  assert.notEqual(status, 0);
  assert.equal(report.ok, false);
  assert.equal(report.firstBreak?.seq, altered);
});

test('an event deleted from the store is named by audit verify', async () => {
  let deleted = 0;
  tamperWith((db) => {
    deleted = seqOf(db, 'tamper_1');
    db.prepare('DELETE FROM audit_records WHERE seq = ?').run(deleted);
  });

  const { report } = await verify();
  assert.equal(report.ok, false);
  assert.equal(report.firstBreak?.seq, deleted);
});
