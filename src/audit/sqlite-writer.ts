import type Database from 'better-sqlite3';
import { GENESIS_HASH, recordHash } from './chain.js';
import type { StoredRow, TagSource } from './event-row.js';
import { SortableIdGenerator } from './ids.js';
import type { WrittenBatch } from './writer-protocol.js';

const CACHE_LIMIT = 10_000;

/**
 * Appends batches of events to the chain in one transaction each. Synchronous, as better-sqlite3
 * is; it runs in the writer thread (see `writer-worker.ts`).
 */
export class ChainWriter {
  readonly #ids = new SortableIdGenerator();
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #transaction: Database.Transaction<(batches: StoredRow[][]) => WrittenBatch[]>;
  /** Tags and tag sets already stored, so most appends look neither up. */
  readonly #tagIds = new Map<string, number>();
  readonly #tagSetIds = new Map<string, number>();

  constructor(db: Database.Database) {
    this.#statements = prepareStatements(db);
    this.#transaction = db.transaction((batches: StoredRow[][]) => this.#appendAll(batches));
  }

  /**
   * Writes the batches, in order, as the next records of the chain, all in one transaction, and
   * commits. BEGIN IMMEDIATE takes the write lock first, and the tail is read under it, so
   * another process appending to the same file cannot fork the chain.
   */
  write(batches: StoredRow[][]): WrittenBatch[] {
    try {
      return this.#transaction.immediate(batches);
    } catch (error) {
      // Ids handed out inside the rolled-back transaction no longer exist.
      this.#tagIds.clear();
      this.#tagSetIds.clear();
      throw error;
    }
  }

  #appendAll(batches: StoredRow[][]): WrittenBatch[] {
    const last = this.#statements.tail.get() as { seq: number; hash: string } | undefined;
    let tail = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };

    return batches.map((rows) => {
      const written = this.#appendBatch(rows, tail);
      tail = { seq: tail.seq + rows.length, hash: written.hashes.at(-1) ?? tail.hash };
      return written;
    });
  }

  /** Appends rows after `tail` (the last record's seq and hash). */
  #appendBatch(rows: StoredRow[], tail: { seq: number; hash: string }): WrittenBatch {
    const batch: WrittenBatch = {
      firstSeq: tail.seq + 1,
      prevHash: tail.hash,
      ids: [],
      hashes: [],
    };

    let prevHash = tail.hash;
    for (const [index, row] of rows.entries()) {
      const seq = batch.firstSeq + index;
      const id = this.#ids.next();
      const hash = recordHash(prevHash, seq, id, row.eventJson);
      this.#insert(row, seq, id, prevHash, hash);

      batch.ids.push(id);
      batch.hashes.push(hash);
      prevHash = hash;
    }
    return batch;
  }

  #insert(row: StoredRow, seq: number, id: string, prevHash: string, hash: string): void {
    const { insertRecord, insertSql } = this.#statements;
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
      row.tagSet === '' ? null : this.#tagSetId(row.tagSet),
      row.eventJson,
      prevHash,
      hash,
    );
    if (row.sqlText !== null) insertSql.run(seq, row.sqlText);
  }

  /** The id of this set of tags, stored (with its members) the first time it is seen. */
  #tagSetId(tagSet: string): number {
    const cached = this.#tagSetIds.get(tagSet);
    if (cached !== undefined) return cached;

    const tags = JSON.parse(tagSet) as Record<TagSource, Record<string, string>>;
    const tagIds = (['claimed', 'verified'] as const).flatMap((source) =>
      Object.entries(tags[source]).map(([key, value]) => this.#tagId(source, key, value)),
    );
    const idList = tagIds.sort((a, b) => a - b).join(',');

    const { findTagSet, insertTagSet, insertTagSetMember } = this.#statements;
    let tagSetId = (findTagSet.get(idList) as { tag_set_id: number } | undefined)?.tag_set_id;
    if (tagSetId === undefined) {
      tagSetId = Number(insertTagSet.run(idList).lastInsertRowid);
      for (const tagId of tagIds) insertTagSetMember.run(tagId, tagSetId);
    }
    remember(this.#tagSetIds, tagSet, tagSetId);
    return tagSetId;
  }

  #tagId(source: TagSource, key: string, value: string): number {
    const cacheKey = `${source}\u0000${key}\u0000${value}`;
    const cached = this.#tagIds.get(cacheKey);
    if (cached !== undefined) return cached;

    const { findTag, insertTag } = this.#statements;
    const found = findTag.get(source, key, value) as { tag_id: number } | undefined;
    const tagId = found?.tag_id ?? Number(insertTag.run(source, key, value).lastInsertRowid);
    remember(this.#tagIds, cacheKey, tagId);
    return tagId;
  }
}

/** Caches an id, starting over past a bound so that a long-lived writer's memory stays flat. */
function remember(cache: Map<string, number>, key: string, id: number): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, id);
}

function prepareStatements(db: Database.Database) {
  return {
    tail: db.prepare('SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1'),
    insertRecord: db.prepare(
      `INSERT INTO audit_records (seq, id, kind, time, statement_id, principal, connection,
         outcome, statement_type, tag_set_id, event, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    findTag: db.prepare(
      'SELECT tag_id FROM audit_tag_values WHERE source = ? AND key = ? AND value = ?',
    ),
    insertTag: db.prepare('INSERT INTO audit_tag_values (source, key, value) VALUES (?, ?, ?)'),
    findTagSet: db.prepare('SELECT tag_set_id FROM audit_tag_sets WHERE tag_ids = ?'),
    insertTagSet: db.prepare('INSERT INTO audit_tag_sets (tag_ids) VALUES (?)'),
    insertTagSetMember: db.prepare(
      'INSERT INTO audit_tag_set_members (tag_id, tag_set_id) VALUES (?, ?)',
    ),
    insertSql: db.prepare('INSERT INTO audit_sql (rowid, sql_text) VALUES (?, ?)'),
  };
}
