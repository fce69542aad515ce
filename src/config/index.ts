export { ConfigError, type ConfigIssue } from './errors.js';
export { loadConfig, parseConfig } from './load.js';
export { CLAIM_PRESETS } from './presets.js';
export * from './types.js';
