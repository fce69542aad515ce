import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { format, inspect } from 'node:util';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { parseConfig } from '../../src/config/index.js';
import type { TollgateConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import {
  KeyPairCredentials,
  loadAllCredentials,
  loadCredentials,
  PasswordCredentials,
  snowflakeKeyPairJwt,
} from '../../src/vault/index.js';

const PASSPHRASE = 'correct horse battery staple';
const PASSWORD = 'S3cret-Upstream-Pa55';

let dir: string;
let publicKey: KeyObject;
let privatePem: string;

/** The fingerprint Snowflake computes, worked out here independently of the vault. */
function expectedFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function connectionsConfig(credentialsYaml: string, account = 'acme-prod'): TollgateConfig {
  const text = `
listeners: { snowflake: { port: 0 } }
issuers: [{ preset: github-actions, audience: tollgate }]
connections:
  - name: warehouse
    type: snowflake
    account: ${account}
    user: tollgate_svc
    credentials: ${credentialsYaml}
access: [{ principal: '*', connections: warehouse }]
`;
  return parseConfig(text, join(dir, 'tollgate.yaml'));
}

function onlyConnection(config: TollgateConfig) {
  return config.connections[0]!;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-vault-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  publicKey = pair.publicKey;
  privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encrypted = pair.privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: PASSPHRASE,
  });
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'svc.p8'), encrypted, { mode: 0o600 });
  writeFileSync(join(dir, 'keys', 'plain.p8'), privatePem, { mode: 0o600 });
  writeFileSync(join(dir, 'password.txt'), `${PASSWORD}\n`, { mode: 0o600 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('key pair credentials', () => {
  const keyPairYaml = '{ type: keyPair, privateKeyFile: keys/svc.p8, passphraseEnv: SVC_KEY_PASS }';

  test('an encrypted key file is read with the passphrase from the environment', async () => {
    const config = connectionsConfig(keyPairYaml);
    const env = { SVC_KEY_PASS: PASSPHRASE };

    const credentials = await loadCredentials(onlyConnection(config), config.source.dir, { env });

    assert.ok(credentials instanceof KeyPairCredentials);
    assert.equal(credentials.publicKeyFingerprint, expectedFingerprint(publicKey));
  });

  test("the login JWT verifies with the public key and carries Snowflake's claims", async () => {
    const config = connectionsConfig(keyPairYaml);
    const connection = onlyConnection(config);
    const credentials = await loadCredentials(connection, dir, {
      env: { SVC_KEY_PASS: PASSPHRASE },
    });
    const now = new Date('2031-02-03T04:05:06Z');

    const token = await (credentials as KeyPairCredentials).loginJwt(
      connection.account,
      connection.user,
      now,
    );

    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['RS256'],
      currentDate: now,
    });
    assert.equal(decodeProtectedHeader(token).alg, 'RS256');
    assert.equal(payload.iss, `ACME-PROD.TOLLGATE_SVC.${expectedFingerprint(publicKey)}`);
    assert.equal(payload.sub, 'ACME-PROD.TOLLGATE_SVC');
    assert.equal(payload.iat, Date.parse('2031-02-03T04:05:06Z') / 1000);
    assert.equal(payload.exp, (payload.iat ?? 0) + 60);
  });

  test('a legacy locator with a region signs as the bare locator', async () => {
    const config = connectionsConfig('{ type: keyPair, privateKeyFile: keys/plain.p8 }');
    const credentials = (await loadCredentials(onlyConnection(config), dir)) as KeyPairCredentials;

    const token = await snowflakeKeyPairJwt('xy12345.us-east-1', 'svc', credentials.privateKey);

    const { payload } = await jwtVerify(token, publicKey);
    assert.equal(payload.sub, 'XY12345.SVC');
  });

  test('problems name the connection and the file or variable', async () => {
    const attempt = async (yaml: string, env: NodeJS.ProcessEnv = {}) => {
      const config = connectionsConfig(yaml);
      return loadCredentials(onlyConnection(config), dir, { env }).then(
        () => assert.fail('expected TG_CREDENTIAL_MISSING'),
        (error: { code: string; message: string }) => {
          assert.equal(error.code, 'TG_CREDENTIAL_MISSING');
          assert.ok(!error.message.includes(PASSPHRASE));
          return error.message;
        },
      );
    };

    assert.equal(
      await attempt(keyPairYaml),
      "connection 'warehouse': environment variable SVC_KEY_PASS (passphraseEnv) is not set",
    );
    assert.equal(
      await attempt('{ type: keyPair, privateKeyFile: keys/none.p8 }'),
      `connection 'warehouse': privateKeyFile ${join(dir, 'keys', 'none.p8')} cannot be read (ENOENT)`,
    );
    assert.match(
      await attempt('{ type: keyPair, privateKeyFile: keys/svc.p8 }'),
      /svc\.p8 is encrypted and no passphrase is configured \(passphraseEnv\)$/,
    );
    assert.match(
      await attempt(keyPairYaml, { SVC_KEY_PASS: 'wrong' }),
      /svc\.p8 is not a PEM private key, or the passphrase is wrong$/,
    );
  });
});

describe('password credentials', () => {
  test('from an environment variable', async () => {
    const config = connectionsConfig('{ type: password, passwordEnv: SF_PW }');
    const env = { SF_PW: PASSWORD };

    const credentials = await loadCredentials(onlyConnection(config), dir, { env });

    assert.ok(credentials instanceof PasswordCredentials);
    assert.equal(credentials.password, PASSWORD);
  });

  test('from a file, without its trailing newline', async () => {
    const config = connectionsConfig('{ type: password, passwordFile: password.txt }');

    const credentials = (await loadCredentials(onlyConnection(config), dir)) as PasswordCredentials;

    assert.equal(credentials.password, PASSWORD);
  });

  test('inline only with insecure: true, and then with a warning', async () => {
    const lines: string[] = [];
    const destination = new PassThrough().on('data', (chunk: Buffer) =>
      lines.push(chunk.toString()),
    );
    const logger = createLogger({ destination });
    const config = connectionsConfig(`{ type: password, password: ${PASSWORD}, insecure: true }`);

    const credentials = await loadCredentials(onlyConnection(config), dir, { logger });

    assert.equal((credentials as PasswordCredentials).password, PASSWORD);
    assert.match(lines.join(''), /"level":40,.*"connection":"warehouse".*insecure: true/);
    assert.ok(!lines.join('').includes(PASSWORD));
  });

  test('loadAllCredentials reports every connection that lacks its secret', async () => {
    const config = parseConfig(
      `
listeners: { snowflake: { port: 0 } }
issuers: [{ preset: github-actions, audience: tollgate }]
connections:
  - { name: one, type: snowflake, account: A, user: U, credentials: { type: password, passwordEnv: ONE_PW } }
  - { name: two, type: snowflake, account: B, user: U, credentials: { type: password, passwordEnv: TWO_PW } }
  - { name: three, type: snowflake, account: C, user: U, credentials: { type: password, passwordFile: password.txt } }
access: [{ principal: '*', connections: '*' }]
`,
      join(dir, 'tollgate.yaml'),
    );

    await assert.rejects(loadAllCredentials(config, { env: {} }), {
      code: 'TG_CREDENTIAL_MISSING',
      message:
        "connection 'one': environment variable ONE_PW (passwordEnv) is not set\n" +
        "connection 'two': environment variable TWO_PW (passwordEnv) is not set",
    });
    const loaded = await loadAllCredentials(config, { env: { ONE_PW: 'a', TWO_PW: 'b' } });
    assert.deepEqual([...loaded.keys()], ['one', 'two', 'three']);
  });
});

describe('secrets never serialize', () => {
  test('JSON, inspect, format and pino show [redacted] instead of the secret', async () => {
    const password = new PasswordCredentials('warehouse', PASSWORD);
    const config = connectionsConfig('{ type: keyPair, privateKeyFile: keys/plain.p8 }');
    const keyPair = await loadCredentials(onlyConnection(config), dir);
    const keyBody = privatePem.split('\n')[1] ?? '';
    const lines: string[] = [];
    const destination = new PassThrough().on('data', (chunk: Buffer) =>
      lines.push(chunk.toString()),
    );
    createLogger({ destination }).info({ credentials: [password, keyPair], password }, 'held');

    const renderings = [
      JSON.stringify({ password, keyPair }),
      inspect({ password, keyPair }, { depth: 10, showHidden: true }),
      format('%o %O %s', password, keyPair, password),
      lines.join(''),
    ];
    const copies = JSON.stringify([{ ...password }, { ...keyPair }, Object.entries(password)]);

    for (const text of [...renderings, copies]) {
      assert.ok(!text.includes(PASSWORD), `password leaked: ${text}`);
      assert.ok(!text.includes(keyBody), `private key leaked: ${text}`);
    }
    for (const text of renderings) assert.ok(text.includes('[redacted]'), text);
    assert.match(renderings[0] ?? '', /"publicKeyFingerprint":"SHA256:/);
  });
});
