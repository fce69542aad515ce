import type { AccessRule, ConnectionConfig, TollgateConfig } from '../config/types.js';
import { TollgateError } from '../errors.js';
import { claimText } from './claims.js';
import { matchesAny } from './glob.js';
import type { Principal } from './types.js';

/** What the access rules decided for one principal and connection. */
export interface AccessDecision {
  allowed: boolean;
  /** The first rule that matched, or null when none did (which denies). */
  rule: AccessRule | null;
  /**
   * The upstream role to log in with: the rule's `role`, else the connection's default, else null
   * (the upstream user's default). Null whenever access is denied.
   */
  role: string | null;
}

type AccessConfig = Pick<TollgateConfig, 'access' | 'connections'>;

/** The connection a client's account name selects, compared without regard to case. */
export function findConnection(config: AccessConfig, name: string): ConnectionConfig | null {
  const wanted = name.toLowerCase();
  return config.connections.find((connection) => connection.name.toLowerCase() === wanted) ?? null;
}

/** Like findConnection, but a name that selects nothing is an error (TG_CONNECTION_UNKNOWN). */
export function requireConnection(config: AccessConfig, name: string): ConnectionConfig {
  const connection = findConnection(config, name);
  if (connection !== null) return connection;
  throw new TollgateError('TG_CONNECTION_UNKNOWN', `no connection is named '${name}'`);
}

/** One claim condition: the claim is present and (one of its elements) matches a glob. */
function claimMatches(value: unknown, patterns: readonly string[]): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.some((item) => {
    const text = claimText(item);
    return text !== null && matchesAny(text, patterns);
  });
}

function ruleMatches(
  rule: AccessRule,
  principal: Principal,
  connection: ConnectionConfig,
): boolean {
  if (!matchesAny(connection.name, rule.connections, true)) return false;
  if (rule.principal.length > 0 && !matchesAny(principal.name, rule.principal)) return false;

  return Object.entries(rule.claims).every(([claim, patterns]) =>
    claimMatches(principal.claims[claim], patterns),
  );
}

/**
 * Decides whether `principal` may use the connection named `connectionName`: the first rule
 * (in file order) that names the connection and matches the principal decides; no match denies.
 */
export function authorize(
  config: AccessConfig,
  principal: Principal,
  connectionName: string,
): AccessDecision {
  const connection = findConnection(config, connectionName);
  if (connection === null) return { allowed: false, rule: null, role: null };

  const rule = config.access.find((candidate) => ruleMatches(candidate, principal, connection));
  if (rule === undefined) return { allowed: false, rule: null, role: null };

  return { allowed: true, rule, role: rule.role ?? connection.role };
}

/** authorize, throwing TG_ACCESS_DENIED (naming principal and connection) when denied. */
export function requireAccess(
  config: AccessConfig,
  principal: Principal,
  connectionName: string,
): AccessDecision {
  const decision = authorize(config, principal, connectionName);
  if (decision.allowed) return decision;

  const message = `principal '${principal.name}' may not use connection '${connectionName}': no access rule matches`;
  throw new TollgateError('TG_ACCESS_DENIED', message);
}
