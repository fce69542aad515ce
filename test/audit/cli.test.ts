import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openAuditStore } from '../../src/audit/index.js';
import { auditDbPath } from '../../src/paths.js';
import {
  chunkEvent,
  loginEvent,
  resultEvent,
  sessionBase,
  statementEvent,
  tempStore,
} from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** SQL with everything CSV must quote: a comma, a double quote and a line break. */
const AWKWARD_SQL = 'SELECT "total", name\nFROM order_items -- monthly, "gross"';

const dir = tempStore();

/** Runs the compiled `tollgate audit ...` as a user would, with its home in the temp folder. */
function tollgate(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [MAIN, 'audit', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TOLLGATE_HOME: join(dir.dir, 'home'), COLUMNS: '', ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

before(() => fillStore(dir.path));

after(() => dir.cleanup());

/** Two logins, a chunked SELECT, and a failed INSERT by another principal. */
async function fillStore(path: string): Promise<void> {
  const store = openAuditStore({ path });
  await store.append(loginEvent());
  await store.append(
    loginEvent({
      ...sessionBase({ principal: null, verifiedTags: {}, time: '2026-05-01T09:59:00.000Z' }),
      outcome: 'failure',
      errorCode: 'TG_TOKEN_AUDIENCE_MISMATCH',
      errorMessage: 'aud is "other", expected "tollgate"',
    }),
  );
  await store.append(statementEvent({ sqlText: AWKWARD_SQL }));
  await store.append(resultEvent({ rows: 10, bytes: 640 }));
  await store.append(chunkEvent({ chunkIndex: 0, rows: 1000, bytes: 64_000 }));
  await store.append(chunkEvent({ chunkIndex: 1, rows: 500, bytes: 32_000 }));
  await store.append(
    statementEvent({
      ...sessionBase({ principal: 'bob', verifiedTags: { run_id: '2002' } }),
      time: '2026-05-01T11:00:00.000Z',
      statementId: 'st-2',
      sqlText: `INSERT INTO archive SELECT * FROM orders WHERE placed_at < '2020-01-01' ${'AND 1 = 1 '.repeat(30)}`,
      statementType: 'INSERT',
    }),
  );
  await store.append(
    resultEvent({ statementId: 'st-2', outcome: 'failure', errorCode: '002003', rows: 0 }),
  );
  await store.close();
}

describe('tollgate audit search', () => {
  test('prints a table, newest first, that fits the terminal width', () => {
    const { code, stdout } = tollgate(['search', '--db', dir.path], { COLUMNS: '110' });
    assert.equal(code, 0);

    const lines = stdout.trimEnd().split('\n');
    assert.match(
      lines[0]!,
      /^ID +RECEIVED \(UTC\) +PRINCIPAL +CONNECTION +TYPE +OUTCOME +ROWS +MS +SQL$/,
    );
    assert.equal(lines.length, 3);
    assert.match(
      lines[1]!,
      /^st-2 +2026-05-01 10:00:00 +bob +sandbox +INSERT +failure +0 +249 +INSERT INTO archive .*…$/,
    );
    assert.match(lines[2]!, /^st-1 .* SELECT +success +1510 +249 +SELECT "total", .*…$/);
    for (const line of lines) assert.ok(line.length <= 110, `${line.length}: ${line}`);
  });

  test('shows the whole SQL when the terminal is wide enough', () => {
    const { stdout } = tollgate(['search', '--db', dir.path, '--principal', 'bob'], {
      COLUMNS: '500',
    });
    assert.match(stdout, /WHERE placed_at < '2020-01-01' (AND 1 = 1 ){29}AND 1 = 1$/m);
  });

  test('filters by tag, text, type, outcome and time', () => {
    const only = (args: string[]) =>
      tollgate(['search', '--db', dir.path, '--json', ...args]).stdout;
    const idsOf = (args: string[]) => JSON.parse(only(args)).map((s: { id: string }) => s.id);

    assert.deepEqual(idsOf(['--tag', 'run_id=2002']), ['st-2']);
    assert.deepEqual(idsOf(['--tag', 'run_id=1001', '--tag', 'repository=acme/warehouse']), [
      'st-1',
    ]);
    assert.deepEqual(idsOf(['--claimed-tag', 'QUERY_TAG=nightly-report']), ['st-2', 'st-1']);
    assert.deepEqual(idsOf(['--text', 'order_items']), ['st-1']);
    assert.deepEqual(idsOf(['--type', 'insert']), ['st-2']);
    assert.deepEqual(idsOf(['--outcome', 'success']), ['st-1']);
    assert.deepEqual(idsOf(['--since', '2026-05-01T10:30:00Z']), ['st-2']);
    assert.deepEqual(idsOf(['--until', '2026-05-01']), []);
    assert.deepEqual(idsOf(['--since', '36500d', '--limit', '1']), ['st-2']);
  });

  test('--json gives folded statements with every field', () => {
    const { code, stdout } = tollgate([
      'search',
      '--db',
      dir.path,
      '--json',
      '--text',
      'order_items',
    ]);
    assert.equal(code, 0);

    const [statement] = JSON.parse(stdout);
    assert.equal(statement.sqlText, AWKWARD_SQL);
    assert.equal(statement.rows, 1510);
    assert.equal(statement.bytes, 96_640);
    assert.equal(statement.chunks, 2);
    assert.deepEqual(statement.verifiedTags, { repository: 'acme/warehouse', run_id: '1001' });
    assert.deepEqual(statement.binds, { '1': { type: 'FIXED', value: '42' } });
  });

  test('--csv quotes what needs quoting, so fields come back exactly', () => {
    const { code, stdout } = tollgate(['search', '--db', dir.path, '--csv']);
    assert.equal(code, 0);

    const [header, ...rows] = parseCsv(stdout);
    const column = (name: string) => header!.indexOf(name);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]![column('sql_text')], AWKWARD_SQL);
    assert.equal(rows[1]![column('rows')], '1510');
    assert.equal(rows[0]![column('error_code')], '002003');
    assert.deepEqual(JSON.parse(rows[0]![column('verified_tags')]!), { run_id: '2002' });
  });

  test('--kind login lists logins as their own rows', () => {
    const table = tollgate(['search', '--db', dir.path, '--kind', 'login'], {
      COLUMNS: '300',
    }).stdout.split('\n');
    assert.match(
      table[0]!,
      /^SEQ +ID +TIME \(UTC\) +KIND +PRINCIPAL +CONNECTION +OUTCOME +DETAIL$/,
    );
    assert.match(
      table[1]!,
      /^ +2 .* login +- +sandbox +failure +https:\/\/token\.actions.* TG_TOKEN_AUDIENCE_MISMATCH/,
    );
    assert.match(
      table[2]!,
      /^ +1 .* login +repo:acme\/warehouse:ref:refs\/heads\/main +sandbox +success/,
    );

    const csv = parseCsv(tollgate(['search', '--db', dir.path, '--kind', 'login', '--csv']).stdout);
    assert.equal(csv[1]![csv[0]!.indexOf('error_message')], 'aud is "other", expected "tollgate"');
  });

  test('says so on stderr when nothing matches, leaving stdout empty', () => {
    const { code, stdout, stderr } = tollgate(['search', '--db', dir.path, '--principal', 'eve']);
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal(stderr, 'Nothing matches.\n');
  });

  test('exits 2 with a clear message for misuse', () => {
    const bad = tollgate(['search', '--db', dir.path, '--tag', 'run_id']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tag <key=value>' argument 'run_id' is invalid. expected key=value/);

    const misapplied = tollgate(['search', '--db', dir.path, '--kind', 'login', '--text', 'x']);
    assert.equal(misapplied.code, 2);
    assert.equal(misapplied.stderr, 'error: text search applies to statements only\n');

    const both = tollgate(['search', '--db', dir.path, '--json', '--csv']);
    assert.equal(both.code, 2);
  });
});

describe('finding the store', () => {
  test('reports a missing store with where it looked, exit 2', () => {
    const { code, stderr } = tollgate(['search']);
    assert.equal(code, 2);
    const expected = auditDbPath(join(dir.dir, 'home', 'demo'));
    assert.match(
      stderr,
      new RegExp(`^error: there is no audit store at ${expected}\nRun \`tollgate demo\``),
    );
  });

  test('reads the store of a data folder, and the audit path of a config file', () => {
    const byData = tollgate(['search', '--data', dir.dir, '--json']);
    assert.equal(JSON.parse(byData.stdout).length, 2);

    const configDir = join(dir.dir, 'config');
    mkdirSync(configDir);
    const config = join(configDir, 'tollgate.yaml');
    writeFileSync(config, CONFIG.replace('AUDIT_PATH', dir.path));
    const byConfig = tollgate(['search', '--config', config, '--json']);
    assert.equal(byConfig.code, 0, byConfig.stderr);
    assert.equal(JSON.parse(byConfig.stdout).length, 2);
  });
});

describe('tollgate audit show', () => {
  test('shows a statement with its folded fields and every event', () => {
    const { code, stdout } = tollgate(['show', 'st-1', '--db', dir.path]);
    assert.equal(code, 0);
    assert.match(stdout, /^Statement st-1\n/);
    assert.match(stdout, /\n {2}rows +1510 \(2 chunks\)\n/);
    assert.match(stdout, /\n {2}verified tags +repository=acme\/warehouse run_id=1001\n/);
    assert.match(stdout, /\n {4}FROM order_items -- monthly, "gross"\n/);
    const events = stdout.split('Events\n')[1]!.trim().split('\n').slice(1);
    assert.deepEqual(
      events.map((line) => line.trim().split(/ +/)[3]),
      ['statement', 'statement_result', 'result_chunk', 'result_chunk'],
    );
  });

  test('finds the statement from the seq of one of its events, and shows other records alone', () => {
    const bySeq = JSON.parse(tollgate(['show', '5', '--db', dir.path, '--json']).stdout);
    assert.equal(bySeq.view.id, 'st-1');
    assert.equal(bySeq.records.length, 4);

    const login = tollgate(['show', '2', '--db', dir.path]).stdout;
    assert.match(login, /^Record [0-9A-Z]{26}\n {2}seq +2\n {2}kind +login\n/);
  });

  test('exits 2 for an id that is not there', () => {
    const { code, stderr } = tollgate(['show', 'st-404', '--db', dir.path]);
    assert.equal(code, 2);
    assert.equal(stderr, `error: no statement or record st-404 in ${dir.path}\n`);
  });
});

describe('tollgate audit verify and export', () => {
  test('verify exits 0 on an intact log and an export of it verifies elsewhere', () => {
    const verified = tollgate(['verify', '--db', dir.path]);
    assert.equal(verified.code, 0);
    assert.match(
      verified.stdout,
      /^Audit log intact: 8 records \(seq 1 to 8\)\.\nHead: seq 8, hash [0-9a-f]{64}\n$/,
    );

    const file = join(dir.dir, 'export.jsonl');
    const exported = tollgate(['export', '--db', dir.path, '--out', file]);
    assert.equal(exported.stderr, `Exported 8 records to ${file}\n`);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), [
      'seq',
      'id',
      'prevHash',
      'hash',
      'event',
    ]);

    const fromFile = tollgate(['verify', '--file', file, '--json']);
    assert.equal(fromFile.code, 0);
    assert.equal(JSON.parse(fromFile.stdout).records, 8);

    const toStdout = tollgate(['export', '--db', dir.path, '--since', '2026-05-01T10:30:00Z']);
    assert.deepEqual(
      toStdout.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).seq),
      [7, 8],
    );
  });

  test('exports a log far larger than a pipe holds, every line intact', async () => {
    const big = tempStore();
    try {
      const store = openAuditStore({ path: big.path });
      await Promise.all(
        Array.from({ length: 5000 }, (_, index) =>
          store.append(statementEvent({ statementId: `st-${index}`, sqlText: `SELECT ${index}` })),
        ),
      );
      await store.close();

      const run = spawnSync(process.execPath, [MAIN, 'audit', 'export', '--db', big.path], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(run.status, 0, run.stderr);
      const seqs = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: 5000 }, (_, index) => index + 1),
      );
      assert.ok(run.stdout.length > 1024 * 1024);
    } finally {
      big.cleanup();
    }
  });

  test('verify exits 1 and names the first broken event after tampering', async () => {
    const copy = tempStore();
    try {
      await fillStore(copy.path);
      const db = new Database(copy.path);
      db.exec('DROP TRIGGER audit_records_no_update');
      db.exec(
        'UPDATE audit_records SET event = replace(event, \'"rows":500\', \'"rows":5\') WHERE seq = 6',
      );
      db.close();

      const text = tollgate(['verify', '--db', copy.path]);
      assert.equal(text.code, 1);
      assert.match(
        text.stdout,
        /^Audit log BROKEN at seq 6 \(record [0-9A-Z]{26}\):\n {2}hash_mismatch: record 6 was altered/,
      );
      assert.match(
        text.stdout,
        /Warning: the append-only guard audit_records_no_update is missing/,
      );

      const json = JSON.parse(tollgate(['verify', '--db', copy.path, '--json']).stdout);
      assert.equal(json.ok, false);
      assert.equal(json.code, 'TG_AUDIT_CHAIN_BROKEN');
      assert.equal(json.firstBreak.seq, 6);
    } finally {
      copy.cleanup();
    }
  });
});

const CONFIG = `listeners:
  snowflake:
    port: 8080
audit:
  path: AUDIT_PATH
issuers:
  - preset: github-actions
    audience: tollgate
connections:
  - name: sandbox
    type: snowflake
    account: SANDBOX
    url: http://127.0.0.1:9999
    user: TOLLGATE
    credentials:
      type: password
      passwordEnv: SANDBOX_PASSWORD
access:
  - principal: 'repo:acme/*'
    connections: sandbox
`;

/** Parses RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;

  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  return rows;
}
