import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { connect, destroy, query } from '../../support/sandbox.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

interface RunningCli {
  child: ChildProcess;
  sandbox: Sandbox;
}

/** Starts `tollgate sandbox` as a child process and reads the URL it prints. */
async function startCli(args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [MAIN, 'sandbox', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TOLLGATE_LOG_LEVEL: 'warn' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [url] = (await once(lines, 'line')) as [string];
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const port = Number(new URL(url).port);
  return { child, sandbox: { url, port, close: async () => {} } };
}

/** Sends SIGTERM and returns the exit code. */
async function stopCli(cli: RunningCli): Promise<number | null> {
  const exited = once(cli.child, 'exit');
  cli.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

describe('tollgate sandbox', () => {
  test('--seed runs at start, --data keeps databases across a restart, SIGTERM exits cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sandbox-cli-'));
    const seed = join(dir, 'seed.sql');
    writeFileSync(
      seed,
      "create table seeded (id integer, name varchar);\ninsert into seeded values (1, 'from seed');\n",
    );
    const data = join(dir, 'data');

    const first = await startCli(['--data', data, '--seed', seed]);
    const connection = await connect(first.sandbox);
    assert.deepEqual(await query(connection, 'select id as "ID", name as "NAME" from seeded'), [
      { ID: 1, NAME: 'from seed' },
    ]);
    await query(connection, 'create table kept (n integer)');
    await query(connection, 'insert into kept values (10), (20)');
    await destroy(connection);
    assert.equal(await stopCli(first), 0);

    const second = await startCli(['--data', data]);
    const again = await connect(second.sandbox);
    assert.deepEqual(await query(again, 'select n as "N" from kept order by n'), [
      { N: 10 },
      { N: 20 },
    ]);
    assert.deepEqual(await query(again, 'select count(*) as "C" from seeded'), [{ C: 1 }]);
    await destroy(again);
    assert.equal(await stopCli(second), 0);
  });

  test('without --data nothing survives a restart', async () => {
    const first = await startCli([]);
    const connection = await connect(first.sandbox);
    await query(connection, 'create table gone (n integer)');
    await destroy(connection);
    assert.equal(await stopCli(first), 0);

    const second = await startCli([]);
    const again = await connect(second.sandbox);
    await assert.rejects(query(again, 'select * from gone'), (error: Record<string, unknown>) => {
      return error.code === '002003';
    });
    await destroy(again);
    assert.equal(await stopCli(second), 0);
  });

  test('--users refuses a wrong password with 390100', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sandbox-cli-'));
    const users = join(dir, 'users.yaml');
    writeFileSync(users, 'users:\n  - name: analyst\n    password: right\n');
    const cli = await startCli(['--users', users]);
    try {
      await assert.rejects(connect(cli.sandbox, { username: 'analyst', password: 'wrong' }), {
        code: '390100',
      });
      const connection = await connect(cli.sandbox, { username: 'analyst', password: 'right' });
      await destroy(connection);
    } finally {
      assert.equal(await stopCli(cli), 0);
    }
  });
});
