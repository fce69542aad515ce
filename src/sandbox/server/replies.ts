import type { ChunkUrlSigner } from './chunk-urls.js';
import type { SnowflakeReplyError } from './errors.js';
import { type JsonValue, RawJson } from './json.js';
import type { MaterializedResult, StoredChunk } from './materialize.js';
import { parametersJson } from './parameters.js';
import type { QueryRecord } from './queries.js';
import type { SandboxSession } from './sessions.js';

/** What a handler answers: JSON for the REST endpoints, raw bytes for chunk downloads. */
export interface Reply {
  status: number;
  json?: JsonValue;
  raw?: { body: Buffer | string; headers: Record<string, string> };
}

/** `{data, code, message, success: true}`: every successful Snowflake REST reply. */
export function ok(
  data: JsonValue,
  code: string | null = null,
  message: string | null = null,
): Reply {
  return { status: 200, json: { data, code, message, success: true } };
}

/** Snowflake's error reply; statement errors carry the query id in `data`. */
export function failure(error: SnowflakeReplyError, queryId: string | null = null): Reply {
  const data: Record<string, JsonValue> = {
    ...error.extra,
    internalError: false,
    errorCode: error.code,
    age: 0,
    sqlState: error.sqlState,
    queryId,
  };
  return {
    status: error.httpStatus,
    json: { data, code: error.code, message: error.message, success: false, headers: null },
  };
}

/** Where a reply is going: the chunk list differs between a query reply and a re-fetch. */
export interface ResultReplyContext {
  session: SandboxSession;
  baseUrl: string;
  chunkUrls: ChunkUrlSigner;
  /** True for `/queries/{id}/result`: every row is then listed as a chunk (see chunkList). */
  refetch: boolean;
}

/** The `data` of a successful statement reply. */
export function resultData(
  record: QueryRecord,
  result: MaterializedResult,
  context: ResultReplyContext,
): Record<string, JsonValue> {
  const state = context.session.engine.state;
  return {
    parameters: parametersJson(state),
    rowtype: result.columns.map((column) => ({ ...column })),
    ...rowsetMembers(record, result, context),
    total: result.totalRows,
    returned: result.totalRows,
    queryId: record.id,
    databaseProvider: null,
    finalDatabaseName: state.database,
    finalSchemaName: state.schema,
    finalWarehouseName: state.warehouse,
    finalRoleName: state.role,
    numberOfBinds: 0,
    arrayBindSupported: false,
    statementTypeId: result.statementTypeId,
    version: 1,
    sendResultTime: Date.now(),
    queryResultFormat: result.format,
    queryContext: context.refetch
      ? context.session.queryContext.snapshot()
      : context.session.queryContext.advance(),
    ...multiMembers(result),
  };
}

function rowsetMembers(
  record: QueryRecord,
  result: MaterializedResult,
  context: ResultReplyContext,
): Record<string, JsonValue> {
  const chunks = chunkList(record, result, context);
  const inline = context.refetch && chunks.length > 0 ? '' : result.inline;
  const rows: Record<string, JsonValue> =
    result.format === 'json' ? { rowset: new RawJson(`[${inline}]`) } : { rowsetBase64: inline };
  if (chunks.length === 0) return rows;

  return {
    ...rows,
    chunks,
    qrmk: record.qrmk,
    chunkHeaders: {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': record.qrmk,
    },
  };
}

/**
 * The chunk list. A query reply lists the chunks after the inline rows. A re-fetch through
 * `/queries/{id}/result` sends no inline rows and lists the inline rows as chunk 0 instead:
 * the Node driver, on refresh, pairs its chunks (inline rows first) with the new list by
 * position, so both lists must then start at the first row.
 */
function chunkList(
  record: QueryRecord,
  result: MaterializedResult,
  context: ResultReplyContext,
): JsonValue[] {
  const parts: [number, StoredChunk][] = result.chunks.map((chunk, i) => [i + 1, chunk]);
  if (context.refetch && result.inlineChunk !== null) parts.unshift([0, result.inlineChunk]);

  return parts.map(([part, chunk]) => ({
    url: context.chunkUrls.sign(context.baseUrl, record.id, part),
    rowCount: chunk.rowCount,
    uncompressedSize: chunk.uncompressedSize,
    compressedSize: chunk.compressedSize,
  }));
}

function multiMembers(result: MaterializedResult): Record<string, JsonValue> {
  if (result.multi === null) return {};
  return {
    resultIds: result.multi.resultIds.join(','),
    resultTypes: result.multi.resultTypes.join(','),
  };
}

/** The chunk a signed URL names: part 0 is the inline rows, part n the n-th chunk. */
export function storedPart(result: MaterializedResult, part: number): StoredChunk | null {
  if (part === 0) return result.inlineChunk;
  return result.chunks[part - 1] ?? null;
}
