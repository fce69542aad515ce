/**
 * What every protocol front end (engine) looks like to the gateway that runs it. An engine
 * decodes its protocol into statements and uses the shared core (identity, audit) for the rest;
 * the gateway only starts it, reports on it, and stops it.
 */
export interface RunningEngine {
  /** The protocol spoken: `snowflake` (later `postgres`). */
  readonly protocol: string;
  /** Where clients reach it, e.g. `http://127.0.0.1:8443`. */
  readonly url: string;
  /** Client sessions open right now. */
  sessionCount(): number;
  /**
   * Stops accepting clients, ends open sessions (upstream logout, audit `session_end`), and waits
   * for audit writes still in flight.
   */
  close(): Promise<void>;
}
