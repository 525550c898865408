// Image filter: 3×3 box blur of an RGBA image; R, G and B are blurred, alpha
// is kept. Edge pixels clamp to the border. Each channel = (sum of the 9 + 4) / 9.
// Input:  u32le width ‖ u32le height ‖ width·height·4 bytes.  Output: same size image.
export { alloc, output } from './abi'
import { outputBuffer } from './abi'

export function run (ptr: usize, len: i32): i32 {
  if (len < 8) return -1
  const w = <i32>load<u32>(ptr)
  const h = <i32>load<u32>(ptr + 4)
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384 || <i64>len != 8 + <i64>w * <i64>h * 4) return -1
  const src = ptr + 8
  const size = w * h * 4
  const dst = outputBuffer(size)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = dst + <usize>((y * w + x) * 4)
      for (let ch = 0; ch < 3; ch++) {
        let s: u32 = 0
        for (let dy = -1; dy <= 1; dy++) {
          const yy = min(max(y + dy, 0), h - 1)
          for (let dx = -1; dx <= 1; dx++) {
            const xx = min(max(x + dx, 0), w - 1)
            s += <u32>load<u8>(src + <usize>((yy * w + xx) * 4 + ch))
          }
        }
        store<u8>(o + ch, <u8>((s + 4) / 9))
      }
      store<u8>(o + 3, load<u8>(src + <usize>((y * w + x) * 4 + 3)))
    }
  }
  return size
}
