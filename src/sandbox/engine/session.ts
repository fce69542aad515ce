import type { DuckDBResult, DuckDBValue } from '@duckdb/node-api';
import type { Logger } from '../../log.js';
import { type BoundValues, executionsOf } from './binds.js';
import type { Catalog } from './catalog.js';
import { type CommandContext, commandFor } from './commands/index.js';
import {
  type ConnectionPool,
  type ConnectionSettings,
  type PooledConnection,
  quoteIdentifier,
} from './connections.js';
import { fromDuckDbError, SQL_ERRORS, sqlError } from './errors.js';
import type { PlanCache } from './plan-cache.js';
import type { CatalogEpoch } from './prepared.js';
import { fixedColumn, staticResult, statusResult, streamingResult } from './results.js';
import { identityMacros } from './sql/macros.js';
import { isCountedDml, STATEMENT_TYPE } from './statement-types.js';
import { timeZoneOffsets } from './time-zones.js';
import { parseSnowflake, type QueryPlan } from './translate.js';
import type {
  Bind,
  EngineSession,
  SessionState,
  SnowflakeSqlError,
  StatementResult,
} from './types.js';

/** What a session shares with the engine that opened it. */
export interface SessionServices {
  pool: ConnectionPool;
  catalog: Catalog;
  plans: PlanCache;
  /** Advanced after every statement that is not a query, so prepared queries are remade. */
  epoch: CatalogEpoch;
  logger: Logger;
  startedAt: Date;
  sessionId: string;
  /** Moves every session off a database about to be dropped. */
  releaseDatabase(name: string): Promise<void>;
  /** Tells the engine the session is gone. */
  closed(): void;
}

/** One Snowflake session: its state and the DuckDB connections that run its statements. */
export class DuckDbSession implements EngineSession {
  readonly state: SessionState;
  readonly #services: SessionServices;
  readonly #commands: CommandContext;
  #settings: ConnectionSettings | null = null;

  constructor(state: SessionState, services: SessionServices) {
    this.state = state;
    this.#services = services;
    this.#commands = this.#commandContext();
  }

  async execute(sqlText: string, binds: Bind[], signal?: AbortSignal): Promise<StatementResult> {
    if (signal?.aborted) throw sqlError('cancelled', 'SQL execution canceled');

    const cached = this.#services.plans.get(sqlText);
    if (cached !== undefined) return this.#runPlan(cached, binds, signal);

    const statement = parseSnowflake(sqlText);
    const command = commandFor(statement);
    if (command !== null) {
      const context = { ...this.#commands, sql: sqlText };
      return this.#changingCatalog(() =>
        this.#runCommand(() => command(context, statement.fields)),
      );
    }

    const plan = this.#services.plans.plan(statement);
    return this.#runPlan(plan, binds, signal);
  }

  async close(): Promise<void> {
    this.#services.pool.close();
    this.#services.closed();
    this.#services.logger.debug({ sessionId: this.#services.sessionId }, 'sandbox session closed');
  }

  /** Frees idle connections from `database` so it can be detached. */
  async leaveDatabase(database: string): Promise<void> {
    if (this.state.database === database) {
      this.state.database = null;
      this.state.schema = null;
      this.#settingsChanged();
    }
    await this.#services.pool.leaveDatabase(quoteIdentifier(database));
  }

  #runPlan(plan: QueryPlan, binds: Bind[], signal?: AbortSignal): Promise<StatementResult> {
    if (plan.statementTypeId === STATEMENT_TYPE.select) return this.#run(plan, binds, signal);
    return this.#changingCatalog(() => this.#run(plan, binds, signal));
  }

  /**
   * Runs a statement that may change what a prepared query means. The epoch moves once it has
   * finished, so a query prepared while it ran is not kept either.
   */
  async #changingCatalog(run: () => Promise<StatementResult>): Promise<StatementResult> {
    try {
      return await run();
    } finally {
      this.#services.epoch.advance();
    }
  }

  async #runCommand(run: () => Promise<StatementResult>): Promise<StatementResult> {
    try {
      return await run();
    } catch (error) {
      throw this.#failed(error);
    }
  }

  async #run(plan: QueryPlan, binds: Bind[], signal?: AbortSignal): Promise<StatementResult> {
    const executions = executionsOf(binds, plan.bindCount);
    if (executions.length !== 1 && !isCountedDml(plan.statementTypeId)) {
      throw sqlError(
        'bindMismatch',
        'Array binds are supported for INSERT, UPDATE, DELETE and MERGE only.',
      );
    }

    const pooled = await this.#acquire();
    const stop = () => pooled.connection.interrupt();
    signal?.addEventListener('abort', stop, { once: true });
    let streaming = false;
    try {
      if (isCountedDml(plan.statementTypeId)) return await this.#runDml(plan, pooled, executions);

      const first = executions[0] ?? { values: [], types: [] };
      const isQuery = plan.statementTypeId === STATEMENT_TYPE.select;
      const result = isQuery
        ? await this.#streamQuery(plan.duckSql, pooled, first)
        : await pooled.connection.stream(plan.duckSql, first.values, first.types);
      streaming = isQuery;
      return streaming ? this.#streaming(plan, result, pooled, signal) : statusFor(plan, result);
    } catch (error) {
      throw this.#failed(error);
    } finally {
      signal?.removeEventListener('abort', stop);
      if (!streaming) this.#services.pool.release(pooled);
    }
  }

  /** Runs a query through the connection's prepared statements, binding this execution's values. */
  async #streamQuery(
    duckSql: string,
    pooled: PooledConnection,
    bound: BoundValues,
  ): Promise<DuckDBResult> {
    const prepared = await pooled.prepared.get(duckSql, this.#services.epoch.value);
    if (prepared === null) return pooled.connection.stream(duckSql, bound.values, bound.types);

    prepared.clearBindings();
    if (bound.values.length > 0) prepared.bind(bound.values, bound.types);
    return prepared.stream();
  }

  /** DML runs once per bind set; Snowflake answers with summed "number of rows ..." counts. */
  async #runDml(
    plan: QueryPlan,
    pooled: PooledConnection,
    executions: BoundValues[],
  ): Promise<StatementResult> {
    if (plan.statementTypeId === STATEMENT_TYPE.merge)
      return this.#runMerge(plan, pooled, executions);

    let changed = 0;
    for (const { values, types } of executions) {
      const result = await pooled.connection.run(plan.duckSql, values, types);
      changed += result.rowsChanged;
    }
    return dmlResult(plan.statementTypeId, [changed]);
  }

  /** MERGE reports rows inserted, updated and deleted apart; DuckDB returns each row's action. */
  async #runMerge(
    plan: QueryPlan,
    pooled: PooledConnection,
    executions: BoundValues[],
  ): Promise<StatementResult> {
    const counts = new Map<string, number>();
    for (const { values, types } of executions) {
      const sql = `${plan.duckSql} RETURNING merge_action`;
      const reader = await pooled.connection.runAndReadAll(sql, values, types);
      for (const [action] of reader.getRows()) {
        counts.set(String(action), (counts.get(String(action)) ?? 0) + 1);
      }
    }
    const actions = ['INSERT', 'UPDATE', 'DELETE'].map((action) => counts.get(action) ?? 0);
    return dmlResult(plan.statementTypeId, actions);
  }

  #streaming(
    plan: QueryPlan,
    result: DuckDBResult,
    pooled: PooledConnection,
    signal?: AbortSignal,
  ): StatementResult {
    const zone = this.state.parameters.get('TIMEZONE') ?? 'UTC';
    return streamingResult(result, {
      statementTypeId: plan.statementTypeId,
      encodeContext: { offsetMinutesAt: timeZoneOffsets(zone) },
      typeHints: plan.columnTypes,
      release: () => this.#services.pool.release(pooled),
      signal,
      interrupt: () => pooled.connection.interrupt(),
    });
  }

  async #acquire(): Promise<PooledConnection> {
    try {
      return await this.#services.pool.acquire(this.#connectionSettings());
    } catch (error) {
      throw this.#failed(error);
    }
  }

  /**
   * The client-safe form of a failure. Errors the client caused are the client's business;
   * one the engine could not classify is ours, and is logged (its first line only: DuckDB
   * quotes statement text after it).
   */
  #failed(error: unknown): SnowflakeSqlError {
    const mapped = fromDuckDbError(error);
    if (mapped.code === SQL_ERRORS.internal.code) {
      const detail = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
      this.#services.logger.error(
        { sessionId: this.#services.sessionId, detail },
        'sandbox engine failure',
      );
    }
    return mapped;
  }

  #connectionSettings(): ConnectionSettings {
    if (this.#settings !== null) return this.#settings;

    const { database, schema, user, role, warehouse } = this.state;
    const useTarget =
      database === null
        ? null
        : schema === null
          ? quoteIdentifier(database)
          : `${quoteIdentifier(database)}.${quoteIdentifier(schema)}`;
    this.#settings = {
      useTarget,
      timeZone: this.state.parameters.get('TIMEZONE') ?? 'UTC',
      sessionSql: identityMacros({ user, role, warehouse, sessionId: this.#services.sessionId }),
    };
    return this.#settings;
  }

  #settingsChanged(): void {
    this.#settings = null;
  }

  #commandContext(): CommandContext {
    return {
      sql: '',
      state: this.state,
      catalog: this.#services.catalog,
      startedAt: this.#services.startedAt,
      query: (sql) => this.#query(sql),
      settingsChanged: () => this.#settingsChanged(),
      releaseDatabase: (name) => this.#services.releaseDatabase(name),
    };
  }

  /** Runs engine-made SQL on a session connection and reads every row (small answers only). */
  async #query(sql: string): Promise<DuckDBValue[][]> {
    const pooled = await this.#acquire();
    try {
      return (await pooled.connection.runAndReadAll(sql)).getRows();
    } finally {
      this.#services.pool.release(pooled);
    }
  }
}

/** DDL and other statements without rows: Snowflake's one-column `status` reply. */
function statusFor(plan: QueryPlan, _result: DuckDBResult): StatementResult {
  return statusResult(plan.statementTypeId, plan.status ?? 'Statement executed successfully.');
}

const DML_COLUMNS: Record<number, string[]> = {
  [STATEMENT_TYPE.insert]: ['number of rows inserted'],
  [STATEMENT_TYPE.update]: ['number of rows updated', 'number of multi-joined rows updated'],
  [STATEMENT_TYPE.delete]: ['number of rows deleted'],
  [STATEMENT_TYPE.merge]: [
    'number of rows inserted',
    'number of rows updated',
    'number of rows deleted',
  ],
};

/**
 * Snowflake's DML reply: one row of counts under its column names. Counts not given are zero
 * (DuckDB has no multi-joined updates); drivers add the row up for rows affected.
 */
function dmlResult(statementTypeId: number, counts: number[]): StatementResult {
  const names = DML_COLUMNS[statementTypeId] ?? ['number of rows affected'];
  const row = names.map((_, i) => String(counts[i] ?? 0));
  const total = counts.reduce((sum, count) => sum + count, 0);
  return staticResult(statementTypeId, names.map(fixedColumn), [row], total);
}
