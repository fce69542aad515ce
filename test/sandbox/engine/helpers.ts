import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import {
  type Bind,
  createDuckDbEngine,
  type DuckDbEngineOptions,
  type EngineSession,
  type JsonRow,
  type ResultColumn,
  type SandboxEngine,
  SnowflakeSqlError,
  type StatementResult,
} from '../../../src/sandbox/engine/index.js';

/** An engine and one session on it, closed together. */
export interface EngineFixture {
  engine: SandboxEngine;
  session: EngineSession;
  close(): Promise<void>;
}

export async function openEngine(options: DuckDbEngineOptions = {}): Promise<EngineFixture> {
  const engine = await createDuckDbEngine(options);
  const session = await engine.openSession({ user: 'tester' });
  return {
    engine,
    session,
    close: async () => {
      await session.close();
      await engine.close();
    },
  };
}

/** A statement's result with its rows read to the end. */
export interface ReadResult {
  result: StatementResult;
  columns: ResultColumn[];
  rows: JsonRow[];
  batches: number;
}

export async function run(
  session: EngineSession,
  sql: string,
  binds: Bind[] = [],
): Promise<ReadResult> {
  const result = await session.execute(sql, binds);
  const rows: JsonRow[] = [];
  let batches = 0;
  for await (const batch of result.batches()) {
    rows.push(...batch);
    batches++;
  }
  return { result, columns: result.columns, rows, batches };
}

/** The single value of a one-row, one-column result. */
export async function scalar(
  session: EngineSession,
  sql: string,
  binds: Bind[] = [],
): Promise<string | null> {
  const { rows } = await run(session, sql, binds);
  return rows[0]?.[0] ?? null;
}

/** The error a statement fails with; fails the test when it succeeds. */
export async function failure(
  session: EngineSession,
  sql: string,
  binds: Bind[] = [],
): Promise<SnowflakeSqlError> {
  try {
    await run(session, sql, binds);
  } catch (error) {
    if (error instanceof SnowflakeSqlError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to fail`);
}

/** A temporary folder removed by the returned function. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tollgate-engine-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Reads rows straight from a database file the engine wrote, with DuckDB and nothing else. */
export async function readDuckDbFile(file: string, sql: string): Promise<DuckDBValue[][]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

interface DriverColumn {
  _getRowValue(row: { values: unknown[]; _arrayProcessedColumns: boolean[] }): unknown;
  _getRowValueAsString(row: { values: unknown[]; _arrayProcessedColumns: boolean[] }): string;
}

type ColumnConstructor = new (options: {
  columnMetadata: ResultColumn;
  index: number;
  statementParameters: Record<string, unknown>;
  resultVersion: string;
  onPrecisionLoss: () => void;
  onNonJsonCompliantVariant: () => void;
}) => DriverColumn;

const require = createRequire(import.meta.url);
const DriverColumnClass =
  require('snowflake-sdk/dist/lib/connection/result/column.js') as ColumnConstructor;

/** Parameters the sandbox reports by default, as the driver receives them. */
export const DRIVER_PARAMETERS: Record<string, unknown> = {
  TIMEZONE: 'America/Los_Angeles',
  DATE_OUTPUT_FORMAT: 'YYYY-MM-DD',
  TIME_OUTPUT_FORMAT: 'HH24:MI:SS',
  TIMESTAMP_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  TIMESTAMP_NTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3',
  BINARY_OUTPUT_FORMAT: 'HEX',
  JS_TREAT_INTEGER_AS_BIGINT: false,
};

/**
 * Decodes rowset values exactly as snowflake-sdk does, with the driver's own Column class: what
 * a Node application would receive for these rows (`values`, `strings`), and the driver's
 * internal decoded values (`converted`: TIME as an object with nanoseconds, where the
 * application only gets formatted text).
 */
export function decodeWithDriver(
  columns: ResultColumn[],
  row: JsonRow,
  parameters: Record<string, unknown> = DRIVER_PARAMETERS,
): { values: unknown[]; strings: string[]; converted: unknown[] } {
  const driverColumns = columns.map(
    (columnMetadata, index) =>
      new DriverColumnClass({
        columnMetadata,
        index,
        statementParameters: parameters,
        resultVersion: '1',
        onPrecisionLoss: () => {},
        onNonJsonCompliantVariant: () => {},
      }),
  );
  const processed = driverRow(row);
  const values = driverColumns.map((column) => column._getRowValue(processed));
  const strings = driverColumns.map((column) => column._getRowValueAsString(driverRow(row)));
  return { values, strings, converted: processed.values };
}

function driverRow(row: JsonRow): { values: unknown[]; _arrayProcessedColumns: boolean[] } {
  return { values: [...row], _arrayProcessedColumns: [] };
}

/** A Snowflake timestamp as the driver decodes it: a Date with exact epoch seconds and nanos. */
export interface DriverTimestamp extends Date {
  getEpochSeconds(): number;
  getNanoSeconds(): number;
  getTimezone(): string | number;
}

export interface DriverTime {
  getMidnightSeconds(): number;
  getNanoSeconds(): number;
}
