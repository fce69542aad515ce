import { type DuckDBResult, StatementType } from '@duckdb/node-api';
import type { Logger } from '../../log.js';
import {
  type ConnectionPool,
  type ConnectionSettings,
  type PooledConnection,
  quoteIdentifier,
} from './connections.js';
import type { EncodeContext } from './encode.js';
import { fromDuckDbError } from './errors.js';
import { fixedColumn, staticResult, statusResult, streamingResult } from './results.js';
import { STATEMENT_TYPE } from './statement-types.js';
import { toDuckDbSql } from './translate.js';
import type { Bind, EngineSession, SessionState, StatementResult } from './types.js';

/** One Snowflake session: its state and the DuckDB connections that run its statements. */
export class DuckDbSession implements EngineSession {
  readonly state: SessionState;
  readonly #pool: ConnectionPool;
  readonly #logger: Logger;

  constructor(state: SessionState, pool: ConnectionPool, logger: Logger) {
    this.state = state;
    this.#pool = pool;
    this.#logger = logger;
  }

  async execute(sqlText: string, _binds: Bind[], signal?: AbortSignal): Promise<StatementResult> {
    const duckSql = toDuckDbSql(sqlText);
    const pooled = await this.#pool.acquire(this.#settings());
    const onAbort = () => pooled.connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });

    try {
      const result = await pooled.connection.stream(duckSql);
      return this.#resultOf(result, pooled);
    } catch (error) {
      this.#pool.release(pooled);
      throw fromDuckDbError(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.#pool.close();
    this.#logger.debug({ user: this.state.user }, 'sandbox session closed');
  }

  #resultOf(result: DuckDBResult, pooled: PooledConnection): StatementResult {
    if (result.statementType === StatementType.SELECT) {
      return streamingResult(result, {
        statementTypeId: STATEMENT_TYPE.select,
        encodeContext: this.#encodeContext(),
        release: () => this.#pool.release(pooled),
      });
    }

    this.#pool.release(pooled);
    return finishedResult(result);
  }

  #settings(): ConnectionSettings {
    const { database, schema } = this.state;
    const useTarget =
      database === null
        ? null
        : schema === null
          ? quoteIdentifier(database)
          : `${quoteIdentifier(database)}.${quoteIdentifier(schema)}`;
    return { useTarget, timeZone: this.state.parameters.get('TIMEZONE') ?? 'America/Los_Angeles' };
  }

  #encodeContext(): EncodeContext {
    return { offsetMinutesAt: () => 0 };
  }
}

function finishedResult(result: DuckDBResult): StatementResult {
  switch (result.statementType) {
    case StatementType.INSERT:
      return countResult(STATEMENT_TYPE.insert, ['number of rows inserted'], result.rowsChanged);
    case StatementType.UPDATE:
      return countResult(
        STATEMENT_TYPE.update,
        ['number of rows updated', 'number of multi-joined rows updated'],
        result.rowsChanged,
      );
    case StatementType.DELETE:
      return countResult(STATEMENT_TYPE.delete, ['number of rows deleted'], result.rowsChanged);
    default:
      return statusResult(STATEMENT_TYPE.ddl, 'Statement executed successfully.');
  }
}

/** Snowflake's DML reply: one row of counts, the first the rows changed, the rest zero. */
function countResult(statementTypeId: number, names: string[], changed: number): StatementResult {
  const row = names.map((_, i) => (i === 0 ? String(changed) : '0'));
  return staticResult(statementTypeId, names.map(fixedColumn), [row], changed);
}
