import { randomBytes, randomUUID } from 'node:crypto';
import type { SnowflakeReplyError } from './errors.js';
import type { MaterializedResult } from './materialize.js';

/** Statuses as `/monitoring/queries/{id}` reports them (the drivers' QueryStatus names). */
export type QueryStatus = 'RUNNING' | 'SUCCESS' | 'FAILED_WITH_ERROR' | 'ABORTED';

/** One statement execution: what ran, where it stands, and its result or error once done. */
export class QueryRecord {
  readonly id = randomUUID();
  readonly sessionId: bigint;
  readonly user: string;
  readonly requestId: string | null;
  readonly sqlText: string;
  readonly startedAt = Date.now();
  readonly controller = new AbortController();
  #qrmk: string | null = null;
  status: QueryStatus = 'RUNNING';
  endedAt: number | null = null;
  result: MaterializedResult | null = null;
  error: SnowflakeReplyError | null = null;
  readonly #done: Promise<void>;
  #markDone: () => void = () => {};

  constructor(sessionId: bigint, user: string, requestId: string | null, sqlText: string) {
    this.sessionId = sessionId;
    this.user = user;
    this.requestId = requestId;
    this.sqlText = sqlText;
    this.#done = new Promise((resolve) => {
      this.#markDone = resolve;
    });
  }

  /** The key chunk downloads must present, as Snowflake's `qrmk` (SSE-C key) works on S3. */
  get qrmk(): string {
    this.#qrmk ??= randomBytes(32).toString('base64');
    return this.#qrmk;
  }

  get running(): boolean {
    return this.status === 'RUNNING';
  }

  succeed(result: MaterializedResult): void {
    this.result = result;
    this.#finish('SUCCESS');
  }

  fail(error: SnowflakeReplyError, status: 'FAILED_WITH_ERROR' | 'ABORTED'): void {
    this.error = error;
    this.#finish(status);
  }

  /** Asks a running statement to stop; false when it has already finished. */
  abort(): boolean {
    if (!this.running) return false;
    this.controller.abort();
    return true;
  }

  /** Waits until the statement finishes or `ms` pass; true when it has finished. */
  async waitFor(ms: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const finished = await Promise.race([this.#done.then(() => true), timeout]);
    clearTimeout(timer);
    return finished;
  }

  /** Resolves when the statement has finished, however it ended. */
  done(): Promise<void> {
    return this.#done;
  }

  #finish(status: QueryStatus): void {
    if (!this.running) return;
    this.status = status;
    this.endedAt = Date.now();
    this.#markDone();
  }
}

/** How long an abort for a not-yet-seen request id is remembered. */
const PENDING_ABORT_MS = 60_000;

/** How many finished results are kept, per session and in bytes over all sessions. */
export interface RetentionLimits {
  resultsPerSession: number;
  resultBytes: number;
}

/**
 * Every statement the server knows, by query id and by session. Running statements are always
 * kept. Finished ones are kept like Snowflake's result cache, but bounded: a session keeps its
 * newest `resultsPerSession`, and once results hold more than `resultBytes` the oldest go
 * first, so a long-lived sandbox does not hold every result it ever produced.
 */
export class QueryRegistry {
  readonly #byId = new Map<string, QueryRecord>();
  readonly #bySession = new Map<bigint, QueryRecord[]>();
  readonly #pendingAborts = new Map<string, number>();
  /** Finished records holding result bytes, oldest first. */
  readonly #held = new Map<QueryRecord, number>();
  #heldBytes = 0;
  readonly #limits: RetentionLimits;

  constructor(limits: RetentionLimits) {
    this.#limits = limits;
  }

  add(record: QueryRecord): void {
    this.#byId.set(record.id, record);
    const list = this.#bySession.get(record.sessionId) ?? [];
    list.push(record);
    this.#bySession.set(record.sessionId, list);
    this.#evict(list);

    if (record.requestId !== null && this.#takePendingAbort(record.sessionId, record.requestId)) {
      record.abort();
    }
  }

  /** Accounts a finished statement's result and evicts the oldest results past the budget. */
  settled(record: QueryRecord): void {
    const bytes = resultBytes(record);
    if (bytes === 0 || !this.#byId.has(record.id)) return;
    this.#held.set(record, bytes);
    this.#heldBytes += bytes;

    for (const [oldest] of this.#held) {
      if (this.#heldBytes <= this.#limits.resultBytes || oldest === record) break;
      this.#remove(oldest);
    }
  }

  /** A statement by query id, visible to the user who ran it (Snowflake's rule for results). */
  get(queryId: string, user: string): QueryRecord | undefined {
    const record = this.#byId.get(queryId);
    return record?.user === user ? record : undefined;
  }

  /** The newest statement a session ran for a client request id (retries reuse the id). */
  byRequestId(sessionId: bigint, requestId: string): QueryRecord | undefined {
    const list = this.#bySession.get(sessionId) ?? [];
    return list.findLast((record) => record.requestId === requestId);
  }

  /** Remembers a cancel that arrived before its statement, so the statement stops on arrival. */
  notePendingAbort(sessionId: bigint, requestId: string): void {
    const now = Date.now();
    for (const [key, expiry] of this.#pendingAborts)
      if (expiry < now) this.#pendingAborts.delete(key);
    this.#pendingAborts.set(`${sessionId}/${requestId}`, now + PENDING_ABORT_MS);
  }

  /** Drops a session's statements, stopping the running ones, which it returns. */
  forgetSession(sessionId: bigint): QueryRecord[] {
    const records = this.#bySession.get(sessionId) ?? [];
    this.#bySession.delete(sessionId);
    for (const record of records) this.#forgetResult(record);
    return records.filter((record) => record.abort());
  }

  /** A statement by query id for any user; only for requests that proved access otherwise. */
  find(queryId: string): QueryRecord | undefined {
    return this.#byId.get(queryId);
  }

  #takePendingAbort(sessionId: bigint, requestId: string): boolean {
    return this.#pendingAborts.delete(`${sessionId}/${requestId}`);
  }

  #evict(list: QueryRecord[]): void {
    let finished = list.filter((record) => !record.running).length;
    for (let i = 0; i < list.length && finished > this.#limits.resultsPerSession; ) {
      const record = list[i] as QueryRecord;
      if (record.running) {
        i += 1;
        continue;
      }
      list.splice(i, 1);
      this.#forgetResult(record);
      finished -= 1;
    }
  }

  /** Removes a finished record from every index. */
  #remove(record: QueryRecord): void {
    const list = this.#bySession.get(record.sessionId);
    const index = list?.indexOf(record) ?? -1;
    if (list !== undefined && index >= 0) list.splice(index, 1);
    this.#forgetResult(record);
  }

  #forgetResult(record: QueryRecord): void {
    this.#byId.delete(record.id);
    const bytes = this.#held.get(record);
    if (bytes === undefined) return;
    this.#held.delete(record);
    this.#heldBytes -= bytes;
  }
}

/** Bytes a finished result holds: its inline text and its gzipped chunks. */
function resultBytes(record: QueryRecord): number {
  const result = record.result;
  if (result === null) return 0;
  const chunks = result.chunks.reduce((sum, chunk) => sum + chunk.compressedSize, 0);
  return result.inline.length + (result.inlineChunk?.compressedSize ?? 0) + chunks;
}
