import { timingSafeEqual } from 'node:crypto';
import { type Reply, storedPart } from './replies.js';
import type { RequestContext, ServerState } from './state.js';

/** The SSE-C key header the drivers build from `qrmk` (or copy from `chunkHeaders`). */
const SSE_C_KEY_HEADER = 'x-amz-server-side-encryption-customer-key';

/**
 * GET /sandbox/chunks/{queryId}/{part}?expires&signature: a result chunk, answered the way S3
 * answers a presigned GET. The gzipped body goes out as stored, with Content-Encoding: gzip.
 * Refusals are S3's XML errors, because that is what the drivers' chunk code expects: an
 * expired URL gets 403, which sends the Node driver to /queries/{id}/result for new URLs.
 */
export async function handleChunk(state: ServerState, ctx: RequestContext): Promise<Reply> {
  const [queryId = '', partText = ''] = ctx.params;
  const part = Number(partText);
  const query = ctx.url.searchParams;

  const check = state.chunkUrls.check(queryId, part, query.get('expires'), query.get('signature'));
  if (check === 'forged')
    return s3Error(403, 'SignatureDoesNotMatch', 'The request signature does not match.');
  if (check === 'expired') return s3Error(403, 'AccessDenied', 'Request has expired');

  const record = state.queries.find(queryId);
  const chunk = record?.result ? storedPart(record.result, part) : null;
  if (record === undefined || chunk === null) {
    return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
  }

  const key = ctx.req.headers[SSE_C_KEY_HEADER];
  if (typeof key !== 'string') {
    return s3Error(
      400,
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption.',
    );
  }
  if (!sameKey(key, record.qrmk)) return s3Error(403, 'AccessDenied', 'Access Denied');

  state.logger.debug({ queryId, part, bytes: chunk.compressedSize }, 'sandbox chunk served');
  return {
    status: 200,
    raw: {
      body: chunk.body,
      headers: { 'content-type': 'binary/octet-stream', 'content-encoding': 'gzip' },
    },
  };
}

function sameKey(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function s3Error(status: number, code: string, message: string): Reply {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return { status, raw: { body, headers: { 'content-type': 'application/xml' } } };
}
