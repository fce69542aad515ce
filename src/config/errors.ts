import { type ErrorCode, TollgateError } from '../errors.js';
import type { Position } from './positions.js';

/** One problem found in a config file, located where a person would look for it. */
export interface ConfigIssue {
  code: Extract<ErrorCode, 'TG_CONFIG_INVALID' | 'TG_CONFIG_SECRET_INLINE'>;
  file: string;
  line: number;
  column: number;
  /** The key path as written in docs and messages: `connections[0].credentials.password`. */
  keyPath: string;
  message: string;
}

/**
 * A config file that cannot be used. `message` lists every issue as
 * `file:line:column: keyPath: problem`; the code is the first issue's. Messages name keys and
 * never repeat a secret's value.
 */
export class ConfigError extends TollgateError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    const first = issues[0];
    const code = first?.code ?? 'TG_CONFIG_INVALID';
    super(code, issues.map(formatIssue).join('\n'), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.keyPath === ''
    ? `${where}: ${issue.message}`
    : `${where}: ${issue.keyPath}: ${issue.message}`;
}

/** Orders issues as they appear in the file. */
export function byPosition(a: Position, b: Position): number {
  return a.line - b.line || a.column - b.column;
}
