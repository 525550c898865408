// Linear memory layout: everything below heapBase() belongs to the module's
// static data (each kernel reserves its fixed buffers with memory.data);
// everything from heapBase() up is managed by the TypeScript side
// (ts/wasm/_heap.ts), which grows memory explicitly. No allocator here.

/** First 64-byte-aligned address the host may use. */
export function heapBase (): usize {
  return (__heap_base + 63) & ~<usize>63
}
