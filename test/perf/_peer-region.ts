/** The region test/perf/_transport-peer.ts serves for the mem benchmark (owner: test key 1, the peer's identity). */
export const BENCH_ASSET = new Uint8Array(32).fill(0xbb)
export const BENCH_REGION_BYTES = 64 * 1024 * 1024
