import { once } from 'node:events';
import { promisify } from 'node:util';
import { createGzip, gzip, constants as zlibConstants } from 'node:zlib';
import type { JsonRow, ResultColumn, StatementResult } from '../engine/types.js';

const gzipAsync = promisify(gzip);

/** A chunk body past this many bytes is closed early, whatever `chunkRows` says (Snowflake's cap). */
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** How a result is sent: JSON rowsets, or Arrow IPC streams for the drivers that ask for them. */
export type ResultFormat = 'json' | 'arrow';

/** Encodes rows as one Arrow IPC stream (schema and record batches), for `rowsetBase64`. */
export type ArrowEncoder = (columns: ResultColumn[], rows: JsonRow[]) => Uint8Array;

/** One downloadable part of a result, gzipped, as Snowflake stores chunks on cloud storage. */
export interface StoredChunk {
  rowCount: number;
  uncompressedSize: number;
  compressedSize: number;
  body: Buffer;
}

/** A finished statement's result, held until the session forgets it. */
export interface MaterializedResult {
  statementTypeId: number;
  columns: ResultColumn[];
  rowsAffected: number | null;
  format: ResultFormat;
  totalRows: number;
  inlineRows: number;
  /** JSON: the inline rows joined by commas. Arrow: base64 of an IPC stream. Empty when none. */
  inline: string;
  /** The inline rows again as a chunk, so a re-fetch can list every row as a chunk. */
  inlineChunk: StoredChunk | null;
  chunks: StoredChunk[];
  /** Set on the parent of a multi-statement request. */
  multi: { resultIds: string[]; resultTypes: number[] } | null;
}

/** How a result is cut into inline rows and chunks. */
export interface MaterializeOptions {
  format: ResultFormat;
  chunkRows: number;
  inlineBytes: number;
  signal: AbortSignal;
  /** Needed when `format` is arrow. */
  arrow?: ArrowEncoder;
}

/**
 * Reads a statement's rows to the end, keeping the first ones as inline text and gzipping the
 * rest into chunks as they arrive. Only gzipped chunks are held, never the whole result as text.
 * Stops with an AbortError when `signal` fires (statement cancel).
 */
export async function materialize(
  result: StatementResult,
  options: MaterializeOptions,
): Promise<MaterializedResult> {
  const cutter = new ChunkCutter(result.columns, options);
  const batches = result.batches()[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await untilAborted(batches.next(), options.signal);
      if (next.done) break;
      await cutter.add(next.value);
    }
  } catch (error) {
    cutter.discard();
    // Lets the engine release its connection once the batch it is producing is done.
    void batches.return?.()?.catch(() => {});
    throw error;
  }
  return cutter.finish(result);
}

/**
 * Settles with `work`, or rejects with the abort reason as soon as `signal` fires: a cancel
 * is answered at once even while the engine is still producing a batch.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A static result (multi-statement parents): rows known up front, always inline. */
export function inlineResult(
  columns: ResultColumn[],
  rows: JsonRow[],
  statementTypeId: number,
): MaterializedResult {
  return {
    statementTypeId,
    columns,
    rowsAffected: null,
    format: 'json',
    totalRows: rows.length,
    inlineRows: rows.length,
    inline: jsonRowsText(rows),
    inlineChunk: null,
    chunks: [],
    multi: null,
  };
}

class ChunkCutter {
  readonly #columns: ResultColumn[];
  readonly #options: MaterializeOptions;
  readonly #inlineRows: JsonRow[] = [];
  #inlineBytes = 0;
  #inlineOpen = true;
  #current: ChunkWriter | null = null;
  readonly #sealed: Promise<StoredChunk>[] = [];
  #totalRows = 0;

  constructor(columns: ResultColumn[], options: MaterializeOptions) {
    this.#columns = columns;
    this.#options = options;
  }

  async add(batch: JsonRow[]): Promise<void> {
    this.#totalRows += batch.length;
    let start = this.#inlineOpen ? this.#takeInline(batch) : 0;

    while (start < batch.length) {
      this.#current ??= this.#newWriter();
      const writer = this.#current;
      const take = Math.min(batch.length - start, this.#options.chunkRows - writer.rowCount);
      await writer.write(
        start === 0 && take === batch.length ? batch : batch.slice(start, start + take),
      );
      start += take;
      if (writer.rowCount >= this.#options.chunkRows || writer.byteLength >= MAX_CHUNK_BYTES) {
        await this.#seal();
      }
    }
  }

  async finish(result: StatementResult): Promise<MaterializedResult> {
    await this.#seal();
    const chunks = await Promise.all(this.#sealed);
    const inlinePlain = this.#inlineRows.length > 0 ? this.#encodeInline() : null;
    const hasChunks = chunks.length > 0;

    return {
      statementTypeId: result.statementTypeId,
      columns: result.columns,
      rowsAffected: result.rowsAffected,
      format: this.#options.format,
      totalRows: this.#totalRows,
      inlineRows: this.#inlineRows.length,
      inline: inlineText(this.#options.format, inlinePlain),
      inlineChunk:
        hasChunks && inlinePlain ? await gzipChunk(inlinePlain, this.#inlineRows.length) : null,
      chunks,
      multi: null,
    };
  }

  /** Drops the chunk being written (the statement was cancelled or failed). */
  discard(): void {
    this.#current?.discard();
    this.#current = null;
  }

  /** Moves rows inline until their JSON passes `inlineBytes`; returns how many it took. */
  #takeInline(batch: JsonRow[]): number {
    let taken = 0;
    while (taken < batch.length) {
      const row = batch[taken] as JsonRow;
      const size = JSON.stringify(row).length + 1;
      if (this.#inlineBytes + size > this.#options.inlineBytes) {
        this.#inlineOpen = false;
        break;
      }
      this.#inlineBytes += size;
      this.#inlineRows.push(row);
      taken += 1;
    }
    return taken;
  }

  #encodeInline(): Buffer {
    if (this.#options.format === 'json') return Buffer.from(jsonRowsText(this.#inlineRows), 'utf8');
    return arrowBuffer(this.#arrowEncoder()(this.#columns, this.#inlineRows));
  }

  async #seal(): Promise<void> {
    const writer = this.#current;
    this.#current = null;
    if (writer === null || writer.rowCount === 0) return;

    const sealed = writer.finish();
    this.#sealed.push(sealed);
    // Arrow chunks are encoded at sealing; one at a time keeps their rows from piling up.
    if (this.#options.format === 'arrow') await sealed;
  }

  #newWriter(): ChunkWriter {
    if (this.#options.format === 'json') return new JsonChunkWriter();
    return new ArrowChunkWriter(this.#columns, this.#arrowEncoder());
  }

  #arrowEncoder(): ArrowEncoder {
    const arrow = this.#options.arrow;
    if (arrow === undefined) throw new TypeError('format arrow needs an ArrowEncoder');
    return arrow;
  }
}

/** Builds one downloadable chunk from runs of rows. */
interface ChunkWriter {
  readonly rowCount: number;
  /** Uncompressed bytes so far (an estimate for Arrow), to close a chunk past MAX_CHUNK_BYTES. */
  readonly byteLength: number;
  write(rows: JsonRow[]): Promise<void>;
  finish(): Promise<StoredChunk>;
  discard(): void;
}

/** Text handed to gzip in pieces of about this size: fewer, larger compression calls. */
const GZIP_WRITE_BYTES = 256 * 1024;

/**
 * Snowflake's JSON chunk: rows as JSON arrays joined by commas, without outer brackets. The
 * text is gzipped as it is written, so only the compressed chunk is ever held whole.
 */
class JsonChunkWriter implements ChunkWriter {
  rowCount = 0;
  byteLength = 0;
  readonly #gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED });
  readonly #compressed: Buffer[] = [];
  #pending: string[] = [];
  #pendingLength = 0;
  #flushed = false;

  constructor() {
    this.#gzip.on('data', (part: Buffer) => this.#compressed.push(part));
  }

  async write(rows: JsonRow[]): Promise<void> {
    if (rows.length === 0) return;
    const text = jsonRowsText(rows);
    this.byteLength += Buffer.byteLength(text, 'utf8') + (this.rowCount === 0 ? 0 : 1);
    this.rowCount += rows.length;
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength >= GZIP_WRITE_BYTES) await this.#flush();
  }

  async finish(): Promise<StoredChunk> {
    await this.#flush();
    const ended = once(this.#gzip, 'end');
    this.#gzip.end();
    await ended;
    const body = Buffer.concat(this.#compressed);
    return {
      rowCount: this.rowCount,
      uncompressedSize: this.byteLength,
      compressedSize: body.length,
      body,
    };
  }

  discard(): void {
    this.#gzip.destroy();
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = (this.#flushed ? ',' : '') + this.#pending.join(',');
    this.#flushed = true;
    this.#pending = [];
    this.#pendingLength = 0;
    if (!this.#gzip.write(text)) await once(this.#gzip, 'drain');
  }
}

/** Holds a chunk's rows until it is complete, then writes one Arrow IPC stream and gzips it. */
class ArrowChunkWriter implements ChunkWriter {
  rowCount = 0;
  byteLength = 0;
  readonly #rows: JsonRow[] = [];
  readonly #columns: ResultColumn[];
  readonly #encode: ArrowEncoder;

  constructor(columns: ResultColumn[], encode: ArrowEncoder) {
    this.#columns = columns;
    this.#encode = encode;
  }

  async write(rows: JsonRow[]): Promise<void> {
    for (const row of rows) {
      this.#rows.push(row);
      for (const value of row) this.byteLength += value === null ? 1 : value.length;
    }
    this.rowCount += rows.length;
  }

  async finish(): Promise<StoredChunk> {
    return gzipChunk(arrowBuffer(this.#encode(this.#columns, this.#rows)), this.rowCount);
  }

  discard(): void {
    this.#rows.length = 0;
  }
}

function arrowBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Rows joined by commas without the outer brackets; one stringify call for the whole run. */
function jsonRowsText(rows: JsonRow[]): string {
  return rows.length === 0 ? '' : JSON.stringify(rows).slice(1, -1);
}

function inlineText(format: ResultFormat, plain: Buffer | null): string {
  if (plain === null) return '';
  return format === 'json' ? plain.toString('utf8') : plain.toString('base64');
}

async function gzipChunk(plain: Buffer, rowCount: number): Promise<StoredChunk> {
  const body = await gzipAsync(plain, { level: zlibConstants.Z_BEST_SPEED });
  return { rowCount, uncompressedSize: plain.length, compressedSize: body.length, body };
}
