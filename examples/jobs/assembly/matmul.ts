// Numeric kernel: C = A × B for n×n f64 matrices, row-major, little-endian.
// Input:  u32le n ‖ A (n·n f64) ‖ B (n·n f64).  Output: C (n·n f64).
// Sums run k = 0..n-1 in order (no FMA), so results are bit-exact across engines.
export { alloc, output } from './abi'
import { outputBuffer } from './abi'

export function run (ptr: usize, len: i32): i32 {
  if (len < 4) return -1
  const n = <usize>load<u32>(ptr)
  if (n > 4096 || <usize>len != 4 + 16 * n * n) return -1
  const a = ptr + 4
  const b = a + 8 * n * n
  const c = outputBuffer(<i32>(8 * n * n))
  for (let i: usize = 0; i < n; i++) {
    for (let j: usize = 0; j < n; j++) {
      let s: f64 = 0
      for (let k: usize = 0; k < n; k++) {
        s += load<f64>(a + 8 * (i * n + k)) * load<f64>(b + 8 * (k * n + j))
      }
      store<f64>(c + 8 * (i * n + j), s)
    }
  }
  return <i32>(8 * n * n)
}
