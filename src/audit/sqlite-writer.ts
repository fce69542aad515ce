import type Database from 'better-sqlite3';
import { GENESIS_HASH, recordHash } from './chain.js';
import type { StoredRow, TagSource } from './event-row.js';
import { SortableIdGenerator } from './ids.js';

/** Where a record landed in the chain: everything of it but the event, which the caller has. */
export interface ChainPosition {
  seq: number;
  id: string;
  prevHash: string;
  hash: string;
}

/**
 * Appends batches of events to the chain in one transaction each. Synchronous, as better-sqlite3
 * is; it runs in the writer thread (see `writer-worker.ts`).
 */
export class ChainWriter {
  readonly #ids = new SortableIdGenerator();
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #transaction: Database.Transaction<(rows: StoredRow[]) => ChainPosition[]>;
  /** Tag ids already in `audit_tag_values`, so most tags cost no lookup. */
  readonly #tagIds = new Map<string, number>();

  constructor(db: Database.Database) {
    this.#statements = prepareStatements(db);
    this.#transaction = db.transaction((rows: StoredRow[]) => this.#appendAll(rows));
  }

  /**
   * Writes the rows as the next records of the chain and commits. BEGIN IMMEDIATE takes the
   * write lock first, and the tail is read under it, so another process appending to the same
   * file cannot fork the chain.
   */
  write(rows: StoredRow[]): ChainPosition[] {
    try {
      return this.#transaction.immediate(rows);
    } catch (error) {
      // Ids handed out inside the rolled-back transaction no longer exist.
      this.#tagIds.clear();
      throw error;
    }
  }

  #appendAll(rows: StoredRow[]): ChainPosition[] {
    const last = this.#statements.tail.get() as { seq: number; hash: string } | undefined;
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;

    return rows.map((row): ChainPosition => {
      seq += 1;
      const id = this.#ids.next();
      const hash = recordHash(prevHash, seq, id, row.eventJson);
      this.#insert(row, seq, id, prevHash, hash);

      const position = { seq, id, prevHash, hash };
      prevHash = hash;
      return position;
    });
  }

  #insert(row: StoredRow, seq: number, id: string, prevHash: string, hash: string): void {
    const { insertRecord, insertRecordTag, insertSql } = this.#statements;
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

    for (const [source, key, value] of row.tags) {
      insertRecordTag.run(this.#tagId(source, key, value), seq);
    }
    if (row.sqlText !== null) insertSql.run(seq, row.sqlText);
  }

  #tagId(source: TagSource, key: string, value: string): number {
    const cacheKey = `${source}\u0000${key}\u0000${value}`;
    const cached = this.#tagIds.get(cacheKey);
    if (cached !== undefined) return cached;

    const { findTag, insertTag } = this.#statements;
    const found = findTag.get(source, key, value) as { tag_id: number } | undefined;
    const tagId = found?.tag_id ?? Number(insertTag.run(source, key, value).lastInsertRowid);
    this.#tagIds.set(cacheKey, tagId);
    return tagId;
  }
}

function prepareStatements(db: Database.Database) {
  return {
    tail: db.prepare('SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1'),
    insertRecord: db.prepare(
      `INSERT INTO audit_records (seq, id, kind, time, statement_id, principal, connection,
         outcome, statement_type, event, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    findTag: db.prepare(
      'SELECT tag_id FROM audit_tag_values WHERE source = ? AND key = ? AND value = ?',
    ),
    insertTag: db.prepare('INSERT INTO audit_tag_values (source, key, value) VALUES (?, ?, ?)'),
    insertRecordTag: db.prepare('INSERT INTO audit_record_tags (tag_id, seq) VALUES (?, ?)'),
    insertSql: db.prepare('INSERT INTO audit_sql (rowid, sql_text) VALUES (?, ?)'),
  };
}
