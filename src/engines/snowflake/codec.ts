import { gunzipSync } from 'node:zlib';
import { TollgateError } from '../../errors.js';

/**
 * The Snowflake wire codec: request bodies in, reply bodies out. No I/O and no policy; the front
 * end reads and writes the bytes, and decides what to say.
 */

/** The two bytes that open every gzip stream (RFC 1952, ID1 and ID2). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Whether the bytes are a gzip stream. Drivers gzip bodies without reliable headers. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** The plain bytes of a request body, inflated when it is gzipped. */
export function inflateBody(raw: Buffer, maxBytes: number): Buffer {
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TollgateError(
        'TG_REQUEST_TOO_LARGE',
        `request body inflates past ${maxBytes} bytes`,
      );
    }
    throw new TollgateError('TG_REQUEST_INVALID', 'request body is not a valid gzip stream', {
      cause: error,
    });
  }
}

/** A JSON request body as an object; an empty body is an empty object. */
export function parseRequestJson(plain: Buffer): Record<string, unknown> {
  if (plain.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(plain.toString('utf8'));
  } catch (error) {
    throw new TollgateError('TG_REQUEST_INVALID', 'request body is not valid JSON', {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TollgateError('TG_REQUEST_INVALID', 'request body is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A member of a parsed body as a string, or null when it is absent or not a string. */
export function stringField(object: unknown, key: string): string | null {
  if (object === null || typeof object !== 'object') return null;
  const value = (object as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

/** A member of a parsed body as a plain object, or null. */
export function objectField(object: unknown, key: string): Record<string, unknown> | null {
  if (object === null || typeof object !== 'object') return null;
  const value = (object as Record<string, unknown>)[key];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

/** A success reply around `data`, given as JSON text so big integers stay exact. */
export function successReply(dataJson: string, code: string | null = null): string {
  const codeJson = code === null ? 'null' : JSON.stringify(code);
  return `{"data":${dataJson},"code":${codeJson},"message":null,"success":true}`;
}

/** What a Snowflake error reply says. */
export interface SnowflakeErrorShape {
  code: string;
  message: string;
  sqlState: string;
  queryId?: string | null;
}

/** A Snowflake error reply: `success: false`, the code twice, as the drivers read it. */
export function errorReply(error: SnowflakeErrorShape): string {
  const data = {
    errorCode: error.code,
    sqlState: error.sqlState,
    queryId: error.queryId ?? null,
    internalError: false,
  };
  return JSON.stringify({ data, code: error.code, message: error.message, success: false });
}
