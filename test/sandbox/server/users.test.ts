import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { stringify } from 'yaml';
import { UserDirectory } from '../../../src/sandbox/index.js';
import {
  connect,
  destroy,
  query,
  startTestSandbox,
  type TestSandbox,
} from '../../support/sandbox.js';
import { send } from './raw-client.js';

function rsaKeys(): {
  privatePem: string;
  publicPem: string;
  privateKey: KeyObject;
  fingerprint: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}`,
  };
}

/** A key-pair login JWT as the drivers build it, with claims the test can bend. */
async function keyPairJwt(
  key: ReturnType<typeof rsaKeys>,
  claims: { iss?: string; sub?: string; expiresIn?: string } = {},
): Promise<string> {
  const subject = claims.sub ?? 'SANDBOX.GATEWAY';
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(claims.iss ?? `${subject}.${key.fingerprint}`)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '5m')
    .sign(key.privateKey);
}

async function jwtLogin(sandbox: TestSandbox, token: string): Promise<Record<string, unknown>> {
  const reply = await send(sandbox.url, 'POST', '/session/v1/login-request', {
    body: {
      data: {
        ACCOUNT_NAME: 'sandbox',
        LOGIN_NAME: 'gateway',
        AUTHENTICATOR: 'SNOWFLAKE_JWT',
        TOKEN: token,
      },
    },
  });
  return reply.json;
}

describe('a users file makes logins real', () => {
  const gatewayKey = rsaKeys();
  const strangerKey = rsaKeys();
  let sandbox: TestSandbox;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-users-'));
    const usersFile = join(dir, 'users.yaml');
    writeFileSync(
      usersFile,
      stringify({
        users: [
          { name: 'analyst', password: 'correct-horse' },
          { name: 'gateway', publicKey: gatewayKey.publicPem, tokens: ['pat-for-gateway'] },
        ],
      }),
    );
    sandbox = await startTestSandbox({ usersFile });
  });

  after(() => sandbox.close());

  async function assertRefused(attempt: Promise<unknown>): Promise<void> {
    await assert.rejects(attempt, (error: Record<string, unknown>) => {
      assert.equal(error.code, '390100');
      assert.match(String(error.message), /Incorrect username or password/);
      return true;
    });
  }

  test('the right password logs in, as that user', async () => {
    const connection = await connect(sandbox, { username: 'analyst', password: 'correct-horse' });
    assert.deepEqual(await query(connection, 'select current_user() as "U"'), [{ U: 'ANALYST' }]);
    await destroy(connection);
  });

  test('a wrong password is refused with 390100', async () => {
    await assertRefused(connect(sandbox, { username: 'analyst', password: 'wrong' }));
  });

  test('a user not in the file is refused with 390100', async () => {
    await assertRefused(connect(sandbox, { username: 'nobody', password: 'correct-horse' }));
  });

  test("the driver's key-pair login with the listed key works", async () => {
    const connection = await connect(sandbox, {
      username: 'gateway',
      authenticator: 'SNOWFLAKE_JWT',
      privateKey: gatewayKey.privatePem,
      password: undefined,
    });
    assert.deepEqual(await query(connection, 'select current_user() as "U"'), [{ U: 'GATEWAY' }]);
    await destroy(connection);
  });

  test('a key-pair login signed with another key is refused', async () => {
    await assertRefused(
      connect(sandbox, {
        username: 'gateway',
        authenticator: 'SNOWFLAKE_JWT',
        privateKey: strangerKey.privatePem,
        password: undefined,
      }),
    );
  });

  test('a JWT naming another subject, or an expired one, is refused', async () => {
    const good = await jwtLogin(sandbox, await keyPairJwt(gatewayKey));
    assert.equal(good.success, true);

    const otherSubject = await keyPairJwt(gatewayKey, { sub: 'SANDBOX.ANALYST' });
    assert.equal((await jwtLogin(sandbox, otherSubject)).code, '390100');
    const forgedIssuer = await keyPairJwt(gatewayKey, {
      iss: `SANDBOX.GATEWAY.${strangerKey.fingerprint}`,
    });
    assert.equal((await jwtLogin(sandbox, forgedIssuer)).code, '390100');
    const expired = await keyPairJwt(gatewayKey, { expiresIn: '-5m' });
    assert.equal((await jwtLogin(sandbox, expired)).code, '390100');
  });

  test('a listed programmatic access token works; another does not', async () => {
    const data = {
      ACCOUNT_NAME: 'sandbox',
      LOGIN_NAME: 'gateway',
      AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    };
    const ok = await send(sandbox.url, 'POST', '/session/v1/login-request', {
      body: { data: { ...data, TOKEN: 'pat-for-gateway' } },
    });
    assert.equal(ok.json.success, true);
    const refused = await send(sandbox.url, 'POST', '/session/v1/login-request', {
      body: { data: { ...data, TOKEN: 'pat-guessed' } },
    });
    assert.equal(refused.json.code, '390100');
    assert.equal(refused.status, 200);
  });

  test('a refused login leaves no credential in the logs', () => {
    const text = JSON.stringify(sandbox.logs());
    assert.ok(!text.includes('correct-horse'));
    assert.ok(!text.includes('pat-guessed'));
    assert.ok(!text.includes('"wrong"'));
  });
});

describe('without a users file', () => {
  test('any user with any credential logs in, OAuth included', async () => {
    const sandbox = await startTestSandbox();
    try {
      const connection = await connect(sandbox, {
        username: 'agent_7',
        authenticator: 'OAUTH',
        token: 'opaque-oauth-token',
        password: undefined,
      });
      assert.deepEqual(await query(connection, 'select current_user() as "U"'), [{ U: 'AGENT_7' }]);
      await destroy(connection);
    } finally {
      await sandbox.close();
    }
  });
});

describe('users file validation', () => {
  test('an unknown member is refused with TG_CONFIG_INVALID naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-users-'));
    const path = join(dir, 'users.yaml');
    writeFileSync(path, 'users:\n  - name: a\n    pasword: typo\n');
    await assert.rejects(UserDirectory.load(path), (error: Record<string, unknown>) => {
      assert.equal(error.code, 'TG_CONFIG_INVALID');
      assert.ok(String(error.message).includes(path));
      return true;
    });
  });
});
