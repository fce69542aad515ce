import { GENESIS_HASH, recordHash } from './chain.js';

/** What can be wrong with one place in the chain. */
export type ChainProblem =
  /** The record's stored hash does not match its contents: it was altered. */
  | 'hash_mismatch'
  /** The record does not point at the hash of the one before: that one was altered or replaced. */
  | 'prev_hash_mismatch'
  /** Sequence numbers skip: records were deleted. */
  | 'missing_records'
  /** Sequence numbers repeat or go back: records were duplicated or reordered. */
  | 'out_of_order'
  /** A record that cannot be read at all (a line of an export that is not a record). */
  | 'malformed'
  /** The record is intact but its search columns or tags were changed apart from it. */
  | 'index_mismatch';

/** The first place where the chain breaks. */
export interface ChainBreak {
  problem: ChainProblem;
  /** Where the chain breaks: the altered record, or the first of the missing ones. */
  seq: number;
  /** The id of the record at `seq`; null when that record is missing. */
  id: string | null;
  /** The record at which the break was seen (for missing records, the next one present). */
  observedSeq: number;
  observedId: string | null;
  /** A sentence for people, naming what was expected. */
  detail: string;
}

/** The outcome of walking a chain. */
export interface VerifyReport {
  ok: boolean;
  /** Records read. */
  records: number;
  /** Records per event kind. */
  kinds: Record<string, number>;
  /** Places where the chain breaks (each altered record or gap counts once). */
  breaks: number;
  firstBreak: ChainBreak | null;
  /** The first and last records read: `head` is what a later check can be anchored to. */
  first: { seq: number; prevHash: string } | null;
  head: { seq: number; id: string; hash: string } | null;
}

/** One record as the verifier needs it. `eventJson` is the canonical JSON of the event. */
export interface ChainLink {
  seq: number;
  id: string;
  kind: string;
  prevHash: string;
  hash: string;
  eventJson: string;
}

export interface ChainVerifierOptions {
  /**
   * Whether the first record must be seq 1 with the genesis `prevHash` (a whole log), or may
   * start anywhere, taking its `prevHash` on trust (an export of a time range). A record with
   * seq 1 must start from the genesis hash either way. Default: true.
   */
  fromGenesis?: boolean;
}

/**
 * Walks records in order, recomputing each hash and checking each link. After a break it carries
 * on from the stored values, so one altered record counts as one break, not as all that follow.
 */
export class ChainVerifier {
  readonly #fromGenesis: boolean;
  #last: ChainLink | null = null;
  #report: VerifyReport = {
    ok: true,
    records: 0,
    kinds: {},
    breaks: 0,
    firstBreak: null,
    first: null,
    head: null,
  };

  constructor(options: ChainVerifierOptions = {}) {
    this.#fromGenesis = options.fromGenesis ?? true;
  }

  /** Checks the next record; false when it breaks the chain. */
  check(link: ChainLink): boolean {
    const report = this.#report;
    report.records += 1;
    report.kinds[link.kind] = (report.kinds[link.kind] ?? 0) + 1;
    report.first ??= { seq: link.seq, prevHash: link.prevHash };

    const found = this.#linkProblem(link) ?? this.#hashProblem(link);
    if (found) this.#recordBreak(found);

    this.#last = link;
    report.head = { seq: link.seq, id: link.id, hash: link.hash };
    return found === null;
  }

  /** A record whose chain is intact but whose stored copies of its fields disagree with it. */
  inconsistent(link: ChainLink, detail: string): void {
    this.#recordBreak({ ...at(link, 'index_mismatch'), detail });
  }

  /** A line or row that could not be read as a record at all. */
  malformed(seq: number, detail: string): void {
    this.#report.records += 1;
    this.#recordBreak({
      problem: 'malformed',
      seq,
      id: null,
      observedSeq: seq,
      observedId: null,
      detail,
    });
  }

  /** Records that should exist after the last one read (a truncated tail). */
  missingAfterHead(lastSeq: number): void {
    const head = this.#report.head;
    const from = (head?.seq ?? 0) + 1;
    if (lastSeq < from) return;

    this.#recordBreak({
      problem: 'missing_records',
      seq: from,
      id: null,
      observedSeq: head?.seq ?? 0,
      observedId: head?.id ?? null,
      detail: `records ${describeRange(from, lastSeq)} were written but are missing from the end`,
    });
  }

  report(): VerifyReport {
    return structuredClone(this.#report);
  }

  #linkProblem(link: ChainLink): ChainBreak | null {
    const expected = this.#expected(link);
    if (link.seq > expected.seq) return missingBefore(link, expected.seq);
    if (link.seq < expected.seq) return outOfOrder(link, expected.seq);
    if (link.prevHash === expected.prevHash) return null;

    return {
      ...at(link, 'prev_hash_mismatch'),
      detail:
        link.seq === 1
          ? 'the first record does not start from the genesis hash'
          : `record ${link.seq} is chained to a different record ${link.seq - 1} than the one stored: that record was altered or replaced`,
    };
  }

  #hashProblem(link: ChainLink): ChainBreak | null {
    const computed = recordHash(link.prevHash, link.seq, link.id, link.eventJson);
    if (computed === link.hash) return null;

    return {
      ...at(link, 'hash_mismatch'),
      detail: `record ${link.seq} was altered: its contents hash to ${computed}, but ${link.hash} is stored`,
    };
  }

  #expected(link: ChainLink): { seq: number; prevHash: string } {
    if (this.#last) return { seq: this.#last.seq + 1, prevHash: this.#last.hash };
    if (this.#fromGenesis || link.seq === 1) return { seq: 1, prevHash: GENESIS_HASH };
    return { seq: link.seq, prevHash: link.prevHash };
  }

  #recordBreak(found: ChainBreak): void {
    this.#report.ok = false;
    this.#report.breaks += 1;
    this.#report.firstBreak ??= found;
  }
}

function at(link: ChainLink, problem: ChainProblem): Omit<ChainBreak, 'detail'> {
  return {
    problem,
    seq: link.seq,
    id: link.id,
    observedSeq: link.seq,
    observedId: link.id,
  };
}

function missingBefore(link: ChainLink, expectedSeq: number): ChainBreak {
  return {
    problem: 'missing_records',
    seq: expectedSeq,
    id: null,
    observedSeq: link.seq,
    observedId: link.id,
    detail: `records ${describeRange(expectedSeq, link.seq - 1)} are missing (deleted) before record ${link.seq}`,
  };
}

function outOfOrder(link: ChainLink, expectedSeq: number): ChainBreak {
  return {
    ...at(link, 'out_of_order'),
    detail: `record ${link.seq} appears where record ${expectedSeq} was expected (duplicated or reordered)`,
  };
}

function describeRange(from: number, to: number): string {
  return from === to ? `${from}` : `${from} to ${to}`;
}
