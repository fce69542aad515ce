import type { UpstreamErrorReply } from './errors.js';
import { applySplices, objectMembers, type Span, type Splice } from './json-spans.js';
import { SNOWFLAKE_CODES } from './protocol.js';
import type { UpstreamReply } from './upstream.js';

/**
 * Reading upstream's query and result replies, and rewriting them for the client: chunk URLs
 * point at the gateway, and the keys that open cloud storage (`qrmk`, `chunkHeaders`) stay here.
 * Everything else reaches the client byte for byte, `queryContext` included.
 */

/** A chunk of a result as upstream announced it. */
export interface UpstreamChunk {
  index: number;
  url: string;
  rowCount: number | null;
}

/** What the gateway learns from a query or result reply. */
export interface ResultSummary {
  success: boolean;
  code: string | null;
  /** The query still runs (333333) or runs detached (333334); a result follows later. */
  inProgress: boolean;
  queryId: string | null;
  statementTypeId: number | null;
  /** Rows and bytes of the rows inline in this reply. */
  rows: number;
  bytes: number;
  format: 'json' | 'arrow';
  /** Child query ids of a multi-statement request. */
  resultIds: string[];
  chunks: UpstreamChunk[];
  /** Headers upstream says a chunk download needs. */
  chunkHeaders: Record<string, string>;
  error: UpstreamErrorReply | null;
}

/** Counts Arrow rows; loaded only when a reply carries Arrow, to keep start-up light. */
export type ArrowRowCounter = (bytes: Uint8Array) => Promise<number>;

/** Reads a reply; `countArrow` is asked only for Arrow rowsets. */
export async function inspectReply(
  reply: UpstreamReply,
  countArrow: ArrowRowCounter,
): Promise<ResultSummary> {
  const { envelope } = reply;
  const data = envelope.data ?? {};
  const summary = emptySummary(envelope.success, envelope.code, data);
  if (!envelope.success) {
    summary.error = errorOf(envelope.code, envelope.message, data, summary.queryId);
    return summary;
  }
  if (summary.inProgress) return summary;

  await countInlineRows(summary, reply.text, data, countArrow);
  summary.resultIds = splitIds(data.resultIds);
  summary.chunks = chunksOf(data.chunks, summary.rows > 0 ? 1 : 0);
  summary.chunkHeaders = chunkHeadersOf(data);
  return summary;
}

function emptySummary(
  success: boolean,
  code: string | null,
  data: Record<string, unknown>,
): ResultSummary {
  const inProgress =
    code === SNOWFLAKE_CODES.queryInProgress || code === SNOWFLAKE_CODES.queryInProgressAsync;
  return {
    success,
    code,
    inProgress,
    queryId: typeof data.queryId === 'string' ? data.queryId : null,
    statementTypeId: typeof data.statementTypeId === 'number' ? data.statementTypeId : null,
    rows: 0,
    bytes: 0,
    format: data.queryResultFormat === 'arrow' ? 'arrow' : 'json',
    resultIds: [],
    chunks: [],
    chunkHeaders: {},
    error: null,
  };
}

function errorOf(
  code: string | null,
  message: string | null,
  data: Record<string, unknown>,
  queryId: string | null,
): UpstreamErrorReply {
  const sqlState = typeof data.sqlState === 'string' ? data.sqlState : null;
  return { code, message, sqlState, queryId };
}

async function countInlineRows(
  summary: ResultSummary,
  text: string,
  data: Record<string, unknown>,
  countArrow: ArrowRowCounter,
): Promise<void> {
  if (typeof data.rowsetBase64 === 'string' && data.rowsetBase64.length > 0) {
    const bytes = Buffer.from(data.rowsetBase64, 'base64');
    summary.rows = await countArrow(bytes);
    summary.bytes = bytes.length;
    return;
  }
  if (!Array.isArray(data.rowset)) return;

  summary.rows = data.rowset.length;
  summary.bytes = summary.rows === 0 ? 0 : rowsetBytes(text);
}

/**
 * Bytes of the inline rows as upstream encoded them, without the outer brackets, so they add up
 * with chunk bodies (which have none).
 */
function rowsetBytes(text: string): number {
  const span = dataMembers(text)?.get('rowset');
  if (span === undefined) return 0;
  return Buffer.byteLength(text.slice(span.start + 1, span.end - 1));
}

function dataMembers(text: string): Map<string, Span> | null {
  const dataSpan = objectMembers(text, 0).get('data');
  if (dataSpan === undefined || text[dataSpan.start] !== '{') return null;
  return objectMembers(text, dataSpan.start);
}

function splitIds(value: unknown): string[] {
  if (typeof value !== 'string' || value.length === 0) return [];
  return value.split(',').map((id) => id.trim());
}

/**
 * The chunks of a reply, numbered as parts of the whole result: part 0 is the rows sent inline,
 * when there are any. A refreshed reply (`/queries/{id}/result`) may list those rows as a chunk
 * of their own, and this numbering gives every part the same index in both layouts.
 */
function chunksOf(value: unknown, firstIndex: number): UpstreamChunk[] {
  if (!Array.isArray(value)) return [];
  return value.map((chunk: Record<string, unknown>, position) => ({
    index: firstIndex + position,
    url: typeof chunk?.url === 'string' ? chunk.url : '',
    rowCount: typeof chunk?.rowCount === 'number' ? chunk.rowCount : null,
  }));
}

/** The headers for chunk downloads: `chunkHeaders` as given, else SSE-C headers from `qrmk`. */
function chunkHeadersOf(data: Record<string, unknown>): Record<string, string> {
  const given = data.chunkHeaders;
  if (given !== null && typeof given === 'object' && !Array.isArray(given)) {
    return Object.fromEntries(
      Object.entries(given).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  }
  if (typeof data.qrmk === 'string') {
    return {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': data.qrmk,
    };
  }
  return {};
}

/** Members the client never gets: they open upstream's cloud storage. */
const STORAGE_KEYS = ['qrmk', 'chunkHeaders'] as const;

/**
 * The reply text for the client. Untouched when it names no chunks; otherwise each chunk's URL is
 * replaced by the gateway's (in the same order) and the storage keys are set to null.
 */
export function clientReplyText(reply: UpstreamReply, gatewayChunkUrls: string[]): string {
  const data = reply.envelope.data;
  const touches =
    data !== null && (gatewayChunkUrls.length > 0 || STORAGE_KEYS.some((k) => k in data));
  if (!touches) return reply.text;

  const members = dataMembers(reply.text);
  if (members === null) return reply.text;
  const splices: Splice[] = [];
  for (const key of STORAGE_KEYS) {
    const span = members.get(key);
    if (span !== undefined) splices.push({ span, text: 'null' });
  }
  const chunksSpan = members.get('chunks');
  if (chunksSpan !== undefined) {
    splices.push({ span: chunksSpan, text: rewrittenChunks(data.chunks, gatewayChunkUrls) });
  }
  return applySplices(reply.text, splices);
}

function rewrittenChunks(chunks: unknown, urls: string[]): string {
  if (!Array.isArray(chunks)) return 'null';
  const rewritten = chunks.map((chunk: Record<string, unknown>, index) => ({
    ...chunk,
    url: urls[index] ?? null,
  }));
  return JSON.stringify(rewritten);
}
