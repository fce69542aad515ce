import type { Logger } from '../../log.js';
import type { UserDirectory } from './users.js';

/** How the sandbox's REST server behaves. Every member has a default; tests shorten the clocks. */
export interface SandboxServerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; `0` picks a free one. Default `0`. */
  port?: number;
  /**
   * Base URL written into chunk URLs, for when clients reach the sandbox through a proxy.
   * Default: `http://` plus the `Host` header of the request that asked for the result.
   */
  publicUrl?: string;
  /** Lifetime of a session token (`validityInSeconds`). Default 3600, as Snowflake. */
  sessionTokenSeconds?: number;
  /** Lifetime of a master token (`masterValidityInSeconds`). Default 14400, as Snowflake. */
  masterTokenSeconds?: number;
  /** How long a chunk URL works before it answers 403 as an expired S3 URL does. Default 3600. */
  chunkUrlSeconds?: number;
  /** Most rows in one downloadable chunk. Default 100000. */
  chunkRows?: number;
  /** Most bytes of JSON rows sent inline in the reply before the rest goes to chunks. Default 256 KiB. */
  inlineBytes?: number;
  /** Largest request body accepted, before and after gunzip. Default 16 MiB. */
  maxBodyBytes?: number;
  /** How long a request waits for a running statement before answering 333333. Default 45 s. */
  resultWaitSeconds?: number;
  /** Finished statements whose results a session keeps for re-fetching. Default 32. */
  resultsPerSession?: number;
  /**
   * Bytes of finished results (inline text and gzipped chunks) kept over all sessions; past it
   * the oldest results are dropped and their chunk URLs answer 404. Default 256 MiB.
   */
  resultBytes?: number;
  /** Who may log in. Null accepts any user with any credential. Default null. */
  users?: UserDirectory | null;
  logger?: Logger;
}

/** {@link SandboxServerOptions} with every default applied. */
export type ResolvedServerOptions = Required<Omit<SandboxServerOptions, 'publicUrl'>> & {
  publicUrl: string | null;
};

export function resolveServerOptions(
  options: SandboxServerOptions,
  defaultLogger: Logger,
): ResolvedServerOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    publicUrl: options.publicUrl ?? null,
    sessionTokenSeconds: positive(options.sessionTokenSeconds, 3600, 'sessionTokenSeconds'),
    masterTokenSeconds: positive(options.masterTokenSeconds, 14_400, 'masterTokenSeconds'),
    chunkUrlSeconds: positive(options.chunkUrlSeconds, 3600, 'chunkUrlSeconds'),
    chunkRows: positive(options.chunkRows, 100_000, 'chunkRows'),
    inlineBytes: positive(options.inlineBytes, 256 * 1024, 'inlineBytes'),
    maxBodyBytes: positive(options.maxBodyBytes, 16 * 1024 * 1024, 'maxBodyBytes'),
    resultWaitSeconds: positive(options.resultWaitSeconds, 45, 'resultWaitSeconds'),
    resultsPerSession: positive(options.resultsPerSession, 32, 'resultsPerSession'),
    resultBytes: positive(options.resultBytes, 256 * 1024 * 1024, 'resultBytes'),
    users: options.users ?? null,
    logger: options.logger ?? defaultLogger,
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}
