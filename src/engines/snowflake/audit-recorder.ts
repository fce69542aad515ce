import type { AuditEvent, AuditSink } from '../../audit/types.js';
import { TollgateError } from '../../errors.js';
import type { Logger } from '../../log.js';

/**
 * How the front end writes to the audit log. Events that gate an action (a statement before it is
 * forwarded, a login before its tokens are handed out) are awaited until durable; if the store
 * fails, the action is refused (fail closed) unless fail-open was chosen, which is logged loudly
 * each time. Events that report what already happened are written without holding the reply.
 */
export class AuditRecorder {
  readonly #sink: AuditSink;
  readonly #failOpen: boolean;
  readonly #log: Logger;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(sink: AuditSink, options: { failOpen: boolean; logger: Logger }) {
    this.#sink = sink;
    this.#failOpen = options.failOpen;
    this.#log = options.logger;
  }

  /** Appends and waits until the record is durable; throws TG_AUDIT_UNAVAILABLE if it is not. */
  async beforeAction(event: AuditEvent, log: Logger = this.#log): Promise<void> {
    try {
      await this.#sink.append(event);
    } catch (error) {
      this.#onGateFailure(event, error, log);
    }
  }

  #onGateFailure(event: AuditEvent, error: unknown, log: Logger): void {
    if (this.#failOpen) {
      log.error(
        { err: error, kind: event.kind },
        'AUDIT FAIL-OPEN: the audit store did not record this event; proceeding without a record',
      );
      return;
    }
    log.error({ err: error, kind: event.kind }, 'audit store failed; refusing (fail closed)');
    throw new TollgateError(
      'TG_AUDIT_UNAVAILABLE',
      'the audit log could not record this request, so it was refused; try again later',
      { cause: error },
    );
  }

  /**
   * Appends and waits until durable, but a failure is only logged: for events that must be on
   * record before the reply (a refused login) yet gate nothing.
   */
  async record(event: AuditEvent, log: Logger = this.#log): Promise<void> {
    try {
      await this.#sink.append(event);
    } catch (error) {
      log.error({ err: error, kind: event.kind }, 'audit store failed to record an event');
    }
  }

  /**
   * Appends without holding anyone up: the append starts on the next turn of the event loop, so
   * the reply being written now goes out first. A failure is logged, since the reply has gone.
   */
  afterAction(event: AuditEvent, log: Logger = this.#log): void {
    const append = new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#sink.append(event).then(
          () => resolve(),
          (error: unknown) => {
            log.error({ err: error, kind: event.kind }, 'audit store failed to record an event');
            resolve();
          },
        );
      });
    });
    this.#pending.add(append);
    void append.finally(() => this.#pending.delete(append));
  }

  /** Waits for every append still in flight (on shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
