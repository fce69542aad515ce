import { promisify } from 'node:util';
import { gzip, constants as zlibConstants } from 'node:zlib';
import type { JsonRow, ResultColumn, StatementResult } from '../engine/types.js';

const gzipAsync = promisify(gzip);

/** A chunk body past this many bytes is closed early, whatever `chunkRows` says (Snowflake's cap). */
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** Chunks being gzipped at once; more would hold more uncompressed text in memory. */
const GZIP_IN_FLIGHT = 4;

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
  readonly #inline: RowWriter;
  #inlineBytes = 0;
  #inlineOpen = true;
  #current: RowWriter | null = null;
  readonly #sealed: Promise<StoredChunk>[] = [];
  #settled = 0;
  #totalRows = 0;

  constructor(columns: ResultColumn[], options: MaterializeOptions) {
    this.#columns = columns;
    this.#options = options;
    this.#inline = this.#newWriter();
  }

  async add(batch: JsonRow[]): Promise<void> {
    this.#totalRows += batch.length;
    let start = this.#inlineOpen ? this.#takeInline(batch) : 0;

    while (start < batch.length) {
      this.#current ??= this.#newWriter();
      const writer = this.#current;
      const take = Math.min(batch.length - start, this.#options.chunkRows - writer.rowCount);
      writer.add(start === 0 && take === batch.length ? batch : batch.slice(start, start + take));
      start += take;
      if (writer.rowCount >= this.#options.chunkRows || writer.textLength >= MAX_CHUNK_BYTES) {
        await this.#seal();
      }
    }
  }

  async finish(result: StatementResult): Promise<MaterializedResult> {
    if (this.#current !== null) await this.#seal();
    const chunks = await Promise.all(this.#sealed);
    const inlinePlain = this.#inline.rowCount > 0 ? this.#inline.encode() : null;
    const hasChunks = chunks.length > 0;

    return {
      statementTypeId: result.statementTypeId,
      columns: result.columns,
      rowsAffected: result.rowsAffected,
      format: this.#options.format,
      totalRows: this.#totalRows,
      inlineRows: this.#inline.rowCount,
      inline: inlineText(this.#options.format, inlinePlain),
      inlineChunk:
        hasChunks && inlinePlain ? await gzipChunk(inlinePlain, this.#inline.rowCount) : null,
      chunks,
      multi: null,
    };
  }

  /** Moves rows inline until their JSON passes `inlineBytes`; returns how many it took. */
  #takeInline(batch: JsonRow[]): number {
    let taken = 0;
    while (taken < batch.length) {
      const size = JSON.stringify(batch[taken]).length + 1;
      if (this.#inlineBytes + size > this.#options.inlineBytes) break;
      this.#inlineBytes += size;
      taken += 1;
    }
    this.#inline.add(taken === batch.length ? batch : batch.slice(0, taken));
    if (taken < batch.length) this.#inlineOpen = false;
    return taken;
  }

  async #seal(): Promise<void> {
    const writer = this.#current;
    this.#current = null;
    if (writer === null || writer.rowCount === 0) return;

    this.#sealed.push(gzipChunk(writer.encode(), writer.rowCount));
    while (this.#sealed.length - this.#settled > GZIP_IN_FLIGHT) {
      await this.#sealed[this.#settled];
      this.#settled += 1;
    }
  }

  #newWriter(): RowWriter {
    if (this.#options.format === 'json') return new JsonRowWriter();
    const arrow = this.#options.arrow;
    if (arrow === undefined) throw new TypeError('format arrow needs an ArrowEncoder');
    return new ArrowRowWriter(this.#columns, arrow);
  }
}

/** Collects the rows of one chunk (or of the inline part) and encodes them once at the end. */
interface RowWriter {
  readonly rowCount: number;
  /** Rough size, to close a chunk before it grows past MAX_CHUNK_BYTES. */
  readonly textLength: number;
  add(rows: JsonRow[]): void;
  encode(): Buffer;
}

/** Snowflake's chunk text: rows as JSON arrays joined by commas, without outer brackets. */
class JsonRowWriter implements RowWriter {
  rowCount = 0;
  textLength = 0;
  readonly #parts: string[] = [];

  add(rows: JsonRow[]): void {
    if (rows.length === 0) return;
    const text = jsonRowsText(rows);
    this.#parts.push(text);
    this.rowCount += rows.length;
    this.textLength += text.length + 1;
  }

  encode(): Buffer {
    return Buffer.from(this.#parts.join(','), 'utf8');
  }
}

/** Holds rows as values until the chunk is complete, then writes one Arrow IPC stream. */
class ArrowRowWriter implements RowWriter {
  rowCount = 0;
  textLength = 0;
  readonly #rows: JsonRow[] = [];
  readonly #columns: ResultColumn[];
  readonly #encode: ArrowEncoder;

  constructor(columns: ResultColumn[], encode: ArrowEncoder) {
    this.#columns = columns;
    this.#encode = encode;
  }

  add(rows: JsonRow[]): void {
    for (const row of rows) {
      this.#rows.push(row);
      for (const value of row) this.textLength += value === null ? 4 : value.length + 3;
    }
    this.rowCount += rows.length;
  }

  encode(): Buffer {
    const bytes = this.#encode(this.#columns, this.#rows);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
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
