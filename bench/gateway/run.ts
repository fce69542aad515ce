/**
 * Gateway benchmark, in one run, through the real snowflake-sdk driver:
 *  1. added latency of `select 1` through Tollgate against the sandbox direct (p50, p99);
 *  2. a 1,000,000 x 5 result through Tollgate against direct (rows/s), and the gateway's peak
 *     RSS (VmHWM of its process) while it streams;
 *  3. durable audit appends per second (the audit benchmark, bench/audit/appends.ts).
 *
 * The sandbox and the gateway (`tollgate serve`) each run as their own process; the development
 * issuer mints the token. Each run starts fresh processes; the file written holds every run and
 * the median of each figure. Usage:
 *   npm run bench:gateway [-- --iterations N --rows N --runs N --out FILE]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import snowflake, { type Connection, type ConnectionOptions } from 'snowflake-sdk';
import { devGithubClaims, mintDevToken, startDevIssuer } from '../../src/identity/dev-issuer.js';

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
snowflake.configure({ logLevel: 'OFF' });

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SERVE_ONLY = fileURLToPath(new URL('./serve-only.js', import.meta.url));
const AUDIT_BENCH = fileURLToPath(new URL('../audit/appends.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../../bench/results/gateway.json', import.meta.url));
const WARM_UP = 300;

const TARGETS = {
  addedP50Ms: 1,
  throughputShare: 0.7,
  peakRssMb: 200,
  appendsPerSecond: 20_000,
};

interface Options {
  iterations: number;
  rows: number;
  runs: number;
  out: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '3000' },
      rows: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '3' },
      out: { type: 'string', default: RESULTS },
    },
  });
  return {
    iterations: Number(values.iterations),
    rows: Number(values.rows),
    runs: Number(values.runs),
    out: values.out,
  };
}

/** Starts a child and resolves with the first line matching `pattern` on the given stream. */
async function startChild(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TOLLGATE_LOG_LEVEL: 'warn', ...env },
  });
  child[stream === 'stdout' ? 'stderr' : 'stdout']?.resume();
  const lines = createInterface({ input: child[stream] as NodeJS.ReadableStream });
  for await (const line of lines) {
    const match = pattern.exec(line);
    if (match !== null) return { child, match };
  }
  throw new Error(`${args[0]} exited before it was ready`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

function gatewayConfig(dir: string, sandboxUrl: string, issuer: string, audience: string): string {
  const file = join(dir, 'tollgate.yaml');
  writeFileSync(
    file,
    `listeners:
  snowflake: { host: 127.0.0.1, port: 0 }
audit:
  path: ${join(dir, 'audit.db')}
  binds: hashed
issuers:
  - issuer: ${issuer}
    audience: ${audience}
    preset: github-actions
    algorithms: [RS256]
connections:
  - name: bench
    type: snowflake
    account: bench
    url: ${sandboxUrl}
    user: BENCH
    credentials: { type: password, passwordEnv: BENCH_UPSTREAM_PASSWORD }
access:
  - principal: '*'
    connections: bench
`,
  );
  return file;
}

async function connect(settings: Partial<ConnectionOptions>): Promise<Connection> {
  const connection = snowflake.createConnection({
    account: 'bench',
    username: 'bench',
    ...settings,
  } as ConnectionOptions);
  await new Promise<void>((resolve, reject) => {
    connection.connect((error) => (error ? reject(error) : resolve()));
  });
  return connection;
}

function run(connection: Connection, sqlText: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      complete: (error, _statement, rows) => (error ? reject(error) : resolve(rows ?? [])),
    });
  });
}

async function timeOne(connection: Connection): Promise<number> {
  const start = process.hrtime.bigint();
  await run(connection, 'select 1');
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * `select 1` round trips, direct and through the gateway in alternation, so that both see the
 * same machine load.
 */
async function selectOneLatencies(direct: Connection, gateway: Connection, iterations: number) {
  for (let i = 0; i < WARM_UP; i++) {
    await run(direct, 'select 1');
    await run(gateway, 'select 1');
  }
  const times = { direct: [] as number[], gateway: [] as number[] };
  for (let i = 0; i < iterations; i++) {
    times.direct.push(await timeOne(direct));
    times.gateway.push(await timeOne(gateway));
  }
  return times;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

async function streamRows(connection: Connection, rows: number) {
  const sqlText =
    `select range as id, 'name-' || range::varchar as name, range * 1.5 as amount, ` +
    `range % 2 = 0 as even, dateadd(day, range % 1000, to_date('2020-01-01')) as day from range(${rows})`;
  const start = process.hrtime.bigint();
  const statement = await new Promise<ReturnType<Connection['execute']>>((resolve, reject) => {
    connection.execute({
      sqlText,
      streamResult: true,
      complete: (error, stmt) => (error ? reject(error) : resolve(stmt)),
    });
  });
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    statement
      .streamRows()
      .on('data', () => {
        count += 1;
      })
      .on('end', resolve)
      .on('error', reject);
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { rows: count, seconds: round(seconds), rowsPerSecond: Math.round(count / seconds) };
}

/** A field of /proc/<pid>/status in megabytes (VmHWM is the peak resident set). */
function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? round(Number(match[1]) / 1024) : Number.NaN;
}

/** Runs the audit benchmark for the group-commit case the target is about. */
function auditAppends(dir: string) {
  const out = join(dir, 'audit-bench.json');
  const run = spawnSync(
    process.execPath,
    [
      AUDIT_BENCH,
      '--seconds',
      '3',
      '--callers',
      '256',
      '--durability',
      'fsync,default',
      '--out',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (run.status !== 0) throw new Error('the audit benchmark failed');
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    results: { durability: string; callers: number; appendsPerSecond: number }[];
  };
  return report.results.map(({ durability, callers, appendsPerSecond }) => ({
    durability,
    callers,
    appendsPerSecond,
  }));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Starts `tollgate serve` from `entry` and returns it with a connection through it. */
async function startGateway(entry: string, config: string, token: string) {
  const gateway = await startChild(
    entry,
    ['serve', '--config', config],
    { BENCH_UPSTREAM_PASSWORD: 'bench-password' },
    'stderr',
    /^tollgate: snowflake (http\S+)/,
  );
  const connection = await connect({
    accessUrl: gateway.match[1],
    authenticator: 'OAUTH',
    token,
  });
  return { child: gateway.child, pid: gateway.child.pid as number, connection };
}

function close(connection: Connection): Promise<void> {
  return new Promise((resolve) => connection.destroy(() => resolve()));
}

async function measureLatency(direct: Connection, through: Connection, iterations: number) {
  console.log(`select 1: ${iterations} round trips each way, after ${WARM_UP} warm-up`);
  const times = await selectOneLatencies(direct, through, iterations);
  const at = (values: number[]) => ({
    p50: round(percentile(values, 0.5)),
    p99: round(percentile(values, 0.99)),
  });
  const directMs = at(times.direct);
  const gatewayMs = at(times.gateway);
  const addedMs = {
    p50: round(gatewayMs.p50 - directMs.p50),
    p99: round(gatewayMs.p99 - directMs.p99),
  };
  const latency = { directMs, gatewayMs, addedMs };
  console.log(JSON.stringify(latency));
  return latency;
}

/**
 * Streams the large result through a gateway process and reads that process's peak RSS while it
 * streamed: VmHWM is reset through /proc/<pid>/clear_refs just before, so start-up does not
 * count (the peak over its whole life until then is kept too).
 */
async function throughGateway(gateway: { pid: number; connection: Connection }, rows: number) {
  const lifetimePeakBeforeMb = procStatusMb(gateway.pid, 'VmHWM');
  const rssBeforeMb = procStatusMb(gateway.pid, 'VmRSS');
  writeFileSync(`/proc/${gateway.pid}/clear_refs`, '5');
  const result = await streamRows(gateway.connection, rows);
  const peakRssMb = procStatusMb(gateway.pid, 'VmHWM');
  return { ...result, rssBeforeMb, peakRssMb, lifetimePeakBeforeMb };
}

async function runOnce(opts: Options) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-gateway-'));
  const sandbox = await startChild(MAIN, ['sandbox', '--port', '0'], {}, 'stdout', /^(http\S+)$/);
  const issuer = await startDevIssuer({ dataDir: dir });
  const config = gatewayConfig(dir, sandbox.match[1] as string, issuer.url, issuer.audience);
  const children: ChildProcess[] = [sandbox.child];

  try {
    const token = await mintDevToken({
      dataDir: dir,
      claims: devGithubClaims({ run_id: 'bench' }),
    });
    const direct = await connect({ accessUrl: sandbox.match[1], password: 'bench' });
    const cli = await startGateway(MAIN, config, token);
    children.push(cli.child);

    const latency = await measureLatency(direct, cli.connection, opts.iterations);

    console.log(`${opts.rows} rows x 5 columns: direct, then through the gateway`);
    const directRows = await streamRows(direct, opts.rows);
    const viaCli = await throughGateway(cli, opts.rows);
    await close(cli.connection);
    await stop(cli.child);

    const serveOnly = await startGateway(SERVE_ONLY, config, token);
    children.push(serveOnly.child);
    const viaServeOnly = await throughGateway(serveOnly, opts.rows);
    await close(serveOnly.connection);
    await close(direct);
    const largeResult = {
      direct: directRows,
      gateway: viaCli,
      throughputShare: round(viaCli.rowsPerSecond / directRows.rowsPerSecond),
      gatewayServeOnly: viaServeOnly,
    };
    console.log(JSON.stringify(largeResult));

    console.log('durable audit appends (bench/audit/appends.ts, 256 concurrent callers)');
    const appends = auditAppends(dir);
    console.log(JSON.stringify(appends));
    const fsyncAppends = appends.find((result) => result.durability === 'fsync');

    return {
      benchmark: 'gateway',
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
      memoryGb: round(totalmem() / 1024 ** 3),
      loadAverage: loadavg().map(round),
      setup:
        'snowflake-sdk in the benchmark process; sandbox and gateway (tollgate serve) as separate ' +
        'processes on loopback; gateway audit store SQLite WAL (durability default), binds hashed. ' +
        'gatewayServeOnly: the serve command on a program of its own (bench/gateway/serve-only.ts)',
      iterations: opts.iterations,
      latency,
      largeResult,
      auditAppends: appends,
      met: {
        addedP50: latency.addedMs.p50 <= TARGETS.addedP50Ms,
        throughput: largeResult.throughputShare >= TARGETS.throughputShare,
        peakRss: viaCli.peakRssMb < TARGETS.peakRssMb,
        peakRssServeOnly: viaServeOnly.peakRssMb < TARGETS.peakRssMb,
        auditAppends: (fsyncAppends?.appendsPerSecond ?? 0) >= TARGETS.appendsPerSecond,
      },
    };
  } finally {
    for (const child of children.reverse()) await stop(child);
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Run = Awaited<ReturnType<typeof runOnce>>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
}

/** The headline figures, each the median over the runs. */
function summarise(runs: Run[]) {
  const of = (pick: (run: Run) => number) => median(runs.map(pick));
  const summary = {
    addedP50Ms: of((run) => run.latency.addedMs.p50),
    addedP99Ms: of((run) => run.latency.addedMs.p99),
    directP50Ms: of((run) => run.latency.directMs.p50),
    gatewayP50Ms: of((run) => run.latency.gatewayMs.p50),
    directRowsPerSecond: of((run) => run.largeResult.direct.rowsPerSecond),
    gatewayRowsPerSecond: of((run) => run.largeResult.gateway.rowsPerSecond),
    throughputShare: of((run) => run.largeResult.throughputShare),
    gatewayPeakRssMb: of((run) => run.largeResult.gateway.peakRssMb),
    gatewayServeOnlyPeakRssMb: of((run) => run.largeResult.gatewayServeOnly.peakRssMb),
    fsyncAppendsPerSecond: of(
      (run) => run.auditAppends.find((r) => r.durability === 'fsync')?.appendsPerSecond ?? 0,
    ),
  };
  return {
    ...summary,
    met: {
      addedP50: summary.addedP50Ms <= TARGETS.addedP50Ms,
      throughput: summary.throughputShare >= TARGETS.throughputShare,
      peakRss: summary.gatewayPeakRssMb < TARGETS.peakRssMb,
      peakRssServeOnly: summary.gatewayServeOnlyPeakRssMb < TARGETS.peakRssMb,
      auditAppends: summary.fsyncAppendsPerSecond >= TARGETS.appendsPerSecond,
    },
  };
}

const opts = options();
const runs: Run[] = [];
for (let index = 1; index <= opts.runs; index++) {
  console.log(`run ${index} of ${opts.runs}`);
  runs.push(await runOnce(opts));
}
const summary = summarise(runs);
const report = {
  benchmark: 'gateway',
  command: 'npm run bench:gateway',
  targets: TARGETS,
  [`summaryMedianOf${runs.length}`]: summary,
  runs,
};
writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
console.log(`wrote ${opts.out}`);
