import type { IncomingMessage, ServerResponse } from 'node:http';
import { TollgateError } from '../../errors.js';

/** Reading request bodies and writing replies over node:http. */

/** The request body as sent (still gzipped, if it was), refused past `maxBytes`. */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of request as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    pieces.push(piece);
  }
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, size);
}

function tooLarge(maxBytes: number): TollgateError {
  return new TollgateError('TG_REQUEST_TOO_LARGE', `request body is larger than ${maxBytes} bytes`);
}

/**
 * Writes a JSON reply. Snowflake answers with HTTP 200 even for errors, and the Node driver reads
 * only 200 replies with a JSON content type, so the status is 200 unless a caller says otherwise.
 */
export function sendJson(response: ServerResponse, text: string, status = 200): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Writes a short plain-text reply (chunk downloads, which are not Snowflake JSON). */
export function sendText(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
