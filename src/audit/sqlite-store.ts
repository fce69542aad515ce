import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TollgateError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { type EventRow, toEventRow } from './event-row.js';
import { GroupCommit } from './group-commit.js';
import { newAuditId } from './ids.js';
import { checkSchema, prepareSchema } from './schema.js';
import { SqliteAuditReader } from './sqlite-reader.js';
import type { AuditEvent, AuditRecord, AuditSink } from './types.js';
import {
  type AuditDurability,
  configureWriter,
  type WriterConfig,
  type WriterSettings,
  type WrittenBatch,
} from './writer-protocol.js';
import { WriterThread } from './writer-thread.js';

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
  /**
   * Resolves once the writer is open, with its SQLite settings; rejects with
   * TG_AUDIT_UNAVAILABLE when it could not be. A gateway awaits this at start-up to fail fast.
   */
  ready(): Promise<WriterSettings>;
  /** Writes any appends still waiting, then closes the file. Later appends fail. */
  close(): Promise<void>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * How appends reach the writer thread. Batches go over without waiting for the commit before:
 * the writer writes whatever has queued up while it was committing as one transaction, so
 * commits still cover many appends, and this thread prepares the next events (canonical JSON,
 * copying) while the writer's SQLite work runs on the other core. A batch leaves at the end of
 * the turn or once it holds 64 appends, so that with many callers the writer can start on the
 * first ones while the rest are still being prepared; smaller batches cost more in messages.
 */
const HAND_OVER = { maxBatch: 64, concurrency: Number.POSITIVE_INFINITY };

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
  readonly #queue: GroupCommit<EventRow, AuditRecord>;
  readonly #writer: WriterThread | null;
  #closed = false;

  constructor(db: Database.Database, options: AuditStoreOptions) {
    super(db);
    this.path = options.path;
    this.#logger = options.logger ?? silentLogger();
    this.#failOpen = options.failOpen ?? false;

    if (options.readOnly) checkSchema(db, this.path);
    else prepareSchema(db, this.path);

    this.#writer = options.readOnly ? null : new WriterThread(writerConfig(options));
    this.#queue = new GroupCommit((rows) => this.#commit(rows), HAND_OVER);
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

    if (this.#closed) return this.#failed([row], closedError()).then(([record]) => record!);
    return this.#queue.submit(row);
  }

  async ready(): Promise<WriterSettings> {
    if (!this.#writer) throw unavailable(new Error('the audit store was opened read-only'));
    return this.#writer.ready().catch((cause: unknown) => {
      throw cannotOpen(this.path, cause);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;

    await this.#queue.drain();
    await this.#writer?.close();
    this.db.close();
  }

  /**
   * One batch of appends, handed to the writer thread. A failure is handled here for the whole
   * batch, rather than by a handler on each append's promise, which would cost a promise more
   * per append.
   */
  async #commit(rows: EventRow[]): Promise<AuditRecord[]> {
    try {
      if (!this.#writer) throw new Error('the audit store was opened read-only');
      const batch = await this.#writer.write(rows.map((row) => row.stored));
      return toRecords(batch, rows);
    } catch (cause) {
      this.#logger.error(
        { err: cause, path: this.path, events: rows.length, failOpen: this.#failOpen },
        'audit store cannot write',
      );
      return this.#failed(rows, unavailable(cause));
    }
  }

  /** Appends that could not be written: refused when failing closed; stand-ins when failing open. */
  async #failed(rows: EventRow[], error: TollgateError): Promise<AuditRecord[]> {
    if (!this.#failOpen) throw error;
    return rows.map((row) => this.#lost(row));
  }

  /** Logs an event that was not recorded, and makes the stand-in record a fail-open store returns. */
  #lost(row: EventRow): AuditRecord {
    this.#logger.error(
      {
        path: this.path,
        kind: row.stored.kind,
        statementId: row.stored.statementId,
        time: row.stored.time,
      },
      'audit event NOT recorded: the store cannot write and failOpen is set, so the gateway goes on',
    );
    return { seq: 0, id: newAuditId(), event: row.event, prevHash: '', hash: '' };
  }

  #announce(options: AuditStoreOptions): void {
    if (options.readOnly) return;

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
    // This connection creates the schema and then only reads; the writer thread writes.
    if (!options.readOnly) configureWriter(db, options.durability ?? 'default');
    return db;
  } catch (cause) {
    throw cannotOpen(path, cause);
  }
}

function cannotOpen(path: string, cause: unknown): TollgateError {
  return new TollgateError('TG_AUDIT_UNAVAILABLE', `cannot open the audit store at ${path}`, {
    cause,
  });
}

/** The records of a written batch, rebuilt from its columns and the events the rows came from. */
function toRecords(batch: WrittenBatch, rows: EventRow[]): AuditRecord[] {
  return rows.map(({ event }, index) => ({
    seq: batch.firstSeq + index,
    id: batch.ids[index]!,
    event,
    prevHash: index === 0 ? batch.prevHash : batch.hashes[index - 1]!,
    hash: batch.hashes[index]!,
  }));
}

function writerConfig(options: AuditStoreOptions): WriterConfig {
  return {
    path: options.path,
    durability: options.durability ?? 'default',
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
  };
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
