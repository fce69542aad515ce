import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { TollgateError } from '../errors.js';
import { auditDbPath } from '../paths.js';
import { byPosition, ConfigError, type ConfigIssue } from './errors.js';
import { formatKeyPath, type KeyPath, positionOf } from './positions.js';
import { CLAIM_PRESETS, NO_PRESET } from './presets.js';
import { type ConfigFile, configFileSchema, SECRET_INLINE_PARAM } from './schema.js';
import type {
  AccessRule,
  ConfigSource,
  ConnectionConfig,
  CredentialConfig,
  IssuerConfig,
  ListenerConfig,
  TollgateConfig,
} from './types.js';

/**
 * Reads, validates and resolves a YAML config file. Throws `ConfigError` (TG_CONFIG_INVALID, or
 * TG_CONFIG_SECRET_INLINE when the first problem is an inline secret) listing every problem with
 * its file, line, column and key path. Credentials are not read here; the vault reads them.
 */
export async function loadConfig(path: string): Promise<TollgateConfig> {
  const file = resolve(path);
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new TollgateError('TG_CONFIG_INVALID', `${file}: cannot be read (${cause.code})`, {
      cause,
    });
  });
  return parseConfig(text, file);
}

/** Validates config text as if it were read from `file` (used for messages and relative paths). */
export function parseConfig(text: string, file: string): TollgateConfig {
  const source: ConfigSource = { file: resolve(file), dir: dirname(resolve(file)) };
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  const syntaxIssues = document.errors.map((error) => ({
    code: 'TG_CONFIG_INVALID' as const,
    file: source.file,
    ...toLineColumn(lineCounter, error.pos[0]),
    keyPath: '',
    message: `YAML syntax: ${firstLine(error.message)}`,
  }));
  if (syntaxIssues.length > 0) throw new ConfigError(syntaxIssues);

  const parsed = configFileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(toConfigIssues(parsed.error.issues, document, lineCounter, source));
  }

  return resolveConfig(parsed.data, source);
}

function toLineColumn(lineCounter: LineCounter, offset: number) {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** yaml's messages may end with a context excerpt; keep only the sentence. */
function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  document: Document,
  lineCounter: LineCounter,
  source: ConfigSource,
): ConfigIssue[] {
  const located = issues.flatMap((issue) => splitUnknownKeys(issue));
  const result = located.map(({ issue, path, unknownKey }): ConfigIssue => {
    const { position, found } = positionOf(document, lineCounter, path, { preferKey: unknownKey });
    return {
      code: isInlineSecret(issue)
        ? ('TG_CONFIG_SECRET_INLINE' as const)
        : ('TG_CONFIG_INVALID' as const),
      file: source.file,
      ...position,
      keyPath: formatKeyPath(path),
      message: unknownKey ? 'is not a known key' : describeIssue(issue, found),
    };
  });
  return result.sort(byPosition);
}

interface LocatedIssue {
  issue: z.core.$ZodIssue;
  path: KeyPath;
  unknownKey: boolean;
}

/** One issue per unknown key, located at the key itself. */
function splitUnknownKeys(issue: z.core.$ZodIssue): LocatedIssue[] {
  const path: KeyPath = issue.path;
  if (issue.code !== 'unrecognized_keys') return [{ issue, path, unknownKey: false }];
  return issue.keys.map((key) => ({ issue, path: [...path, key], unknownKey: true }));
}

function isInlineSecret(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && issue.params?.[SECRET_INLINE_PARAM] === true;
}

/** Short messages for the common cases; zod's own wording for the rest. */
function describeIssue(issue: z.core.$ZodIssue, found: boolean): string {
  switch (issue.code) {
    case 'invalid_union':
      // A discriminated union names its allowed discriminator values; zod's type omits them.
      return 'options' in issue && Array.isArray(issue.options)
        ? describeChoice(issue.options, found)
        : lowerFirst(issue.message);
    case 'invalid_value':
      return describeChoice(issue.values, found);
    case 'invalid_type':
      return found ? `must be ${article(issue.expected)}` : `is required (${issue.expected})`;
    case 'too_big':
      return issue.origin === 'array'
        ? `must have at most ${issue.maximum} entries`
        : `must be at most ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `must have at least ${issue.minimum} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}`
        : `must be at least ${issue.minimum}`;
    default:
      return lowerFirst(issue.message);
  }
}

function describeChoice(options: readonly unknown[], found: boolean): string {
  const list = options.map((option) => `'${String(option)}'`).join(', ');
  return found ? `must be one of ${list}` : `is required (one of ${list})`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function resolveConfig(file: ConfigFile, source: ConfigSource): TollgateConfig {
  const inDir = (path: string) => resolve(source.dir, path);
  const dataDir = inDir(file.dataDir ?? '.');

  return {
    source,
    dataDir,
    listeners: {
      snowflake: resolveListener(file.listeners.snowflake, inDir),
      admin: file.listeners.admin ? resolveListener(file.listeners.admin, inDir) : null,
    },
    audit: {
      path: file.audit.path === undefined ? auditDbPath(dataDir) : inDir(file.audit.path),
      durability: file.audit.durability,
      failOpen: file.audit.failOpen,
      binds: file.audit.binds,
    },
    issuers: file.issuers.map(resolveIssuer),
    connections: file.connections.map((connection) => resolveConnection(connection, inDir)),
    access: file.access.map(resolveAccessRule),
  };
}

type Resolve = (path: string) => string;

function resolveListener(listener: ConfigFile['listeners']['snowflake'], inDir: Resolve) {
  const tls = listener.tls
    ? { cert: inDir(listener.tls.cert), key: inDir(listener.tls.key) }
    : null;
  return { host: listener.host, port: listener.port, tls } satisfies ListenerConfig;
}

function resolveIssuer(entry: ConfigFile['issuers'][number]): IssuerConfig {
  const preset = entry.preset ? CLAIM_PRESETS[entry.preset] : null;
  const base = preset ?? NO_PRESET;

  return {
    // The schema guarantees one of the two is present.
    issuer: entry.issuer ?? preset?.issuer ?? '',
    audience: entry.audience,
    algorithms: entry.algorithms as IssuerConfig['algorithms'],
    clockLeeway: entry.clockLeeway,
    requireJti: entry.requireJti,
    preset: entry.preset ?? null,
    claims: {
      principal: entry.claims.principal ?? base.principal,
      tags: { ...base.tags, ...entry.claims.tags },
    },
  };
}

function resolveConnection(
  entry: ConfigFile['connections'][number],
  inDir: Resolve,
): ConnectionConfig {
  return {
    name: entry.name,
    type: entry.type,
    account: entry.account,
    url: entry.url ?? `https://${entry.account.toLowerCase()}.snowflakecomputing.com`,
    user: entry.user,
    warehouse: entry.warehouse ?? null,
    database: entry.database ?? null,
    schema: entry.schema ?? null,
    role: entry.role ?? null,
    credentials: resolveCredentials(entry.credentials, inDir),
  };
}

function resolveCredentials(
  entry: ConfigFile['connections'][number]['credentials'],
  inDir: Resolve,
): CredentialConfig {
  const file = (path: string | undefined) => (path === undefined ? null : inDir(path));
  if (entry.type === 'password') {
    return {
      type: 'password',
      passwordEnv: entry.passwordEnv ?? null,
      passwordFile: file(entry.passwordFile),
      password: entry.password ?? null,
      insecure: entry.insecure,
    };
  }
  return {
    type: 'keyPair',
    privateKeyFile: file(entry.privateKeyFile),
    passphraseEnv: entry.passphraseEnv ?? null,
    privateKey: entry.privateKey ?? null,
    passphrase: entry.passphrase ?? null,
    insecure: entry.insecure,
  };
}

function resolveAccessRule(entry: ConfigFile['access'][number], index: number): AccessRule {
  return {
    name: entry.name ?? `access[${index}]`,
    principal: entry.principal ?? [],
    claims: entry.claims ?? {},
    connections: entry.connections,
    role: entry.role ?? null,
  };
}
