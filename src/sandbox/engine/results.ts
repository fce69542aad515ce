import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { type ColumnWriter, columnWriterFor } from './column-encoders.js';
import type { EncodeContext } from './encode.js';
import { fromDuckDbError, sqlError } from './errors.js';
import { refinedType, resultColumnOf } from './rowtype.js';
import type { JsonRow, ResultColumn, SnowflakeType, StatementResult } from './types.js';

/** A result whose rows are already known: command replies, DML counts, SHOW output. */
export function staticResult(
  statementTypeId: number,
  columns: ResultColumn[],
  rows: JsonRow[],
  rowsAffected: number | null = null,
): StatementResult {
  let consumed = false;
  return {
    statementTypeId,
    columns,
    rowsAffected,
    async *batches() {
      if (consumed) throw new TypeError('batches() may be called once');
      consumed = true;
      if (rows.length > 0) yield rows;
    },
  };
}

/** A text column of a command reply (`status`, SHOW output). */
export function textColumn(name: string): ResultColumn {
  return {
    name,
    database: '',
    schema: '',
    table: '',
    type: 'text',
    precision: null,
    scale: null,
    length: 16_777_216,
    byteLength: 16_777_216,
    nullable: true,
    collation: null,
  };
}

/** An integer column of a command reply (DML counts, SHOW sizes). */
export function fixedColumn(name: string): ResultColumn {
  return {
    ...textColumn(name),
    type: 'fixed',
    precision: 19,
    scale: 0,
    length: null,
    byteLength: null,
  };
}

/** A TIMESTAMP_LTZ column of a command reply (SHOW's `created_on`). */
export function ltzColumn(name: string): ResultColumn {
  return {
    ...textColumn(name),
    type: 'timestamp_ltz',
    precision: 0,
    scale: 9,
    length: null,
    byteLength: null,
  };
}

/** The single-column `status` reply Snowflake gives DDL and session commands. */
export function statusResult(statementTypeId: number, message: string): StatementResult {
  return staticResult(statementTypeId, [textColumn('status')], [[message]]);
}

/** Options for {@link streamingResult}. */
export interface StreamingOptions {
  statementTypeId: number;
  encodeContext: EncodeContext;
  /** Types the statement gives its columns, by position (see QueryPlan.columnTypes). */
  typeHints?: (SnowflakeType | undefined)[];
  /** Called once when the last row was read or the reader gave up; frees the connection. */
  release: () => void;
  /** Cancels the statement while rows are read: DuckDB is interrupted and batches end in error. */
  signal?: AbortSignal;
  /** Stops DuckDB's work on the result's connection; called when `signal` aborts. */
  interrupt?: () => void;
}

/**
 * Wraps a streaming DuckDB result. Rows are read one DuckDB chunk (2048 rows) at a time and
 * encoded per chunk, so a result of any size costs one chunk of memory in JavaScript.
 */
export function streamingResult(result: DuckDBResult, options: StreamingOptions): StatementResult {
  const types = result.columnTypes();
  const hints = options.typeHints ?? [];
  const snowflakeTypes = types.map((type, i) => refinedType(type, hints[i]));
  const columns = types.map((type, i) =>
    resultColumnOf(result.columnName(i), type, undefined, snowflakeTypes[i]),
  );
  const writers = types.map((type, i) =>
    columnWriterFor(type, snowflakeTypes[i] ?? 'text', options.encodeContext),
  );

  let consumed = false;
  return {
    statementTypeId: options.statementTypeId,
    columns,
    rowsAffected: null,
    batches() {
      if (consumed) throw new TypeError('batches() may be called once');
      consumed = true;
      return readChunks(result, writers, options);
    },
  };
}

async function* readChunks(
  result: DuckDBResult,
  writers: ColumnWriter[],
  options: StreamingOptions,
): AsyncGenerator<JsonRow[]> {
  const { signal, interrupt, release } = options;
  const stop = () => interrupt?.();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const chunk = await fetchChunk(result, signal);
      if (chunk === null || chunk.rowCount === 0) return;
      yield encodeChunk(chunk, writers);
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    release();
  }
}

async function fetchChunk(
  result: DuckDBResult,
  signal: AbortSignal | undefined,
): Promise<DuckDBDataChunk | null> {
  if (signal?.aborted) throw sqlError('cancelled', 'SQL execution canceled');
  try {
    const chunk = await result.fetchChunk();
    if (signal?.aborted) throw sqlError('cancelled', 'SQL execution canceled');
    return chunk;
  } catch (error) {
    if (signal?.aborted) throw sqlError('cancelled', 'SQL execution canceled');
    throw fromDuckDbError(error);
  }
}

/** Column-major encoding: one vector and one writer at a time keeps the inner loop monomorphic. */
export function encodeChunk(chunk: DuckDBDataChunk, writers: ColumnWriter[]): JsonRow[] {
  const rowCount = chunk.rowCount;
  const rows: JsonRow[] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[r] = new Array(writers.length);

  for (let c = 0; c < writers.length; c++) {
    (writers[c] as ColumnWriter)(chunk.getColumnVector(c), rowCount, rows, c);
  }
  return rows;
}
