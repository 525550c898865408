// Entry of the scalar build (core-wasm/build/scalar.wasm). Kernel exports are
// listed by name so that module-internal helpers and globals stay private.
export { heapBase } from './memory'
export { sha256_init, sha256_compress, sha256_update, sha256_final, sha256_digest, sha256_batch } from './sha256'
export { pow_search } from './pow'
export { vdf_segment, vdf_chain } from './vdf'
export { plot_labels, merkle_tree, merkle_verify } from './plot'
export * from './nat'
export * from './pack'
