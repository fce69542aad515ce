import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Tollgate keeps its files when nothing else is said: `$TOLLGATE_HOME`, else `~/.tollgate`.
 * `tollgate demo` writes under `<home>/demo`, so `tollgate audit` and `tollgate token` find the
 * demo's audit store and development issuer without flags.
 */
export function tollgateHome(): string {
  return process.env.TOLLGATE_HOME ?? join(homedir(), '.tollgate');
}

/** The data folder of `tollgate demo`. */
export function demoDataDir(): string {
  return join(tollgateHome(), 'demo');
}

/** The SQLite audit store inside a data folder. */
export function auditDbPath(dataDir: string): string {
  return join(dataDir, 'audit.db');
}

/** The development token issuer's key and address inside a data folder. */
export function devIssuerDir(dataDir: string): string {
  return join(dataDir, 'dev-issuer');
}
