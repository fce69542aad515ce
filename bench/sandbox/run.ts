/**
 * Sandbox benchmark, through the real snowflake-sdk driver against `tollgate sandbox` running
 * as its own process: p50/p99 latency of `select 1`, then rows per second and the sandbox's
 * peak RSS (VmHWM) while the driver streams a 1,000,000 x 5 result.
 *
 * Usage: npm run bench:sandbox [-- --iterations N --rows N --out FILE]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import snowflake, { type Connection } from 'snowflake-sdk';

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
snowflake.configure({ logLevel: 'OFF' });

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const WARM_UP = 300;

interface Options {
  iterations: number;
  rows: number;
  out: string | null;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '3000' },
      rows: { type: 'string', default: '1000000' },
      out: { type: 'string' },
    },
  });
  return {
    iterations: Number(values.iterations),
    rows: Number(values.rows),
    out: values.out ?? null,
  };
}

async function startSandbox(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'sandbox', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TOLLGATE_LOG_LEVEL: 'warn' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [url] = (await once(lines, 'line')) as [string];
  return { child, url };
}

async function connect(url: string): Promise<Connection> {
  const connection = snowflake.createConnection({
    accessUrl: url,
    account: 'bench',
    username: 'bench',
    password: 'bench',
  });
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

/** Milliseconds of each `select 1` round trip, after a warm-up. */
async function selectOneLatencies(connection: Connection, iterations: number): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await run(connection, 'select 1');
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await run(connection, 'select 1');
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** Streams the big result through the driver; returns rows read and seconds taken. */
async function streamBigResult(
  connection: Connection,
  rows: number,
): Promise<{ rows: number; seconds: number }> {
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
  return { rows: count, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** A field of /proc/<pid>/status in megabytes (VmHWM is the peak resident set). */
function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Resets VmHWM to the current RSS (Linux clear_refs, value 5), so the next reading is the peak
 * of what follows rather than of start-up, when the transpiler's WebAssembly is compiled.
 */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function main(): Promise<void> {
  const opts = options();
  const loadBefore = loadavg();
  const { child, url } = await startSandbox();
  const pid = child.pid as number;
  try {
    const connection = await connect(url);
    const latencies = await selectOneLatencies(connection, opts.iterations);
    const peakRssSoFar = procStatusMb(pid, 'VmHWM');
    const rssBeforeBigResult = procStatusMb(pid, 'VmRSS');
    resetPeakRss(pid);
    const big = await streamBigResult(connection, opts.rows);
    const peakRss = procStatusMb(pid, 'VmHWM');

    const result = {
      benchmark: 'sandbox',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGb: Math.round(totalmem() / 2 ** 30),
      },
      node: process.version,
      // Other work on the machine skews every figure; the 1-minute load before and after shows it.
      loadAverage1m: { before: round(loadBefore[0] ?? 0), after: round(loadavg()[0] ?? 0) },
      selectOne: {
        iterations: opts.iterations,
        warmUp: WARM_UP,
        p50Ms: round(percentile(latencies, 50)),
        p99Ms: round(percentile(latencies, 99)),
        meanMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      },
      bigResult: {
        rows: big.rows,
        columns: 5,
        seconds: round(big.seconds),
        rowsPerSecond: Math.round(big.rows / big.seconds),
        sandboxRssBeforeMb: round(rssBeforeBigResult),
        sandboxPeakRssMb: round(peakRss),
        sandboxPeakRssBeforeMb: round(peakRssSoFar),
      },
      targets: { p50Ms: 2, peakRssMb: 300 },
    };
    const text = `${JSON.stringify(result, null, 2)}\n`;
    process.stdout.write(text);
    if (opts.out !== null) writeFileSync(opts.out, text);
    await new Promise<void>((resolve) => connection.destroy(() => resolve()));
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

await main();
