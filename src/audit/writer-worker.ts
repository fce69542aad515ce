/**
 * The audit writer thread. It owns the one connection that writes, so SQLite's commits and
 * fsyncs never block the gateway's event loop. Batches that arrive while it is committing wait
 * in its port; it then writes all of them in the next transaction (group commit), so the
 * gateway's thread can hand over batches without waiting for the commit before. Started by
 * `WriterThread`.
 */
import { type Stats, statSync } from 'node:fs';
import {
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { StoredRow } from './event-row.js';
import { ChainWriter } from './sqlite-writer.js';
import {
  configureWriter,
  type FromWriter,
  type ToWriter,
  toWireError,
  type WriterConfig,
} from './writer-protocol.js';

class WriterWorker {
  readonly #config: WriterConfig;
  readonly #db: Database.Database;
  readonly #writer: ChainWriter;
  readonly #file: Stats;

  constructor(config: WriterConfig) {
    this.#config = config;
    this.#db = new Database(config.path, { fileMustExist: true, timeout: config.busyTimeoutMs });
    configureWriter(this.#db, config.durability);
    this.#writer = new ChainWriter(this.#db);
    this.#file = statSync(config.path);
  }

  settings(): FromWriter {
    return {
      type: 'ready',
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.#db.pragma('synchronous', { simple: true })),
    };
  }

  /** Writes the batches in one transaction and answers each, in order. */
  write(batches: StoredRow[][]): FromWriter[] {
    try {
      this.#checkFileInPlace();
      return this.#writer.write(batches).map((written) => ({ type: 'written', ...written }));
    } catch (error) {
      const failed: FromWriter = { type: 'write_failed', error: toWireError(error) };
      return batches.map(() => failed);
    }
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Without this check, SQLite would go on writing to a file deleted or replaced under it, and
   * every record from then on would be lost when the process ends.
   */
  #checkFileInPlace(): void {
    const now = statSync(this.#config.path, { throwIfNoEntry: false });
    if (!now || now.ino !== this.#file.ino || now.dev !== this.#file.dev) {
      throw new Error(`${this.#config.path} was removed or replaced while the store had it open`);
    }
  }
}

function start(port: NonNullable<typeof parentPort>): void {
  let worker: WriterWorker;
  try {
    worker = new WriterWorker(workerData as WriterConfig);
  } catch (error) {
    port.postMessage({ type: 'open_failed', error: toWireError(error) } satisfies FromWriter);
    port.close();
    return;
  }

  port.postMessage(worker.settings());
  port.on('message', (first: ToWriter) => {
    const messages = [first, ...waitingMessages(port)];
    const batches = messages.flatMap((message) => (message.type === 'write' ? [message.rows] : []));

    if (batches.length > 0) for (const reply of worker.write(batches)) port.postMessage(reply);
    if (messages.some((message) => message.type === 'close')) {
      worker.close();
      port.close();
    }
  });
}

/** The messages already queued behind the one being handled, taken without waiting. */
function waitingMessages(port: MessagePort): ToWriter[] {
  const messages: ToWriter[] = [];
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    messages.push(next.message as ToWriter);
  }
  return messages;
}

if (parentPort) start(parentPort);
