import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type AuditStore, openAuditStore } from '../../src/audit/index.js';
import type { AuditSink, BindRecording } from '../../src/audit/types.js';
import { parseConfig } from '../../src/config/index.js';
import type { TollgateConfig } from '../../src/config/types.js';
import { type Gateway, startGateway } from '../../src/gateway/gateway.js';
import { createLogger } from '../../src/log.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { startTestIssuer, type TestOidcIssuer } from '../support/oidc-issuer.js';
import { type Connection, type ConnectOptions, connect } from './driver.js';
import { RecordingProxy } from './recording-proxy.js';

/**
 * The whole path for gateway tests: a real sandbox upstream, a real OIDC issuer on loopback, and
 * the gateway between them, started from a YAML config like `tollgate serve` is. Recording
 * proxies sit on both sides of the gateway so tests can read every reply the driver got and
 * every reply upstream sent; every log line the gateway writes is captured too.
 */

/** The upstream password the gateway holds; tests prove it never leaves the gateway. */
export const UPSTREAM_PASSWORD = 'sandbox-password-7c1f9e2a';

export interface HarnessOptions {
  binds?: BindRecording;
  sandbox?: SandboxOptions;
  /** Replaces the SQLite store as the gateway's audit sink. */
  audit?: AuditSink;
  failOpen?: boolean;
  /** PEM files: serve the Snowflake listener over HTTPS. */
  tls?: { cert: string; key: string; ca: string };
}

export interface Harness {
  dir: string;
  sandbox: Sandbox;
  issuer: TestOidcIssuer;
  gateway: Gateway;
  config: TollgateConfig;
  /** Between the driver and the gateway. */
  clientProxy: RecordingProxy;
  /** Between the gateway and the sandbox. */
  upstreamProxy: RecordingProxy;
  logLines: string[];
  /** A GitHub-Actions-shaped token from the issuer; `claims` override the defaults. */
  token(claims?: Record<string, unknown>): Promise<string>;
  /** Connects the real driver through the client proxy, with a fresh token. */
  connect(options?: Partial<ConnectOptions>): Promise<Connection>;
  /** Opens the audit store for reading what the gateway wrote. */
  openStore(): AuditStore;
  /** Restarts the gateway on the same port (sessions are lost, as in a real restart). */
  restartGateway(): Promise<void>;
  close(): Promise<void>;
}

export const ACCOUNT = 'sandbox';

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-gateway-'));
  const sandbox = await startSandbox(options.sandbox ?? {});
  const upstreamProxy = await RecordingProxy.start(sandbox.url);
  const issuer = await startTestIssuer();
  const logLines: string[] = [];
  const configFor = (port: number) =>
    writeConfig(dir, configYaml(dir, issuer, upstreamProxy.url, port, options));

  let config = configFor(0);
  let gateway = await launch(config, options, logLines);
  const clientProxy = await RecordingProxy.start(gateway.snowflake.url, options.tls?.ca);

  const harness: Harness = {
    dir,
    sandbox,
    issuer,
    gateway,
    config,
    clientProxy,
    upstreamProxy,
    logLines,
    token: (claims = {}) => issuer.sign(issuer.githubClaims(claims)),
    connect: async (overrides = {}) =>
      connect({
        accessUrl: clientProxy.url,
        account: ACCOUNT,
        token: overrides.token ?? (await harness.token()),
        ...overrides,
      }),
    openStore: () => openAuditStore({ path: config.audit.path, readOnly: true }),
    restartGateway: async () => {
      const port = gateway.snowflake.port;
      await gateway.close();
      config = configFor(port);
      gateway = await launch(config, options, logLines);
      harness.gateway = gateway;
      harness.config = config;
    },
    // Every part is closed even when another fails to, so one failure leaves nothing listening.
    close: async () => {
      // The gateway goes first so its sessions can still log out upstream.
      const front = await Promise.allSettled([clientProxy.close(), harness.gateway.close()]);
      const back = await Promise.allSettled([
        upstreamProxy.close(),
        issuer.close(),
        sandbox.close(),
      ]);
      const closed = [...front, ...back];
      rmSync(dir, { recursive: true, force: true });
      const failed = closed.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
  return harness;
}

function launch(config: TollgateConfig, options: HarnessOptions, logLines: string[]) {
  return startGateway({
    config,
    logger: createLogger({ level: 'debug', destination: captureLines(logLines) }),
    env: { SANDBOX_PASSWORD: UPSTREAM_PASSWORD },
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  });
}

function configYaml(
  dir: string,
  issuer: TestOidcIssuer,
  upstreamUrl: string,
  port: number,
  options: HarnessOptions,
): string {
  return `
listeners:
  snowflake: { host: 127.0.0.1, port: ${port}${tlsYaml(options)} }
  admin: { host: 127.0.0.1, port: 0 }
audit:
  path: ${join(dir, 'audit.db')}
  binds: ${options.binds ?? 'recorded'}
  failOpen: ${options.failOpen ?? false}
issuers:
  - issuer: ${issuer.url}
    audience: ${issuer.audience}
    preset: github-actions
    algorithms: [RS256]
connections:
  - name: ${ACCOUNT}
    type: snowflake
    account: tollgate_sandbox
    url: ${upstreamUrl}
    user: TOLLGATE_SVC
    credentials: { type: password, passwordEnv: SANDBOX_PASSWORD }
access:
  - name: acme-repositories
    claims: { repository: 'acme/*' }
    connections: ${ACCOUNT}
`;
}

function tlsYaml(options: HarnessOptions): string {
  if (options.tls === undefined) return '';
  return `, tls: { cert: ${JSON.stringify(options.tls.cert)}, key: ${JSON.stringify(options.tls.key)} }`;
}

function writeConfig(dir: string, yaml: string): TollgateConfig {
  const file = join(dir, 'tollgate.yaml');
  writeFileSync(file, yaml);
  return parseConfig(yaml, file);
}

function captureLines(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}
