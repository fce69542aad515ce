/**
 * The sandbox's SQL engine: Snowflake SQL on DuckDB, answering in Snowflake's result model.
 * The sandbox server depends on this module only.
 */
export {
  createDuckDbEngine,
  DEFAULT_DATABASE,
  DEFAULT_SCHEMA,
  type DuckDbEngineOptions,
} from './engine.js';
export * from './types.js';
