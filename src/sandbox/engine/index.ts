/**
 * The sandbox's SQL engine: Snowflake SQL on DuckDB, answering in Snowflake's result model.
 * The sandbox server depends on this module only.
 */

export { toArrowIpc, toArrowIpcBase64 } from './arrow.js';
export {
  createDuckDbEngine,
  DEFAULT_DATABASE,
  DEFAULT_ROLE,
  DEFAULT_SCHEMA,
  DEFAULT_WAREHOUSE,
  type DuckDbEngineOptions,
} from './engine.js';
export { SQL_ERRORS } from './errors.js';
export { DEFAULT_PARAMETERS } from './parameters.js';
export { type StatementPiece, splitStatementPieces, splitStatements } from './split.js';
export { STATEMENT_TYPE } from './statement-types.js';
export * from './types.js';
