/**
 * The host side of the kernel's linear memory. Below `heapBase` is the
 * module's static data; above it this class hands out 64-byte-aligned
 * regions (first fit, coalescing on free) and grows memory explicitly.
 *
 * Typed-array views over WASM memory die when memory grows: always take a
 * fresh view from `u8()` / `dv()` after any call that may allocate.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory
  private readonly base: number
  private top: number
  /** Free blocks, sorted by address: [ptr, size]. */
  private readonly free: Array<[number, number]> = []
  private readonly sizes = new Map<number, number>()
  private view: Uint8Array
  private dataView: DataView
  private scratchPtr = 0
  private scratchSize = 0

  constructor (memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory
    this.base = align(heapBase)
    this.top = this.base
    this.view = new Uint8Array(memory.buffer)
    this.dataView = new DataView(memory.buffer)
  }

  /** A live byte view of the whole memory. */
  u8 (): Uint8Array {
    if (this.view.buffer !== this.memory.buffer || this.view.byteLength === 0) {
      this.view = new Uint8Array(this.memory.buffer)
    }
    return this.view
  }

  /** A live DataView of the whole memory. */
  dv (): DataView {
    if (this.dataView.buffer !== this.memory.buffer || this.dataView.byteLength === 0) {
      this.dataView = new DataView(this.memory.buffer)
    }
    return this.dataView
  }

  /** Allocates `bytes` (rounded up to 64) and returns the address. */
  alloc (bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`bytes must be a non-negative integer, got ${bytes}`)
    const size = Math.max(64, align(bytes))
    for (let i = 0; i < this.free.length; i++) {
      const [ptr, fsize] = this.free[i]
      if (fsize >= size) {
        if (fsize === size) this.free.splice(i, 1)
        else this.free[i] = [ptr + size, fsize - size]
        this.sizes.set(ptr, size)
        return ptr
      }
    }
    const ptr = this.top
    this.ensure(ptr + size)
    this.top = ptr + size
    this.sizes.set(ptr, size)
    return ptr
  }

  /** Returns a region from `alloc` to the heap. */
  release (ptr: number): void {
    const size = this.sizes.get(ptr)
    if (size === undefined) throw new RangeError(`release of unknown pointer ${ptr}`)
    this.sizes.delete(ptr)
    let i = 0
    while (i < this.free.length && this.free[i][0] < ptr) i++
    this.free.splice(i, 0, [ptr, size])
    // coalesce with neighbours
    if (i + 1 < this.free.length && this.free[i][0] + this.free[i][1] === this.free[i + 1][0]) {
      this.free[i][1] += this.free[i + 1][1]
      this.free.splice(i + 1, 1)
    }
    if (i > 0 && this.free[i - 1][0] + this.free[i - 1][1] === this.free[i][0]) {
      this.free[i - 1][1] += this.free[i][1]
      this.free.splice(i, 1)
      i--
    }
    // give the last block back to the bump pointer
    const last = this.free[this.free.length - 1]
    if (last !== undefined && last[0] + last[1] === this.top) {
      this.top = last[0]
      this.free.pop()
    }
  }

  /**
   * A temporary region of at least `bytes`, valid until the next `scratch`
   * call. Kernel wrappers use it for inputs and outputs of one call.
   */
  scratch (bytes: number): number {
    if (bytes > this.scratchSize) {
      if (this.scratchSize > 0) this.release(this.scratchPtr)
      const size = Math.max(align(bytes), 64 * 1024)
      this.scratchPtr = this.alloc(size)
      this.scratchSize = size
    }
    return this.scratchPtr
  }

  /** Grows memory so that addresses below `end` are valid. */
  ensure (end: number): void {
    const have = this.memory.buffer.byteLength
    if (end <= have) return
    const pages = Math.ceil((end - have) / 65536)
    this.memory.grow(pages)
  }

  /** Bytes handed out and not yet released. */
  get allocatedBytes (): number {
    let n = 0
    for (const s of this.sizes.values()) n += s
    return n
  }
}

function align (n: number): number {
  return Math.ceil(n / 64) * 64
}
