import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type AuditEventKind,
  type AuditRecord,
  type AuditSearch,
  type AuditStore,
  type ExportRange,
  type Outcome,
  openAuditStore,
  type StatementDetail,
  verifyExportFile,
} from '../audit/index.js';
import { ProgressBar } from '../audit/progress.js';
import { renderCsv, renderTable } from '../audit/table.js';
import {
  describeRecord,
  describeStatement,
  describeVerify,
  RECORD_CSV,
  RECORD_TABLE,
  STATEMENT_CSV,
  STATEMENT_TABLE,
} from '../audit/views.js';
import { isTollgateError, TollgateError } from '../errors.js';
import { auditDbPath, demoDataDir } from '../paths.js';

/** Where the store is: `--db`, else `--data`, else `--config`, else the demo's data folder. */
interface StoreFlags {
  db?: string;
  data?: string;
  config?: string;
}

interface SearchFlags extends StoreFlags {
  principal?: string;
  tag: Record<string, string>;
  claimedTag: Record<string, string>;
  connection?: string;
  since?: string;
  until?: string;
  outcome?: Outcome;
  type?: string;
  text?: string;
  kind: AuditEventKind;
  limit: number;
  json?: boolean;
  csv?: boolean;
}

/** Verify reads every record; below this many it finishes before a bar would be worth drawing. */
const PROGRESS_THRESHOLD = 50_000;
const DEFAULT_LIMIT = 50;

/** Adds `tollgate audit` (search, show, verify, export) to the program. */
export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description('Search, show, verify and export the audit log')
    .addHelpText(
      'after',
      '\nThe store is --db FILE, else DIR/audit.db for --data DIR, else the audit path of\n' +
        '--config FILE, else the one `tollgate demo` writes. Exit status 2 means the command\n' +
        'could not run (no store, bad option).',
    );

  registerSearch(audit);
  registerShow(audit);
  registerVerify(audit);
  registerExport(audit);
}

function registerSearch(audit: Command): void {
  const command = withStoreFlags(audit.command('search'))
    .description('List statements (folded with their results) or other events, newest first')
    .option('--principal <name>', 'only this principal')
    .option('--tag <key=value>', 'a verified tag that must match (repeatable)', collectTag, {})
    .option('--claimed-tag <key=value>', 'a tag the client claimed (repeatable)', collectTag, {})
    .option('--connection <name>', 'only this connection')
    .option(
      '--since <time>',
      'at or after: ISO-8601 time or date, or an age like 15m, 2h, 7d',
      toTime,
    )
    .option('--until <time>', 'at or before (same forms as --since)', toTime)
    .addOption(new Option('--outcome <outcome>').choices(['success', 'failure', 'cancelled']))
    .option('--type <type>', 'statement type: SELECT, INSERT, DDL, ...')
    .option('--text <words>', 'words that must all appear in the SQL (full-text; word* = prefix)')
    .addOption(
      new Option('--kind <kind>', 'which events to list')
        .choices(['statement', 'login', 'session_end', 'statement_result', 'result_chunk'])
        .default('statement'),
    )
    .option('--limit <n>', 'at most this many', toPositiveInteger, DEFAULT_LIMIT)
    .addOption(new Option('--json', 'JSON for scripts').conflicts('csv'))
    .option('--csv', 'CSV for spreadsheets and scripts');

  command.action((flags: SearchFlags) =>
    run(command, async () => {
      await withStore(flags, (store) => process.stdout.write(searchOutput(store, flags)));
    }),
  );
}

function registerShow(audit: Command): void {
  const command = withStoreFlags(audit.command('show'))
    .description('Show one statement with all its events, or one record (by id or seq)')
    .argument('<id>', 'statement id, record id or seq')
    .option('--json', 'JSON for scripts');

  command.action((id: string, flags: StoreFlags & { json?: boolean }) =>
    run(command, async () => {
      await withStore(flags, (store) => showOne(store, id, flags.json ?? false));
    }),
  );
}

function registerVerify(audit: Command): void {
  const command = withStoreFlags(audit.command('verify'))
    .description('Walk the hash chain; exit 0 when intact, 1 naming the first broken event')
    .option('--file <export.jsonl>', 'verify an export file instead of the store')
    .option('--json', 'JSON for scripts');

  command.action((flags: StoreFlags & { file?: string; json?: boolean }) =>
    run(command, async () => {
      const report = flags.file
        ? await verifyFile(flags.file)
        : await withStore(flags, (store) => verifyWithProgress(store));

      const json = report.ok ? report : { ...report, code: 'TG_AUDIT_CHAIN_BROKEN' };
      process.stdout.write(
        flags.json ? `${JSON.stringify(json, null, 2)}\n` : describeVerify(report),
      );
      process.exitCode = report.ok ? 0 : 1;
    }),
  );
}

function registerExport(audit: Command): void {
  const command = withStoreFlags(audit.command('export'))
    .description('Write records as JSON lines with their seq and hashes, for checking elsewhere')
    .option('--since <time>', 'from the first record at or after this time', toTime)
    .option('--until <time>', 'to the last record at or before this time', toTime)
    .option('--out <file>', 'write here instead of stdout');

  command.action((flags: StoreFlags & { since?: string; until?: string; out?: string }) =>
    run(command, async () => {
      await withStore(flags, (store) => exportTo(store, flags, flags.out));
    }),
  );
}

/** Writes the export to a file (created only once the store is open) or to stdout. */
async function exportTo(store: AuditStore, range: ExportRange, out: string | undefined) {
  const output = out ? createWriteStream(out) : process.stdout;
  const written = await writeLines(store.exportLines(range), output);
  if (!out) return;

  output.end();
  await once(output, 'finish');
  process.stderr.write(`Exported ${written} records to ${out}\n`);
}

function searchOutput(store: AuditStore, flags: SearchFlags): string {
  const search = toSearch(flags);
  const width = terminalWidth();

  if (flags.kind === 'statement') {
    const statements = store.searchStatements(search);
    if (flags.json) return `${JSON.stringify(statements, null, 2)}\n`;
    if (flags.csv) return renderCsv(statements, STATEMENT_CSV);
    return statements.length === 0
      ? nothingFound()
      : renderTable(statements, STATEMENT_TABLE, width);
  }

  const records = store.searchRecords(search);
  if (flags.json) return `${JSON.stringify(records, null, 2)}\n`;
  if (flags.csv) return renderCsv(records, RECORD_CSV);
  return records.length === 0 ? nothingFound() : renderTable(records, RECORD_TABLE, width);
}

/** Said on stderr, so that a script reading the table gets an empty stdout. */
function nothingFound(): string {
  process.stderr.write('Nothing matches.\n');
  return '';
}

function toSearch(flags: SearchFlags): AuditSearch {
  return {
    kind: flags.kind,
    principal: flags.principal,
    tags: flags.tag,
    claimedTags: flags.claimedTag,
    connection: flags.connection,
    since: flags.since,
    until: flags.until,
    outcome: flags.outcome,
    statementType: flags.type,
    text: flags.text,
    limit: flags.limit,
  };
}

function showOne(store: AuditStore, id: string, json: boolean): void {
  const found = lookUp(store, id);
  if (!found) {
    throw new TollgateError(
      'TG_AUDIT_EVENT_UNKNOWN',
      `no statement or record ${id} in ${store.path}`,
    );
  }

  if (json) process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
  else process.stdout.write('view' in found ? describeStatement(found) : describeRecord(found));
}

/** A statement id first; then a record id or seq, shown as its statement when it has one. */
function lookUp(store: AuditStore, id: string): StatementDetail | AuditRecord | null {
  const statement = store.getStatement(id);
  if (statement) return statement;

  const record = store.getById(id) ?? (/^\d+$/.test(id) ? store.getBySeq(Number(id)) : null);
  if (record && 'statementId' in record.event) {
    return store.getStatement(record.event.statementId) ?? record;
  }
  return record;
}

function verifyWithProgress(store: AuditStore) {
  const bar = progressBar('verifying');
  try {
    return store.verify({
      onProgress: (checked, total) => {
        if (total >= PROGRESS_THRESHOLD) bar?.update(checked, total);
      },
    });
  } finally {
    bar?.clear();
  }
}

async function verifyFile(path: string) {
  const bar = progressBar('verifying');
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size === undefined) {
    throw new TollgateError('TG_AUDIT_UNAVAILABLE', `there is no export file at ${path}`);
  }

  try {
    return await verifyExportFile(path, { onProgress: (bytes) => bar?.update(bytes, size) });
  } finally {
    bar?.clear();
  }
}

function progressBar(label: string): ProgressBar | null {
  return process.stderr.isTTY ? new ProgressBar(process.stderr, label) : null;
}

/** Writes lines, waiting whenever the stream asks to (a slow pipe or disk). */
async function writeLines(lines: Iterable<string>, output: Writable): Promise<number> {
  let count = 0;
  for (const line of lines) {
    count += 1;
    if (!output.write(`${line}\n`)) await once(output, 'drain');
  }
  return count;
}

/**
 * Options naming the store, shared by every subcommand. Commander's own usage errors exit 1 by
 * default, which `verify` uses for a broken chain; here they exit 2 like every other failure.
 */
function withStoreFlags(command: Command): Command {
  return command
    .exitOverride((error) => {
      process.exit(error.exitCode === 1 ? 2 : error.exitCode);
    })
    .option('--data <dir>', 'data folder whose audit.db to read')
    .option('--db <file>', 'the audit store file itself')
    .option('--config <file>', 'a Tollgate config whose audit store to read');
}

/** Opens the store read-only, runs `use` to the end, and closes it even when `use` fails. */
async function withStore<T>(
  flags: StoreFlags,
  use: (store: AuditStore) => T | Promise<T>,
): Promise<T> {
  const path = await storePath(flags);
  const store = openAuditStore({ path, readOnly: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function storePath(flags: StoreFlags): Promise<string> {
  if (flags.db) return flags.db;
  if (flags.data) return auditDbPath(flags.data);
  if (flags.config) {
    // Loaded only when asked for: the config module and its parsers are most of the start-up time.
    const { loadConfig } = await import('../config/index.js');
    return (await loadConfig(flags.config)).audit.path;
  }
  return auditDbPath(demoDataDir());
}

/**
 * Runs an action, turning expected failures (no store, a misused filter) into one line on stderr
 * and exit status 2; anything else is a bug and keeps its stack.
 */
async function run(command: Command, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (isTollgateError(error) || error instanceof TypeError) {
      const hint = missingStoreHint(error);
      command.error(`error: ${error.message}${hint}`, { exitCode: 2, code: 'tollgate.audit' });
    }
    throw error;
  }
}

function missingStoreHint(error: Error): string {
  if (!(isTollgateError(error) && error.message.startsWith('there is no audit store'))) return '';
  return '\nRun `tollgate demo` first, or name a store with --db FILE, --data DIR or --config FILE.';
}

function collectTag(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([^=]+)=(.*)$/s.exec(value);
  if (!match) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [match[1]!]: match[2]! };
}

/** An ISO-8601 time or date, or an age (`90s`, `15m`, `2h`, `7d`) counted back from now. */
function toTime(value: string): string {
  const age = /^(\d+)([smhd])$/.exec(value);
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const time = age
    ? new Date(Date.now() - Number(age[1]) * unitMs[age[2] as keyof typeof unitMs])
    : new Date(value);

  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError('expected an ISO-8601 time or date, or an age like 15m, 2h, 7d');
  }
  return time.toISOString();
}

function toPositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return number;
}

/** The terminal's width; when output is not a terminal, `$COLUMNS` or 160. */
function terminalWidth(): number {
  if (process.stdout.isTTY) return process.stdout.columns;
  return Number(process.env.COLUMNS) || 160;
}
