import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { parseConfig } from '../../src/config/index.js';
import {
  DEV_AUDIENCE,
  DEV_ISSUER_WARNING,
  devIssuerConfig,
  mintDevToken,
  startDevIssuer,
} from '../../src/identity/dev-issuer.js';
import { createTokenVerifier } from '../../src/identity/index.js';
import { devIssuerDir } from '../../src/paths.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let home: string;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'tollgate-dev-issuer-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A bound on one `tollgate token` run, which finishes in well under a second. */
const CLI_TIMEOUT_MS = 60_000;

/**
 * Runs `tollgate token ...` as a child process with TOLLGATE_HOME pointing at the test's home. A
 * child that never exits is killed and fails the test instead of holding it open.
 */
function tollgateToken(args: string[]): Promise<CliResult> {
  const env = { ...process.env, TOLLGATE_HOME: home, TOLLGATE_LOG_LEVEL: 'silent' };
  const options = { env, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' as const };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, 'token', ...args], options, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`tollgate token did not finish: ${stderr}`));
      else resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Listens on `port`; rejects when it is taken, where a bare `listen` would wait forever. */
function listenOn(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

describe('the development issuer and tollgate token', () => {
  const demoDir = () => join(home, 'demo');

  test('keeps its key private and records where it listens', async () => {
    const issuer = await startDevIssuer({ dataDir: demoDir() });
    try {
      const dir = devIssuerDir(demoDir());
      const record = JSON.parse(readFileSync(join(dir, 'issuer.json'), 'utf8'));

      assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
      assert.equal(record.issuer, issuer.url);
      assert.match(record.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(record.kid, issuer.kid);
      assert.equal(record.audience, DEV_AUDIENCE);
      assert.equal(record.warning, DEV_ISSUER_WARNING);
    } finally {
      await issuer.close();
    }
  });

  test('a token printed by `tollgate token` verifies through discovery, with GitHub tags', async () => {
    const issuer = await startDevIssuer({ dataDir: demoDir() });
    try {
      const result = await tollgateToken([
        '--claim',
        'run_id=4242',
        '--claim',
        'model=claude-test',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const token = result.stdout.trim();

      const verifier = createTokenVerifier([issuer.issuerConfig()]);
      const principal = await verifier.verify(token);

      assert.equal(principal.name, 'repo:acme/analytics-agent:ref:refs/heads/main');
      assert.equal(principal.issuer, issuer.url);
      assert.equal(principal.tags.run_id, '4242');
      assert.equal(principal.tags.repository, 'acme/analytics-agent');
      assert.equal(principal.tags.workflow, 'agent-task');
      assert.equal(principal.claims.model, 'claude-test');
      assert.equal(decodeProtectedHeader(token).kid, issuer.kid);
    } finally {
      await issuer.close();
    }
  });

  test('--sub, --audience, --ttl and --json', async () => {
    const issuer = await startDevIssuer({ dataDir: demoDir() });
    try {
      const result = await tollgateToken([
        '--sub',
        'agent:nightly',
        '--audience',
        'other-gateway',
        '--ttl',
        '2m',
        '--claim',
        'repository=acme/other',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const output = JSON.parse(result.stdout);
      const claims = decodeJwt(output.token);

      assert.equal(claims.sub, 'agent:nightly');
      assert.equal(claims.aud, 'other-gateway');
      assert.equal(claims.repository, 'acme/other');
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 120);
      assert.equal(output.issuer, issuer.url);
      assert.equal(output.expiresAt, new Date((claims.exp ?? 0) * 1000).toISOString());
      assert.deepEqual(output.claims, claims);
      assert.equal(output.warning, DEV_ISSUER_WARNING);
    } finally {
      await issuer.close();
    }
  });

  test('the issuer keeps its URL and key across restarts', async () => {
    const first = await startDevIssuer({ dataDir: demoDir() });
    await first.close();
    const token = await mintDevToken({ dataDir: demoDir(), claims: { sub: 'offline' } });

    const second = await startDevIssuer({ dataDir: demoDir() });
    try {
      assert.equal(second.url, first.url);
      assert.equal(second.kid, first.kid);
      const principal = await createTokenVerifier([second.issuerConfig()]).verify(token);
      assert.equal(principal.subject, 'offline');
    } finally {
      await second.close();
    }
  });

  test('when its old port is taken, it moves and records the new URL', async () => {
    const dataDir = join(home, 'moving');
    const first = await startDevIssuer({ dataDir });
    await first.close();
    const squatter = createServer();
    const port = Number(new URL(first.url).port);
    await listenOn(squatter, port);

    try {
      const second = await startDevIssuer({ dataDir });
      await second.close();
      const record = JSON.parse(readFileSync(join(devIssuerDir(dataDir), 'issuer.json'), 'utf8'));
      assert.notEqual(second.url, first.url);
      assert.equal(record.issuer, second.url);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('--config finds the issuer of that config and the audience it trusts it with', async () => {
    const dataDir = join(home, 'configured');
    const issuer = await startDevIssuer({ dataDir });
    try {
      const configFile = join(home, 'configured.yaml');
      writeFileSync(
        configFile,
        `dataDir: configured
listeners: { snowflake: { port: 0 } }
issuers:
  - { preset: github-actions, issuer: '${issuer.url}', audience: configured-gateway }
connections:
  - { name: sandbox, type: snowflake, account: S, user: U, credentials: { type: password, passwordEnv: PW } }
access:
  - { principal: '*', connections: sandbox }
`,
      );

      const result = await tollgateToken(['--config', configFile]);
      assert.equal(result.code, 0, result.stderr);

      const config = parseConfig(readFileSync(configFile, 'utf8'), configFile);
      const principal = await createTokenVerifier(config.issuers).verify(result.stdout.trim());
      assert.equal(principal.claims.aud, 'configured-gateway');
    } finally {
      await issuer.close();
    }
  });

  test('without a development issuer it says to run tollgate demo first', async () => {
    const empty = join(home, 'empty');

    const result = await tollgateToken(['--data', empty]);

    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `tollgate token: no development token issuer in ${empty}; run \`tollgate demo\` first\n`,
    );
  });

  test('bad flags are refused by the command line', async () => {
    const ttl = await tollgateToken(['--ttl', '3d']);
    const claim = await tollgateToken(['--claim', 'no-equals-sign']);
    const both = await tollgateToken(['--data', home, '--config', 'x.yaml']);

    assert.match(ttl.stderr, /--ttl <duration>' argument '3d' is invalid\. use seconds/);
    assert.match(claim.stderr, /argument 'no-equals-sign' is invalid\. expected key=value/);
    assert.match(both.stderr, /option '--data <dir>' cannot be used with option '--config <file>'/);
    assert.deepEqual([ttl.code, claim.code, both.code], [1, 1, 1]);
  });

  test('devIssuerConfig trusts the issuer with the GitHub Actions mapping', () => {
    const config = devIssuerConfig({ issuer: 'http://127.0.0.1:1234', audience: DEV_AUDIENCE });

    assert.equal(config.preset, 'github-actions');
    assert.deepEqual(config.algorithms, ['RS256']);
    assert.equal(config.claims.tags.run_id, 'run_id');
  });
});
