// Entry of the scalar build (core-wasm/build/scalar.wasm).
export { heapBase } from './memory'
export * from './sha256'
export * from './pow'
export * from './vdf'
export * from './plot'
export * from './nat'
export * from './pack'
