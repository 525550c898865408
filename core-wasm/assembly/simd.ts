// Entry of the SIMD build (core-wasm/build/simd.wasm): everything the scalar
// build has, plus the 4-way kernels (compiled with --enable simd).
export * from './scalar'
export * from './simd/sha256x4'
