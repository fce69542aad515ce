import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, destroy, execute } from './driver.js';

/**
 * `tollgate demo` end to end, as a new user runs it: start it, mint a token with `tollgate token`,
 * connect with snowflake-sdk, run a query, and find it with `tollgate audit search --tag`.
 */

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = promisify(execFile);

let dataDir: string;
let demo: ChildProcess;
let printed = '';
let errors = '';

function tollgate(...args: string[]) {
  return run(process.execPath, [CLI, ...args, '--data', dataDir], { encoding: 'utf8' });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tollgate-demo-'));
  demo = spawn(process.execPath, [CLI, 'demo', '--data', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.on('data', (piece: Buffer) => {
    printed += piece.toString('utf8');
  });
  demo.stderr?.on('data', (piece: Buffer) => {
    errors += piece.toString('utf8');
  });
  while (!printed.includes('Press Ctrl-C')) {
    const [exited] = await Promise.race([
      once(demo.stdout!, 'data').then(() => [false]),
      once(demo, 'exit').then(() => [true]),
    ]);
    assert.equal(exited, false, `tollgate demo exited before it was ready: ${errors}`);
  }
});

after(async () => {
  if (demo.exitCode === null) {
    demo.kill('SIGINT');
    await once(demo, 'exit');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('the demo prints its endpoint, account, data folder and how to connect', () => {
  assert.match(printed, /Snowflake endpoint\s+http:\/\/127\.0\.0\.1:\d+/);
  assert.match(printed, /Account \(connection\)\s+sandbox/);
  assert.ok(printed.includes(dataDir));
  assert.match(printed, /tollgate token --data .* --claim /);
  assert.match(printed, /tollgate audit search --data .* --tag run_id=42/);
  assert.match(printed, /snowflake\.createConnection/);
});

test('the generated config names the upstream password by file, never inline', () => {
  const config = readFileSync(join(dataDir, 'tollgate.yaml'), 'utf8');
  const password = readFileSync(join(dataDir, 'sandbox-password'), 'utf8').trim();
  assert.match(config, /passwordFile: /);
  assert.ok(!config.includes(password));
});

test('a minted token connects, the query runs, and audit search finds it by tag', async () => {
  const endpoint = /Snowflake endpoint\s+(http:\/\/\S+)/.exec(printed)?.[1] as string;
  const token = (await tollgate('token', '--claim', 'run_id=4242')).stdout.trim();

  const connection = await connect({ accessUrl: endpoint, account: 'sandbox', token });
  const { rows } = await execute(connection, 'select 6 * 7 as answer_from_demo');
  await destroy(connection);
  assert.deepEqual(rows, [{ ANSWER_FROM_DEMO: 42 }]);

  const search = await tollgate('audit', 'search', '--tag', 'run_id=4242', '--json');
  const found = JSON.parse(search.stdout) as { sqlText: string; rows: number; outcome: string }[];
  assert.deepEqual(
    found.map((view) => [view.sqlText, view.rows, view.outcome]),
    [['select 6 * 7 as answer_from_demo', 1, 'success']],
  );

  const verified = await tollgate('audit', 'verify');
  assert.match(verified.stdout, /^Audit log intact: \d+ records/);
});

test('Ctrl-C stops the demo cleanly', async () => {
  demo.kill('SIGINT');
  const [code] = await once(demo, 'exit');
  assert.equal(code, 0);
});
