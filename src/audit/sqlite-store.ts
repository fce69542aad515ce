import { existsSync, mkdirSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TollgateError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { type EventRow, toEventRow } from './event-row.js';
import { GroupCommit } from './group-commit.js';
import { newAuditId, SortableIdGenerator } from './ids.js';
import { checkSchema, prepareSchema } from './schema.js';
import { SqliteAuditReader } from './sqlite-reader.js';
import type { AuditEvent, AuditRecord, AuditSink } from './types.js';

/**
 * How far an acknowledged record survives (the values of `audit.durability` in the config).
 * - `default`: the gateway process being killed. WAL with `synchronous=NORMAL`: a
 *   commit is in the operating system's hands before `append` resolves, but not yet on disk.
 * - `fsync`: also power loss and kernel crashes. `synchronous=FULL`: the WAL is fsynced at every
 *   commit, and group commit makes one fsync cover every append waiting at that moment.
 * https://www.sqlite.org/pragma.html#pragma_synchronous
 */
export type AuditDurability = 'default' | 'fsync';

export interface AuditStoreOptions {
  /** The SQLite file (see `auditDbPath`). Its folder is created when missing. */
  path: string;
  /** Default `default`; see `AuditDurability`. */
  durability?: AuditDurability;
  /**
   * When the store cannot write, resolve `append` with an unrecorded result (see `isRecorded`)
   * instead of rejecting it, logging every lost event at error level. Default false: fail closed,
   * so the front end refuses the statement.
   */
  failOpen?: boolean;
  /** Where write failures are logged. Default: a silent logger. */
  logger?: Logger;
  /** Open for reading only (the CLI): the store must exist, and `append` always fails. */
  readOnly?: boolean;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** The SQLite audit store: the sink the front ends append to, plus everything that reads it. */
export interface AuditStore extends AuditSink, SqliteAuditReader {
  readonly path: string;
  /** Writes any appends still waiting, then closes the file. Later appends fail. */
  close(): Promise<void>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the SQLite audit store at `options.path`. Fails with
 * TG_AUDIT_UNAVAILABLE when the file cannot be opened, is not an audit store, or (read-only)
 * does not exist.
 */
export function openAuditStore(options: AuditStoreOptions): AuditStore {
  const db = openDatabase(options);
  try {
    return new SqliteAuditStore(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** True when `append` really wrote the record; false for the stand-in a fail-open store returns. */
export function isRecorded(record: AuditRecord): boolean {
  return record.seq > 0;
}

class SqliteAuditStore extends SqliteAuditReader implements AuditStore {
  readonly path: string;
  readonly #logger: Logger;
  readonly #failOpen: boolean;
  readonly #readOnly: boolean;
  readonly #ids = new SortableIdGenerator();
  readonly #queue: GroupCommit<EventRow, AuditRecord>;
  readonly #file: Stats | undefined;
  readonly #writeBatch: (rows: EventRow[]) => AuditRecord[];
  #closed = false;

  constructor(db: Database.Database, options: AuditStoreOptions) {
    super(db);
    this.path = options.path;
    this.#logger = options.logger ?? silentLogger();
    this.#failOpen = options.failOpen ?? false;
    this.#readOnly = options.readOnly ?? false;

    if (this.#readOnly) checkSchema(db, this.path);
    else prepareSchema(db, this.path);

    this.#file = statSync(this.path, { throwIfNoEntry: false });
    this.#writeBatch = this.#compileWriter();
    this.#queue = new GroupCommit((rows) => this.#commit(rows));
    this.#announce(options);
  }

  /**
   * Records an event; resolves once it is committed (see `AuditDurability`). Rejects with
   * TG_AUDIT_UNAVAILABLE when the store cannot write, unless the store is fail-open; rejects
   * with a TypeError when the event is malformed.
   */
  append(event: AuditEvent): Promise<AuditRecord> {
    let row: EventRow;
    try {
      row = toEventRow(event);
    } catch (error) {
      return Promise.reject(error);
    }

    const written = this.#closed ? Promise.reject(closedError()) : this.#queue.submit(row);
    return written.catch((error: unknown) => this.#lost(error, row));
  }

  async close(): Promise<void> {
    if (this.#closed) return;

    this.#queue.flush();
    this.#closed = true;
    this.db.close();
  }

  /** Runs on the event loop's turn after appends arrive; one transaction for all of them. */
  #commit(rows: EventRow[]): AuditRecord[] {
    try {
      if (this.#readOnly) throw new Error('the audit store was opened read-only');
      if (this.#closed) throw new Error('the audit store is closed');
      this.#checkFileInPlace();
      return this.#writeBatch(rows);
    } catch (cause) {
      this.#logger.error(
        { err: cause, path: this.path, events: rows.length, failOpen: this.#failOpen },
        'audit store cannot write',
      );
      throw unavailable(cause);
    }
  }

  /**
   * Without this check, SQLite would go on writing to a file deleted or replaced under it, and
   * every record from then on would be lost when the process ends.
   */
  #checkFileInPlace(): void {
    const now = statSync(this.path, { throwIfNoEntry: false });
    if (!now || !this.#file || now.ino !== this.#file.ino || now.dev !== this.#file.dev) {
      throw new Error(`${this.path} was removed or replaced while the store had it open`);
    }
  }

  #compileWriter(): (rows: EventRow[]) => AuditRecord[] {
    const tail = this.db.prepare('SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1');
    const insertRecord = this.db.prepare(
      `INSERT INTO audit_records (seq, id, kind, time, statement_id, principal, connection,
         outcome, statement_type, event, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTag = this.db.prepare(
      'INSERT INTO audit_tags (seq, source, key, value) VALUES (?, ?, ?, ?)',
    );
    const insertSql = this.db.prepare('INSERT INTO audit_sql (rowid, sql_text) VALUES (?, ?)');

    const writeRow = (row: EventRow, seq: number, id: string, prevHash: string, hash: string) => {
      insertRecord.run(
        seq,
        id,
        row.kind,
        row.time,
        row.statementId,
        row.principal,
        row.connection,
        row.outcome,
        row.statementType,
        row.eventJson,
        prevHash,
        hash,
      );
      for (const [source, key, value] of row.tags) insertTag.run(seq, source, key, value);
      if (row.sqlText !== null) insertSql.run(seq, row.sqlText);
    };

    // The tail is read inside the write transaction, so another process appending to the same
    // file cannot fork the chain.
    const writeAll = this.db.transaction((rows: EventRow[]) => {
      const last = tail.get() as { seq: number; hash: string } | undefined;
      let seq = last?.seq ?? 0;
      let prevHash = last?.hash ?? GENESIS_HASH;

      return rows.map((row): AuditRecord => {
        seq += 1;
        const id = this.#ids.next();
        const hash = recordHash(prevHash, seq, id, row.eventJson);
        writeRow(row, seq, id, prevHash, hash);
        const record = { seq, id, event: row.event, prevHash, hash };
        prevHash = hash;
        return record;
      });
    });
    return (rows) => writeAll.immediate(rows);
  }

  /** A failed write: rethrown when failing closed; logged and replaced when failing open. */
  #lost(error: unknown, row: EventRow): AuditRecord {
    if (!this.#failOpen || !(error instanceof TollgateError)) throw error;

    this.#logger.error(
      { path: this.path, kind: row.kind, statementId: row.statementId, time: row.time },
      'audit event NOT recorded: the store cannot write and failOpen is set, so the gateway goes on',
    );
    return { seq: 0, id: newAuditId(), event: row.event, prevHash: '', hash: '' };
  }

  #announce(options: AuditStoreOptions): void {
    if (this.#readOnly) return;

    const durability = options.durability ?? 'default';
    this.#logger.info({ path: this.path, durability }, 'audit store open');
    if (this.#failOpen) {
      this.#logger.warn(
        { path: this.path },
        'audit store is fail-open: statements will run even when they cannot be recorded',
      );
    }
  }
}

function openDatabase(options: AuditStoreOptions): Database.Database {
  const { path } = options;
  if (options.readOnly && !existsSync(path)) {
    throw new TollgateError('TG_AUDIT_UNAVAILABLE', `there is no audit store at ${path}`);
  }

  try {
    if (!options.readOnly) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, {
      readonly: options.readOnly ?? false,
      fileMustExist: options.readOnly ?? false,
      timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    });
    if (!options.readOnly) configureWriter(db, options.durability ?? 'default');
    return db;
  } catch (cause) {
    throw new TollgateError('TG_AUDIT_UNAVAILABLE', `cannot open the audit store at ${path}`, {
      cause,
    });
  }
}

function configureWriter(db: Database.Database, durability: AuditDurability): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${mode})`);

  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
}

function unavailable(cause: unknown): TollgateError {
  return new TollgateError(
    'TG_AUDIT_UNAVAILABLE',
    'the audit log cannot be written, so the request was refused',
    { cause },
  );
}

function closedError(): TollgateError {
  return unavailable(new Error('the audit store is closed'));
}
