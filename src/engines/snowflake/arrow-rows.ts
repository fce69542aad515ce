/**
 * Row counts of Arrow results (`rowsetBase64`, and Arrow chunks), for the drivers that read
 * Arrow (Go, Python, JDBC). apache-arrow is loaded on first use, so a gateway that only ever
 * sees JSON results starts without it.
 */

type ArrowModule = typeof import('apache-arrow');

let arrow: Promise<ArrowModule> | null = null;

function loadArrow(): Promise<ArrowModule> {
  arrow ??= import('apache-arrow');
  return arrow;
}

/** Rows in the Arrow IPC stream(s) held in `bytes`. */
export async function countArrowRows(bytes: Uint8Array): Promise<number> {
  const { RecordBatchReader } = await loadArrow();
  let rows = 0;
  for (const reader of RecordBatchReader.readAll(bytes)) {
    for (const batch of reader) rows += batch.numRows;
  }
  return rows;
}

/** Rows in an Arrow IPC stream read piece by piece, without holding it whole. */
export async function countArrowStreamRows(source: AsyncIterable<Uint8Array>): Promise<number> {
  const { RecordBatchReader } = await loadArrow();
  let rows = 0;
  for await (const reader of RecordBatchReader.readAll(source)) {
    for await (const batch of reader) rows += batch.numRows;
  }
  return rows;
}
