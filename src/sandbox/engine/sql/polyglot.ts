/**
 * polyglot-sql as the engine uses it. Every engine module reaches polyglot-sql through this one,
 * so the WebAssembly compiler settings (wasm-flags.ts) are in place before it loads: imports are
 * evaluated in the order they are written.
 */
import './wasm-flags.js';

export { Dialect, generate, parse, tokenize, transpile } from '@polyglot-sql/sdk';
