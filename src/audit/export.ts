import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { canonicalJson } from './chain.js';
import type { AuditRecord } from './types.js';
import { type ChainLink, ChainVerifier, type VerifyReport } from './verify.js';

/**
 * Reads one line of `tollgate audit export` (`{"seq","id","prevHash","hash","event"}`) back into
 * a record and the link the verifier checks. Throws a `TypeError` naming what is wrong.
 */
export function parseExportLine(line: string): { record: AuditRecord; link: ChainLink } {
  const value = JSON.parse(line) as Partial<AuditRecord> | null;
  if (typeof value !== 'object' || value === null) throw new TypeError('not a JSON object');

  const { seq, id, prevHash, hash, event } = value;
  if (!Number.isInteger(seq) || (seq as number) < 1) throw new TypeError('seq is missing');
  if (typeof id !== 'string' || typeof prevHash !== 'string' || typeof hash !== 'string') {
    throw new TypeError('id, prevHash or hash is missing');
  }
  if (typeof event !== 'object' || event === null) throw new TypeError('event is missing');

  const record = { seq: seq as number, id, prevHash, hash, event };
  const link = {
    seq: seq as number,
    id,
    prevHash,
    hash,
    kind: event.kind,
    eventJson: canonicalJson(event),
  };
  return { record, link };
}

export interface VerifyFileOptions {
  /** Called every few thousand lines with how many were read. */
  onProgress?(checked: number): void;
}

/**
 * Verifies an export file line by line. A file that starts at seq 1 must start from the genesis
 * hash; one that starts later (a time-range export) is checked from its first record on, whose
 * `prevHash` the report gives as `first` so it can be matched with the log it came from.
 */
export async function verifyExportFile(
  path: string,
  options: VerifyFileOptions = {},
): Promise<VerifyReport> {
  const verifier = new ChainVerifier({ fromGenesis: false });
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });

  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    checkLine(verifier, line, lineNumber);
    if (lineNumber % 5000 === 0) options.onProgress?.(lineNumber);
  }
  return verifier.report();
}

function checkLine(verifier: ChainVerifier, line: string, lineNumber: number): void {
  let link: ChainLink;
  try {
    link = parseExportLine(line).link;
  } catch (error) {
    verifier.malformed(
      lineNumber,
      `line ${lineNumber} is not an audit record: ${(error as Error).message}`,
    );
    return;
  }
  verifier.check(link);
}
