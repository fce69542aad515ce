/**
 * The audit writer thread. It owns the one connection that writes, so SQLite's commits and
 * fsyncs never block the gateway's event loop, and appends that arrive while it is committing
 * are written together in the next transaction (group commit). Started by `WriterThread`.
 */
import { type Stats, statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
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

  handle(message: ToWriter): FromWriter | null {
    if (message.type === 'close') {
      this.#db.close();
      return null;
    }

    try {
      this.#checkFileInPlace();
      return { type: 'written', ...this.#writer.write(message.rows) };
    } catch (error) {
      return { type: 'write_failed', error: toWireError(error) };
    }
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
  port.on('message', (message: ToWriter) => {
    const reply = worker.handle(message);
    if (reply) port.postMessage(reply);
    else port.close();
  });
}

if (parentPort) start(parentPort);
