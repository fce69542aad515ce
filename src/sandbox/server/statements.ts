import {
  type Bind,
  SnowflakeSqlError,
  type StatementPiece,
  type StatementResult,
  splitStatementPieces,
} from '../engine/index.js';
import {
  emptySqlText,
  featureUnsupported,
  internalError,
  SnowflakeReplyError,
  statementCancelled,
  statementCountMismatch,
} from './errors.js';
import {
  type ArrowEncoder,
  inlineResult,
  type MaterializedResult,
  materialize,
  untilAborted,
} from './materialize.js';
import { parameterValue, resultFormatFor } from './parameters.js';
import { QueryRecord, type QueryRegistry } from './queries.js';
import type { SandboxSession } from './sessions.js';

/** What a query request asks for, already validated. */
export interface StatementRequest {
  sqlText: string;
  binds: Bind[];
  /** MULTI_STATEMENT_COUNT from the request's parameters; null means the session's value. */
  statementCount: number | null;
  describeOnly: boolean;
}

/** How results are cut; see SandboxServerOptions. */
export interface ResultLimits {
  chunkRows: number;
  inlineBytes: number;
}

/** statementTypeId Snowflake gives the parent of a multi-statement request (a SELECT). */
const MULTI_PARENT_TYPE = 0x1000;

/**
 * Runs statements for sessions: registers each as a {@link QueryRecord} at once (so it can be
 * monitored, fetched and cancelled by id while it runs), then executes it on the engine and
 * keeps its materialized result or its Snowflake-shaped error on the record.
 */
export class StatementRunner {
  readonly #registry: QueryRegistry;
  readonly #limits: ResultLimits;
  readonly #arrow: ArrowEncoder | null;

  constructor(registry: QueryRegistry, limits: ResultLimits, arrow: ArrowEncoder | null) {
    this.#registry = registry;
    this.#limits = limits;
    this.#arrow = arrow;
  }

  /** Starts a request's statement(s) in the background and returns its record. */
  start(session: SandboxSession, request: StatementRequest, requestId: string | null): QueryRecord {
    const record = new QueryRecord(session.id, session.identity.user, requestId, request.sqlText);
    this.#registry.add(record);
    void this.#run(session, record, request);
    return record;
  }

  async #run(
    session: SandboxSession,
    record: QueryRecord,
    request: StatementRequest,
  ): Promise<void> {
    try {
      const statements = this.#checkedStatements(session, request);
      const result =
        statements.length === 1
          ? await this.#execute(
              session,
              record,
              (statements[0] as StatementPiece).text,
              request.binds,
            )
          : await this.#runMulti(session, record, statements, request.binds);
      record.succeed(result);
    } catch (error) {
      this.#fail(session, record, error);
    }
    this.#registry.settled(record);
  }

  #checkedStatements(session: SandboxSession, request: StatementRequest): StatementPiece[] {
    const statements = splitStatementPieces(request.sqlText);
    if (statements.length === 0) throw emptySqlText();

    const desired = request.statementCount ?? sessionStatementCount(session);
    if (desired !== 0 && desired !== statements.length) {
      throw statementCountMismatch(statements.length, desired);
    }
    if (request.describeOnly) throw featureUnsupported('describeOnly');
    return statements;
  }

  async #execute(
    session: SandboxSession,
    record: QueryRecord,
    sqlText: string,
    binds: Bind[],
  ): Promise<MaterializedResult> {
    const signal = record.controller.signal;
    signal.throwIfAborted();
    const running = session.engine.execute(sqlText, binds, signal);
    const result = await untilAborted(running, signal).catch((error: unknown) => {
      if (signal.aborted) void releaseWhenDone(running);
      throw error;
    });
    const format = this.#arrow
      ? resultFormatFor(session.engine.state, session.identity.clientAppId)
      : 'json';
    return materialize(result, {
      ...this.#limits,
      format,
      signal,
      arrow: this.#arrow ?? undefined,
    });
  }

  /**
   * Snowflake runs the statements one after another as child queries. The parent succeeds with
   * the children's ids; the first child that fails fails the parent and the rest do not run.
   */
  async #runMulti(
    session: SandboxSession,
    parent: QueryRecord,
    statements: StatementPiece[],
    binds: Bind[],
  ): Promise<MaterializedResult> {
    const children: QueryRecord[] = [];
    const bindsPerStatement = distributeBinds(statements, binds);

    for (const [index, statement] of statements.entries()) {
      const child = new QueryRecord(session.id, session.identity.user, null, statement.text);
      this.#registry.add(child);
      children.push(child);
      parent.controller.signal.addEventListener('abort', () => child.abort(), { once: true });

      await this.#run(
        session,
        child,
        singleRequest(statement.text, bindsPerStatement[index] ?? []),
      );
      if (child.error !== null) throw child.error;
    }

    const parentResult = inlineResult(
      [multiStatementColumn()],
      [['Multiple statements executed successfully.']],
      MULTI_PARENT_TYPE,
    );
    parentResult.multi = {
      resultIds: children.map((child) => child.id),
      resultTypes: children.map((child) => child.result?.statementTypeId ?? 0),
    };
    return parentResult;
  }

  #fail(session: SandboxSession, record: QueryRecord, error: unknown): void {
    if (record.controller.signal.aborted) {
      record.fail(statementCancelled(), 'ABORTED');
      return;
    }
    if (error instanceof SnowflakeReplyError) {
      record.fail(error, 'FAILED_WITH_ERROR');
      return;
    }
    if (error instanceof SnowflakeSqlError) {
      record.fail(
        new SnowflakeReplyError(200, error.code, error.sqlState, error.message),
        'FAILED_WITH_ERROR',
      );
      return;
    }
    session.logger.error({ err: error, queryId: record.id }, 'statement failed inside the sandbox');
    record.fail(internalError(), 'FAILED_WITH_ERROR');
  }
}

/** A result that arrives after its statement was cancelled is closed unread, freeing the engine. */
async function releaseWhenDone(running: Promise<StatementResult>): Promise<void> {
  try {
    const result = await running;
    // Entering and leaving the loop runs the iterator's cleanup; a bare return() would not.
    for await (const _ of result.batches()) break;
  } catch {
    // The statement failed after all; there is nothing to release.
  }
}

function singleRequest(sqlText: string, binds: Bind[]): StatementRequest {
  return { sqlText, binds, statementCount: 1, describeOnly: false };
}

function sessionStatementCount(session: SandboxSession): number {
  const value = Number(parameterValue(session.engine.state, 'MULTI_STATEMENT_COUNT') ?? 1);
  return Number.isInteger(value) && value >= 0 ? value : 1;
}

/**
 * Positional binds number across the whole request text; each statement gets the slice its `?`
 * markers use. When the counts do not add up (numbered `:1` binds), each gets them all.
 */
function distributeBinds(statements: StatementPiece[], binds: Bind[]): Bind[][] {
  const total = statements.reduce((sum, statement) => sum + statement.placeholders, 0);
  if (total !== binds.length) return statements.map(() => binds);

  let offset = 0;
  return statements.map((statement) => {
    const slice = binds.slice(offset, offset + statement.placeholders);
    offset += statement.placeholders;
    return slice;
  });
}

function multiStatementColumn() {
  return {
    name: 'multiple statement execution',
    database: '',
    schema: '',
    table: '',
    type: 'text' as const,
    precision: null,
    scale: null,
    length: 16_777_216,
    byteLength: 16_777_216,
    nullable: false,
    collation: null,
  };
}
