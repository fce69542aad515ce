import { readFile } from 'node:fs/promises';
import { type AuditStore, openAuditStore } from '../audit/index.js';
import type { AuditSink } from '../audit/types.js';
import type { ConnectionConfig, ListenerConfig, TollgateConfig } from '../config/types.js';
import type { RunningEngine } from '../engines/engine.js';
import {
  type SnowflakeConnection,
  type SnowflakeFrontEnd,
  startSnowflakeFrontEnd,
  upstreamCredential,
} from '../engines/snowflake/index.js';
import { createTokenVerifier, requireAccess } from '../identity/index.js';
import type { TokenVerifier } from '../identity/types.js';
import type { Logger } from '../log.js';
import { loadAllCredentials, type UpstreamCredentials } from '../vault/index.js';
import { type AdminServer, startAdminServer } from './admin.js';

/**
 * `tollgate serve` as a library: reads the credentials, opens the audit store, builds the token
 * verifier, and starts the front ends and the admin listener a config describes.
 */

export interface GatewayOptions {
  config: TollgateConfig;
  logger: Logger;
  /** Where credential environment variables are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * An audit sink to use instead of the config's SQLite store (tests use one that fails).
   * Default: the store at `config.audit.path`.
   */
  audit?: AuditSink;
  /** A verifier to use instead of one built from `config.issuers`. */
  verifier?: TokenVerifier;
}

export interface Gateway {
  snowflake: SnowflakeFrontEnd;
  admin: AdminServer | null;
  /** The SQLite audit store, when the gateway opened it. */
  auditStore: AuditStore | null;
  /**
   * Stops the listeners, ends sessions, and closes the audit store after its last write. Safe
   * to call more than once.
   */
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const credentials = await loadAllCredentials(config, { env: options.env ?? process.env, logger });
  const auditStore = options.audit ? null : openStore(config, logger);
  try {
    return await startListeners(options, credentials, auditStore);
  } catch (error) {
    await auditStore?.close();
    throw error;
  }
}

function openStore(config: TollgateConfig, logger: Logger): AuditStore {
  // Fail-open is decided by the front end, for every sink alike; the store itself fails closed.
  return openAuditStore({
    path: config.audit.path,
    durability: config.audit.durability,
    failOpen: false,
    logger: logger.child({ component: 'audit' }),
  });
}

async function startListeners(
  options: GatewayOptions,
  credentials: Map<string, UpstreamCredentials>,
  auditStore: AuditStore | null,
): Promise<Gateway> {
  const { config, logger } = options;
  const listener = config.listeners.snowflake;
  const snowflake = await startSnowflakeFrontEnd({
    connections: config.connections.map((connection) =>
      snowflakeConnection(connection, credentials),
    ),
    verifier: options.verifier ?? createTokenVerifier(config.issuers, { logger }),
    authorize: (principal, connection) => ({
      role: requireAccess(config, principal, connection).role,
    }),
    audit: options.audit ?? (auditStore as AuditStore),
    bindRecording: config.audit.binds,
    failOpen: config.audit.failOpen,
    logger,
    host: listener.host,
    port: listener.port,
    tls: await readTls(listener),
  });
  const admin = await startAdmin(config, () => [snowflake]).catch(async (error: unknown) => {
    await snowflake.close();
    throw error;
  });
  let closing: Promise<void> | null = null;
  return {
    snowflake,
    admin,
    auditStore,
    // Closing twice (a signal during shutdown, a test's cleanup) waits for the first close.
    close: () => {
      closing ??= closeGateway(snowflake, admin, auditStore, logger);
      return closing;
    },
  };
}

function snowflakeConnection(
  connection: ConnectionConfig,
  credentials: Map<string, UpstreamCredentials>,
): SnowflakeConnection {
  const held = credentials.get(connection.name);
  if (held === undefined) throw new TypeError(`no credentials loaded for ${connection.name}`);
  return {
    name: connection.name,
    upstream: {
      connection: connection.name,
      url: connection.url,
      account: connection.account,
      user: connection.user,
      credential: upstreamCredential(held, connection.account, connection.user),
    },
    warehouse: connection.warehouse,
    database: connection.database,
    schema: connection.schema,
    role: connection.role,
  };
}

async function readTls(listener: ListenerConfig) {
  if (listener.tls === null) return null;
  const [cert, key] = await Promise.all([readFile(listener.tls.cert), readFile(listener.tls.key)]);
  return { cert, key };
}

async function startAdmin(
  config: TollgateConfig,
  engines: () => RunningEngine[],
): Promise<AdminServer | null> {
  const admin = config.listeners.admin;
  return admin === null ? null : startAdminServer(admin.host, admin.port, engines);
}

async function closeGateway(
  snowflake: SnowflakeFrontEnd,
  admin: AdminServer | null,
  auditStore: AuditStore | null,
  logger: Logger,
): Promise<void> {
  await admin?.close();
  await snowflake.close();
  await auditStore?.close();
  logger.info('gateway stopped');
}
