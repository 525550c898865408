/** Bounds every job decoder and runner enforces. */

/** WASM page size. */
export const WASM_PAGE_BYTES = 65536
/** Largest job module (WASM bytes). */
export const MAX_MODULE_BYTES = 16 * 1024 * 1024
/** Largest JavaScript job source, UTF-8 bytes. */
export const MAX_JS_SOURCE_BYTES = 4 * 1024 * 1024
/** Largest job input. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024
/** Largest memory limit a job may ask for: 1 GiB (16384 pages). */
export const MAX_MEMORY_BYTES = 1024 * 1024 * 1024
/** Smallest memory limit: one WASM page. */
export const MIN_MEMORY_BYTES = WASM_PAGE_BYTES
/** Largest output limit. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024
/** Largest fuel limit: 2^62 (the fuel counter is a signed 64-bit integer). */
export const MAX_FUEL = 1n << 62n
/** Largest wall-time limit: one hour. */
export const MAX_WALL_MS = 3_600_000
/** Largest table a WASM job may declare (elements). */
export const MAX_TABLE_ELEMENTS = 100_000
/** Fuel charged per QuickJS interrupt poll (QuickJS polls about every 10,000 branch/call ticks). */
export const JS_FUEL_PER_POLL = 10_000n
/** Bulk memory operations (memory.fill/copy/init) are charged one fuel per this many bytes. */
export const BULK_BYTES_PER_FUEL_LOG2 = 6
/** Names of the globals the fuel rewriter adds and exports. */
export const FUEL_EXPORT = '__hm_fuel'
export const OOM_EXPORT = '__hm_oom'
export const START_EXPORT = '__hm_start'
/** Version byte of the job encoding. */
export const JOB_VERSION = 1
/** Magic prefix of an encoded job ("hmjob"). */
export const JOB_MAGIC = new Uint8Array([0x68, 0x6d, 0x6a, 0x6f, 0x62])
