import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { StoredRow } from './event-row.js';
import {
  type FromWriter,
  fromWireError,
  type WriterConfig,
  type WriterSettings,
  type WrittenBatch,
} from './writer-protocol.js';

interface Outstanding {
  resolve(batch: WrittenBatch): void;
  reject(error: Error): void;
}

/**
 * The gateway's side of the writer thread: sends batches, matches replies (they come back in
 * order), and keeps the process alive only while a batch is outstanding, so an idle store never
 * holds a process open but an awaited append always completes.
 */
export class WriterThread {
  readonly #worker: Worker;
  readonly #ready: Promise<WriterSettings>;
  readonly #outstanding: Outstanding[] = [];
  #dead: Error | null = null;

  constructor(config: WriterConfig) {
    this.#worker = new Worker(new URL('./writer-worker.js', import.meta.url), {
      workerData: config,
    });
    this.#worker.unref();
    this.#ready = this.#waitUntilReady();
    this.#ready.catch(() => {});

    this.#worker.on('error', (error) => this.#die(error));
    this.#worker.on('exit', (code) => this.#die(new Error(`the audit writer exited (${code})`)));
  }

  /** Resolves when the writer's connection is open; rejects when it could not be opened. */
  ready(): Promise<WriterSettings> {
    return this.#ready;
  }

  /** Writes rows as one transaction; resolves with their places in the chain once committed. */
  write(rows: StoredRow[]): Promise<WrittenBatch> {
    if (this.#dead) return Promise.reject(this.#dead);

    return new Promise((resolve, reject) => {
      this.#outstanding.push({ resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ type: 'write', rows });
    });
  }

  /** Closes the connection after any batch already sent, and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#dead) return;

    this.#worker.ref();
    const exited = once(this.#worker, 'exit');
    this.#worker.postMessage({ type: 'close' });
    await exited;
  }

  #waitUntilReady(): Promise<WriterSettings> {
    return new Promise((resolve, reject) => {
      const onFirst = (message: FromWriter) => {
        this.#worker.on('message', (next: FromWriter) => this.#onReply(next));
        if (message.type === 'ready') {
          resolve({ journalMode: message.journalMode, synchronous: message.synchronous });
        } else if (message.type === 'open_failed') {
          this.#dead = fromWireError(message.error);
          reject(this.#dead);
        }
      };
      this.#worker.once('message', onFirst);
      this.#worker.once('exit', () => reject(this.#dead));
    });
  }

  #onReply(message: FromWriter): void {
    const waiting = this.#outstanding.shift();
    if (this.#outstanding.length === 0) this.#worker.unref();
    if (!waiting) return;

    if (message.type === 'written') waiting.resolve(message);
    else if (message.type === 'write_failed') waiting.reject(fromWireError(message.error));
  }

  #die(error: Error): void {
    this.#dead ??= error;
    for (const waiting of this.#outstanding.splice(0)) waiting.reject(this.#dead);
  }
}
