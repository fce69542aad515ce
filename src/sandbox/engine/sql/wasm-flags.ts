import { setFlagsFromString } from 'node:v8';

/**
 * polyglot-sql is a 22 MB WebAssembly module. By default V8 compiles it lazily and then
 * recompiles hot functions with its optimizing compiler in background threads, which for this
 * module costs some 250 MB of memory and seconds of CPU, competing with DuckDB while the first
 * large results stream. Its baseline compiler alone keeps the process near 130 MB and
 * translates statements as fast on small machines; translations are cached anyway.
 *
 * The flag must be set before the module is compiled, so this module has no imports V8 could
 * evaluate first, and polyglot.ts imports it ahead of polyglot-sql.
 */
setFlagsFromString('--liftoff-only');
