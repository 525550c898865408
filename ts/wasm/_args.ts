/**
 * Argument checks shared by every Kernel implementation, so that all of them
 * reject the same inputs with the same RangeError / TypeError.
 */
import { HASH_BYTES, MAX_NONCE } from './kernel.ts'

export function checkBytes (name: string, value: unknown, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`)
  }
}

export function checkInt (name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`)
  }
}

export function isPowerOfTwo (n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 2 ** 32 && (n & (n - 1)) === 0
}

export function checkBatch (data: Uint8Array, size: number): void {
  checkBytes('data', data)
  checkInt('size', size, 1, 2 ** 31)
  if (data.length % size !== 0) throw new RangeError(`data length ${data.length} is not a multiple of size ${size}`)
}

export function checkPow (prefix: Uint8Array, bits: number, start: number, count: number): void {
  checkBytes('prefix', prefix)
  checkInt('bits', bits, 0, 256)
  checkInt('start', start, 0, MAX_NONCE)
  checkInt('count', count, 0, MAX_NONCE - start)
}

export function checkVdf (seed: Uint8Array, steps: number, k: number): void {
  checkBytes('seed', seed, HASH_BYTES)
  checkInt('k', k, 1, 2 ** 20)
  checkInt('steps', steps, k, MAX_NONCE)
  if (steps % k !== 0) throw new RangeError(`steps ${steps} must be a multiple of k ${k}`)
}

export function checkPlot (seed: Uint8Array, n: number): void {
  checkBytes('seed', seed, HASH_BYTES)
  checkInt('n', n, 1, 2 ** 27)
}

export function checkLeaves (leaves: Uint8Array): number {
  checkBytes('leaves', leaves)
  const n = leaves.length / HASH_BYTES
  if (!isPowerOfTwo(n)) throw new RangeError(`leaf count must be a power of two, got ${leaves.length} bytes`)
  return n
}

export function checkPathArgs (tree: Uint8Array, n: number, index: number): void {
  checkBytes('tree', tree)
  if (!isPowerOfTwo(n)) throw new RangeError(`n must be a power of two, got ${n}`)
  if (tree.length !== (2 * n - 1) * HASH_BYTES) throw new RangeError(`tree must be ${(2 * n - 1) * HASH_BYTES} bytes for n = ${n}`)
  checkInt('index', index, 0, n - 1)
}

export function checkVerifyArgs (leaf: Uint8Array, index: number, path: Uint8Array, root: Uint8Array): number {
  checkBytes('leaf', leaf, HASH_BYTES)
  checkBytes('root', root, HASH_BYTES)
  checkBytes('path', path)
  if (path.length % HASH_BYTES !== 0 || path.length > 32 * HASH_BYTES) throw new RangeError(`path must be a multiple of 32 bytes, at most 32 hashes, got ${path.length}`)
  const height = path.length / HASH_BYTES
  checkInt('index', index, 0, 2 ** height - 1)
  return height
}
