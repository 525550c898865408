// HyperMesh job ABI helpers (docs/vm.md): the host calls alloc(inputLen),
// writes the input there, calls run(ptr, len) -> outputLen, then reads
// outputLen bytes at output(). With --runtime stub, heap.alloc is a bump
// allocator on top of the static data; nothing is ever freed (a job is one call).

let outPtr: usize = 0

export function alloc (len: i32): usize {
  return heap.alloc(<usize>max(len, 1))
}

export function output (): usize {
  return outPtr
}

/** Reserves `len` output bytes and remembers where they are. */
export function outputBuffer (len: i32): usize {
  outPtr = heap.alloc(<usize>max(len, 1))
  return outPtr
}

export function loadU32LE (p: usize): u32 {
  return load<u32>(p)
}
