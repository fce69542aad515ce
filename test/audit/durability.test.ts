import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type AuditDurability, isRecorded, openAuditStore } from '../../src/audit/index.js';
import { createLogger } from '../../src/log.js';
import { logCapture, loginEvent, statementEvent, tempStore } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs the appending child until it has acknowledged `atLeast` records, then SIGKILLs it. */
async function appendThenKill(path: string, durability: AuditDurability, atLeast: number) {
  const child = spawn(process.execPath, [fixture('append-until-killed.js'), path, durability], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    output += text;
    if (output.split('\n').length > atLeast) child.kill('SIGKILL');
  });

  const [, signal] = (await new Promise((resolve) =>
    child.on('exit', (...end) => resolve(end)),
  )) as [number | null, string | null];
  const complete = output.split('\n').slice(0, -1);
  return { signal, acknowledged: complete.map((line) => line.split(' ') as [string, string]) };
}

describe('durability', () => {
  for (const durability of ['default', 'fsync'] as const) {
    test(`every append acknowledged before a SIGKILL is there afterwards (${durability})`, async () => {
      const dir = tempStore();
      try {
        const { signal, acknowledged } = await appendThenKill(dir.path, durability, 3000);
        assert.equal(signal, 'SIGKILL');
        assert.ok(acknowledged.length >= 3000);

        const store = openAuditStore({ path: dir.path });
        for (const [seq, hash] of acknowledged) {
          assert.equal(store.getBySeq(Number(seq))?.hash, hash, `record ${seq}`);
        }
        const report = store.verify();
        assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
        assert.ok(report.records >= acknowledged.length);
        await store.close();
      } finally {
        dir.cleanup();
      }
    });
  }
});

describe('the writer thread', () => {
  test('completes an awaited append, then lets the process exit without close()', () => {
    const dir = tempStore();
    try {
      const run = spawnSync(process.execPath, [fixture('append-and-leave.js'), dir.path], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(run.signal, null, 'the process had to be killed: the store held it open');
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, '1\n');
    } finally {
      dir.cleanup();
    }
  });
});

describe('fail-closed', () => {
  test('refuses appends while another process holds the write lock, and recovers after', async () => {
    const dir = tempStore();
    const log = logCapture();
    const store = openAuditStore({
      path: dir.path,
      busyTimeoutMs: 50,
      logger: createLogger({ destination: log.stream }),
    });
    const before = await store.append(loginEvent());
    const other = new Database(dir.path);
    try {
      other.exec('BEGIN EXCLUSIVE');
      await assert.rejects(store.append(statementEvent()), {
        name: 'TollgateError',
        code: 'TG_AUDIT_UNAVAILABLE',
        message: 'the audit log cannot be written, so the request was refused',
      });
      other.exec('COMMIT');

      const after = await store.append(statementEvent({ statementId: 'st-after' }));
      assert.equal(after.seq, before.seq + 1);
      assert.equal(after.prevHash, before.hash);
      assert.equal(store.verify().ok, true);

      const failures = log.lines.filter((line) => line.msg === 'audit store cannot write');
      assert.equal(failures.length, 1);
      assert.equal(failures[0]!.level, 50);
      assert.match(String((failures[0]!.err as { message: string }).message), /database is locked/);
    } finally {
      other.close();
      await store.close();
      dir.cleanup();
    }
  });

  test('refuses appends once the store file is deleted under it', async () => {
    const dir = tempStore();
    const log = logCapture();
    const store = openAuditStore({
      path: dir.path,
      logger: createLogger({ destination: log.stream }),
    });
    try {
      await store.append(loginEvent());
      rmSync(dir.path);

      await assert.rejects(store.append(statementEvent()), { code: 'TG_AUDIT_UNAVAILABLE' });
      const failure = log.lines.find((line) => line.msg === 'audit store cannot write');
      assert.match(JSON.stringify(failure?.err), /removed or replaced/);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });

  test('refuses appends when the disk is full, keeping every acknowledged record', () => {
    const dir = tempStore();
    try {
      const result = fillDisk(dir.path, 'closed');
      assert.deepEqual(result.failure, {
        name: 'TollgateError',
        code: 'TG_AUDIT_UNAVAILABLE',
        message: 'the audit log cannot be written, so the request was refused',
      });
      assert.ok(result.acknowledged.length > 10);
      assert.match(result.stderr, /"level":50.*"msg":"audit store cannot write"/);

      const store = openAuditStore({ path: dir.path });
      for (const [seq, hash] of result.acknowledged) assert.equal(store.getBySeq(seq)?.hash, hash);
      assert.equal(store.verify().ok, true);
      void store.close();
    } finally {
      dir.cleanup();
    }
  });

  test('appends after close are refused', async () => {
    const dir = tempStore();
    const store = openAuditStore({ path: dir.path });
    await store.close();
    await assert.rejects(store.append(loginEvent()), { code: 'TG_AUDIT_UNAVAILABLE' });
    dir.cleanup();
  });
});

describe('fail-open', () => {
  test('resolves unrecorded stand-ins while the store cannot write, logging each one', async () => {
    const dir = tempStore();
    const log = logCapture();
    const store = openAuditStore({
      path: dir.path,
      failOpen: true,
      busyTimeoutMs: 50,
      logger: createLogger({ destination: log.stream }),
    });
    const first = await store.append(loginEvent());
    const other = new Database(dir.path);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const secret = statementEvent({
        statementId: 'st-lost',
        binds: { '1': { value: 'hunter2' } },
      });
      const lost = await Promise.all([store.append(secret), store.append(statementEvent())]);
      other.exec('COMMIT');

      for (const record of lost) {
        assert.equal(isRecorded(record), false);
        assert.deepEqual([record.seq, record.prevHash, record.hash], [0, '', '']);
      }
      assert.equal(isRecorded(first), true);

      const lostLines = log.lines.filter((line) => String(line.msg).startsWith('audit event NOT'));
      assert.deepEqual(
        lostLines.map((line) => [line.level, line.statementId]),
        [
          [50, 'st-lost'],
          [50, 'st-1'],
        ],
      );
      assert.ok(log.lines.some((line) => line.level === 40 && /fail-open/.test(String(line.msg))));
      assert.doesNotMatch(log.text(), /hunter2|order_items/);

      const next = await store.append(loginEvent());
      assert.equal(next.seq, 2);
      assert.equal(next.prevHash, first.hash);
    } finally {
      other.close();
      await store.close();
      dir.cleanup();
    }
  });

  test('resolves unrecorded stand-ins when the disk is full', () => {
    const dir = tempStore();
    try {
      const result = fillDisk(dir.path, 'open');
      assert.equal(result.failure, null);
      assert.equal(result.unrecorded, 1);
      assert.match(result.stderr, /"level":50.*"msg":"audit event NOT recorded/);
    } finally {
      dir.cleanup();
    }
  });

  test('still rejects malformed events', async () => {
    const dir = tempStore();
    const store = openAuditStore({ path: dir.path, failOpen: true });
    await assert.rejects(store.append({ ...loginEvent(), kind: 'nope' as 'login' }), TypeError);
    await store.close();
    dir.cleanup();
  });
});

/** Runs the fill-disk child with a file size limit of a few MiB (`ulimit -f` counts blocks). */
function fillDisk(path: string, mode: 'closed' | 'open') {
  const run = spawnSync(
    '/bin/sh',
    [
      '-c',
      'ulimit -f 4096 && exec "$0" "$@"',
      process.execPath,
      fixture('fill-disk.js'),
      path,
      mode,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as {
    acknowledged: Array<[number, string]>;
    failure: { name: string; code: string; message: string } | null;
    unrecorded: number;
  };
  return { ...result, stderr: run.stderr };
}
