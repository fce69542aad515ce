import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig, type TollgateConfig } from '../../src/config/index.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const VALID = `listeners:
  snowflake:
    port: 8080
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

let counter = 0;

/** Writes `text` to a fresh config file and returns its path. */
function write(text: string): string {
  counter += 1;
  const file = join(dir, `config-${counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** Writes and loads `text`, which must be valid. */
function load(text: string): Promise<TollgateConfig> {
  return loadConfig(write(text));
}

/** Writes and loads `text`, expects a ConfigError, and returns it with the file's path. */
async function loadFailing(text: string): Promise<{ file: string; error: ConfigError }> {
  const file = write(text);
  const error = await loadConfig(file).then(
    (config) => assert.fail(`expected a ConfigError, got ${JSON.stringify(config)}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ConfigError, String(error));
  return { file, error };
}

describe('loading a valid config', () => {
  test('defaults are applied and relative paths resolve against the file', async () => {
    const config = await load(
      VALID.replace(
        'listeners:',
        'dataDir: state\naudit:\n  path: logs/audit.db\nlisteners:\n  admin: { port: 0, tls: { cert: c.pem, key: k.pem } }',
      ),
    );

    assert.equal(config.dataDir, join(dir, 'state'));
    assert.equal(config.audit.path, join(dir, 'logs', 'audit.db'));
    assert.deepEqual(config.listeners.admin, {
      host: '127.0.0.1',
      port: 0,
      tls: { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') },
    });
    assert.deepEqual(config.listeners.snowflake, { host: '127.0.0.1', port: 8080, tls: null });
  });

  test('an issuer with a preset gets its URL, algorithms, leeway and mapping', async () => {
    const config = await load(VALID);
    const [issuer] = config.issuers;

    assert.equal(issuer?.issuer, 'https://token.actions.githubusercontent.com');
    assert.deepEqual(issuer?.algorithms, ['RS256', 'ES256']);
    assert.equal(issuer?.clockLeeway, 30);
    assert.equal(issuer?.requireJti, false);
    assert.equal(issuer?.claims.principal, 'sub');
    assert.deepEqual(Object.keys(issuer?.claims.tags ?? {}), [
      'repository',
      'repository_id',
      'ref',
      'sha',
      'run_id',
      'run_attempt',
      'workflow',
      'actor',
      'environment',
    ]);
  });

  test('the audit store defaults to the data folder, with fail-closed hashed binds', async () => {
    const config = await load(VALID);

    assert.equal(config.dataDir, dir);
    assert.deepEqual(config.audit, {
      path: join(dir, 'audit.db'),
      durability: 'default',
      failOpen: false,
      binds: 'hashed',
    });
    assert.equal(config.listeners.admin, null);
  });

  test('a connection without url points at snowflakecomputing.com', async () => {
    const config = await load(VALID.replace('    url: http://127.0.0.1:9999\n', ''));

    assert.equal(config.connections[0]?.url, 'https://sandbox.snowflakecomputing.com');
  });
});

describe('config errors name the file, line, column and key', () => {
  test('an HMAC algorithm and alg none are refused where they are written', async () => {
    const { file, error } = await loadFailing(
      VALID.replace(
        '    audience: tollgate\n',
        '    audience: tollgate\n    algorithms: [RS256, HS256, none]\n',
      ),
    );

    assert.equal(error.code, 'TG_CONFIG_INVALID');
    assert.equal(
      error.message,
      `${file}:7:25: issuers[0].algorithms[1]: 'HS256' is an HMAC algorithm; only asymmetric signatures are accepted (RFC 8725)\n` +
        `${file}:7:32: issuers[0].algorithms[2]: 'none' means unsigned tokens and is never accepted`,
    );
  });

  test('a leeway over 60 seconds', async () => {
    const { file, error } = await loadFailing(
      VALID.replace('    audience: tollgate\n', '    audience: tollgate\n    clockLeeway: 300\n'),
    );

    assert.equal(error.message, `${file}:7:18: issuers[0].clockLeeway: must be at most 60`);
    assert.deepEqual(error.issues[0], {
      code: 'TG_CONFIG_INVALID',
      file,
      line: 7,
      column: 18,
      keyPath: 'issuers[0].clockLeeway',
      message: 'must be at most 60',
    });
  });

  test('a misspelt key is reported at the key', async () => {
    const { file, error } = await loadFailing(`${VALID}audit:\n  failopen: true\n`);

    assert.equal(error.message, `${file}:20:3: audit.failopen: is not a known key`);
  });

  test('a missing key is reported at the entry that lacks it', async () => {
    const { file, error } = await loadFailing(VALID.replace('    user: TOLLGATE\n', ''));

    assert.equal(error.message, `${file}:8:5: connections[0].user: is required (string)`);
  });

  test('a value of the wrong type', async () => {
    const { file, error } = await loadFailing(VALID.replace('port: 8080', 'port: eighty'));

    assert.equal(error.message, `${file}:3:11: listeners.snowflake.port: must be a number`);
  });

  test('an issuer over plain http on a public host', async () => {
    const { file, error } = await loadFailing(
      VALID.replace(
        '    audience: tollgate\n',
        '    audience: tollgate\n    issuer: http://issuer.example.com\n',
      ),
    );

    assert.equal(
      error.message,
      `${file}:7:13: issuers[0].issuer: must be an https URL (or http on a loopback address)`,
    );
  });

  test('an access rule naming a connection that does not exist', async () => {
    const { file, error } = await loadFailing(
      VALID.replace('connections: sandbox', 'connections: sandbx'),
    );

    assert.equal(
      error.message,
      `${file}:18:18: access[0].connections: no connection is named 'sandbx'`,
    );
  });

  test('an unknown credential type', async () => {
    const { file, error } = await loadFailing(VALID.replace('type: password', 'type: oauth'));

    assert.equal(
      error.message,
      `${file}:14:13: connections[0].credentials.type: must be one of 'keyPair', 'password'`,
    );
  });

  test('YAML syntax errors carry their position', async () => {
    const { file, error } = await loadFailing(VALID.replace('    port: 8080', '\tport: 8080'));

    assert.equal(error.code, 'TG_CONFIG_INVALID');
    assert.equal(error.message, `${file}:3:1: YAML syntax: Tabs are not allowed as indentation`);
  });

  test('several problems are reported together, in file order', async () => {
    const { error } = await loadFailing(
      VALID.replace('port: 8080', 'port: 70000').replace('account: SANDBOX', 'account: ""'),
    );

    assert.deepEqual(
      error.issues.map((issue) => `${issue.line}: ${issue.keyPath}`),
      ['3: listeners.snowflake.port', '10: connections[0].account'],
    );
  });

  test('an unreadable file is named', async () => {
    const missing = join(dir, 'absent.yaml');

    await assert.rejects(loadConfig(missing), {
      code: 'TG_CONFIG_INVALID',
      message: `${missing}: cannot be read (ENOENT)`,
    });
  });
});

describe('secrets written inline', () => {
  test('an inline password is refused with TG_CONFIG_SECRET_INLINE, without repeating it', async () => {
    const { file, error } = await loadFailing(
      VALID.replace('passwordEnv: SANDBOX_PASSWORD', 'password: hunter2-inline'),
    );

    assert.equal(error.code, 'TG_CONFIG_SECRET_INLINE');
    assert.equal(error.issues[0]?.keyPath, 'connections[0].credentials.password');
    assert.equal(error.issues[0]?.line, 15);
    assert.ok(
      error.message.startsWith(`${file}:15:17: connections[0].credentials.password: a secret`),
    );
    assert.ok(!error.message.includes('hunter2'));
  });

  test('an inline private key and passphrase are refused too', async () => {
    const { error } = await loadFailing(
      VALID.replace(
        '      type: password\n      passwordEnv: SANDBOX_PASSWORD',
        '      type: keyPair\n      privateKey: "-----BEGIN PRIVATE KEY-----"\n      passphrase: open-sesame',
      ),
    );

    assert.equal(error.code, 'TG_CONFIG_SECRET_INLINE');
    assert.deepEqual(
      error.issues.map((issue) => issue.keyPath),
      ['connections[0].credentials.privateKey', 'connections[0].credentials.passphrase'],
    );
    assert.ok(!error.message.includes('open-sesame'));
  });

  test('insecure: true on the credential accepts it', async () => {
    const config = await load(
      VALID.replace(
        'passwordEnv: SANDBOX_PASSWORD',
        'password: hunter2-inline\n      insecure: true',
      ),
    );

    assert.deepEqual(config.connections[0]?.credentials, {
      type: 'password',
      passwordEnv: null,
      passwordFile: null,
      password: 'hunter2-inline',
      insecure: true,
    });
  });

  test('exactly one password source is allowed', async () => {
    const { file, error } = await loadFailing(
      VALID.replace('passwordEnv: SANDBOX_PASSWORD', 'passwordEnv: A\n      passwordFile: pw.txt'),
    );

    assert.equal(
      error.message,
      `${file}:16:21: connections[0].credentials.passwordFile: set exactly one of passwordEnv, passwordFile, password`,
    );
  });
});
