/** The audit log: event model, the SQLite store, chain verification and export. */
export { canonicalJson, GENESIS_HASH, recordHash } from './chain.js';
export { parseExportLine, verifyExportFile } from './export.js';
export type { StatementView } from './fold.js';
export { newAuditId, SortableIdGenerator } from './ids.js';
export { type AuditSearch, DEFAULT_SEARCH_LIMIT } from './search.js';
export type { ExportRange, StatementDetail } from './sqlite-reader.js';
export {
  type AuditStore,
  type AuditStoreOptions,
  isRecorded,
  openAuditStore,
} from './sqlite-store.js';
export type { StoreVerifyReport, VerifyOptions } from './store-verify.js';
export type * from './types.js';
export {
  type ChainBreak,
  type ChainLink,
  type ChainProblem,
  ChainVerifier,
  type VerifyReport,
} from './verify.js';
export type { AuditDurability, WriterSettings } from './writer-protocol.js';
