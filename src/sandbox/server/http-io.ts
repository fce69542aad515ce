import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, gzip, constants as zlibConstants } from 'node:zlib';
import { requestInvalid, requestTooLarge } from './errors.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** Replies at least this large are gzipped when the client accepts it, as Snowflake does. */
const GZIP_REPLY_THRESHOLD = 64 * 1024;

/** A body past the limit is still drained up to this multiple, so the client reads our 413. */
const DRAIN_FACTOR = 8;

/**
 * Reads a request body as JSON. Gzip is recognised by its magic bytes (1f 8b), never by
 * headers: the Node driver can announce gzip and send plain JSON, and other drivers compress
 * without saying so. An empty body reads as null.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const raw = await readRawBody(req, limitBytes);
  if (raw.length === 0) return null;

  const text = isGzip(raw) ? await gunzipBody(raw, limitBytes) : raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw requestInvalid('body is not valid JSON');
  }
}

function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  const parts: Buffer[] = [];
  let total = 0;

  return new Promise((resolve, reject) => {
    req.on('data', (part: Buffer) => {
      total += part.length;
      if (total <= limitBytes) parts.push(part);
      else if (total > limitBytes * DRAIN_FACTOR) req.destroy();
    });
    req.on('end', () => {
      if (total > limitBytes || declared > limitBytes) reject(requestTooLarge(limitBytes));
      else resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total));
    });
    req.on('close', () => {
      if (!req.complete)
        reject(total > limitBytes ? requestTooLarge(limitBytes) : requestInvalid('body cut short'));
    });
  });
}

function isGzip(raw: Buffer): boolean {
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
}

async function gunzipBody(raw: Buffer, limitBytes: number): Promise<string> {
  try {
    const plain = await gunzipAsync(raw, { maxOutputLength: limitBytes });
    return plain.toString('utf8');
  } catch (error) {
    throw gunzipFailure(error, limitBytes);
  }
}

function gunzipFailure(error: unknown, limitBytes: number): Error {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') return requestTooLarge(limitBytes);
  if (code === 'Z_BUF_ERROR') return requestInvalid('gzip body is truncated');
  return requestInvalid('body starts like gzip but is not a gzip stream');
}

/** Writes a JSON reply, gzipped when it is large and the client accepts gzip. */
export async function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  json: string,
): Promise<void> {
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  let body: Buffer | string = json;

  if (json.length >= GZIP_REPLY_THRESHOLD && acceptsGzip(req)) {
    body = await gzipAsync(json, { level: zlibConstants.Z_BEST_SPEED });
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
}
