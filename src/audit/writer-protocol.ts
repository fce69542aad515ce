import type Database from 'better-sqlite3';
import type { StoredRow } from './event-row.js';

/**
 * How far an acknowledged record survives (the values of `audit.durability` in the config).
 * - `default`: the gateway process being killed. WAL with `synchronous=NORMAL`: a commit is in
 *   the operating system's hands before `append` resolves, but not yet on disk.
 * - `fsync`: also power loss and kernel crashes. `synchronous=FULL`: the WAL is fsynced at every
 *   commit, and group commit makes one fsync cover every append waiting at that moment.
 * https://www.sqlite.org/pragma.html#pragma_synchronous
 */
export type AuditDurability = 'default' | 'fsync';

/** What the writer thread is started with. */
export interface WriterConfig {
  path: string;
  durability: AuditDurability;
  busyTimeoutMs: number;
}

/** The writer connection's settings as SQLite reports them, once it is open. */
export interface WriterSettings {
  journalMode: string;
  /** SQLite's number: 1 = NORMAL, 2 = FULL. */
  synchronous: number;
}

/** An error as it crosses between threads (a class does not survive the copy; these do). */
export interface WireError {
  message: string;
  code: string | null;
}

/**
 * Where a batch landed in the chain, column by column (cheaper to copy between threads than an
 * object per record): record `i` has seq `firstSeq + i`, id `ids[i]`, hash `hashes[i]`, and
 * prevHash `hashes[i - 1]`, or `prevHash` for the first.
 */
export interface WrittenBatch {
  firstSeq: number;
  prevHash: string;
  ids: string[];
  hashes: string[];
}

export type ToWriter = { type: 'write'; rows: StoredRow[] } | { type: 'close' };

export type FromWriter =
  | ({ type: 'ready' } & WriterSettings)
  | { type: 'open_failed'; error: WireError }
  | ({ type: 'written' } & WrittenBatch)
  | { type: 'write_failed'; error: WireError };

/** WAL, and how often it is synced, on a connection that writes. */
export function configureWriter(db: Database.Database, durability: AuditDurability): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${mode})`);

  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
}

export function toWireError(error: unknown): WireError {
  const { message, code } = error as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    code: typeof code === 'string' ? code : null,
  };
}

export function fromWireError(wire: WireError): Error {
  return Object.assign(new Error(wire.message), wire.code === null ? {} : { code: wire.code });
}
