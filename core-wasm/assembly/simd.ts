// Entry of the SIMD build (core-wasm/build/simd.wasm): everything the scalar
// build has, plus the 4-way kernels (compiled with --enable simd).
export * from './scalar'
export { sha256_batch_x4, merkle_tree_x4, pow_search_x4 } from './simd/sha256x4'
