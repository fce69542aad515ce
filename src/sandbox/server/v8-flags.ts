import { setFlagsFromString } from 'node:v8';

/**
 * Keeps WebAssembly at V8's baseline (Liftoff) tier. The SQL transpiler the engine uses is a
 * 22 MB WebAssembly module; once V8 optimizes its hot functions the optimized code adds about
 * 200 MB to the process, while translating a statement stays well under a tenth of a
 * millisecond on baseline code (bench/README.md has the figures). The flag only affects modules
 * compiled after it is set, so this module must be imported before the engine.
 */
setFlagsFromString('--liftoff-only');
