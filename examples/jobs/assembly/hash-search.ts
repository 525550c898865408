// Hash search: finds the smallest nonce n in [start, start + count) such
// that SHA-256(prefix ‖ u64be(n)) starts with `bits` zero bits.
// Input:  u8 bits ‖ u64le start ‖ u32le count ‖ prefix (≤ 47 bytes: one SHA-256 block).
// Output: 1 found ‖ u64be nonce ‖ digest(32), or a single 0 byte if none.
// Returns -1 (bad input) if the input is shorter than 13 bytes or the prefix too long.
export { alloc, output } from './abi'
import { outputBuffer } from './abi'

// @ts-ignore: decorator
@lazy const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]

const W = memory.data(64 * 4)
const BLOCK = memory.data(64)
const H = memory.data(32)

// One SHA-256 compression of BLOCK from the IV into H.
function compressOne (): void {
  for (let i = 0; i < 16; i++) {
    store<u32>(W + (i << 2), bswap<u32>(load<u32>(BLOCK + (i << 2))))
  }
  for (let i = 16; i < 64; i++) {
    const w15 = load<u32>(W + ((i - 15) << 2))
    const w2 = load<u32>(W + ((i - 2) << 2))
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3)
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10)
    store<u32>(W + (i << 2), load<u32>(W + ((i - 16) << 2)) + s0 + load<u32>(W + ((i - 7) << 2)) + s1)
  }
  let a: u32 = 0x6a09e667; let b: u32 = 0xbb67ae85; let c: u32 = 0x3c6ef372; let d: u32 = 0xa54ff53a
  let e: u32 = 0x510e527f; let f: u32 = 0x9b05688c; let g: u32 = 0x1f83d9ab; let h: u32 = 0x5be0cd19
  for (let i = 0; i < 64; i++) {
    const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)
    const ch = (e & f) ^ (~e & g)
    const t1 = h + S1 + ch + unchecked(K[i]) + load<u32>(W + (i << 2))
    const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)
    const mj = (a & b) ^ (a & c) ^ (b & c)
    const t2 = S0 + mj
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2
  }
  store<u32>(H, bswap<u32>(a + 0x6a09e667)); store<u32>(H + 4, bswap<u32>(b + 0xbb67ae85))
  store<u32>(H + 8, bswap<u32>(c + 0x3c6ef372)); store<u32>(H + 12, bswap<u32>(d + 0xa54ff53a))
  store<u32>(H + 16, bswap<u32>(e + 0x510e527f)); store<u32>(H + 20, bswap<u32>(f + 0x9b05688c))
  store<u32>(H + 24, bswap<u32>(g + 0x1f83d9ab)); store<u32>(H + 28, bswap<u32>(h + 0x5be0cd19))
}

function leadingZeros (): u32 {
  let n: u32 = 0
  for (let i = 0; i < 8; i++) {
    const w = bswap<u32>(load<u32>(H + (i << 2)))
    if (w == 0) { n += 32; continue }
    return n + <u32>clz<u32>(w)
  }
  return n
}

export function run (ptr: usize, len: i32): i32 {
  if (len < 13 || len - 13 > 47) return -1
  const bits = <u32>load<u8>(ptr)
  const start = load<u64>(ptr + 1)
  const count = <u64>load<u32>(ptr + 9)
  const plen = len - 13
  memory.fill(BLOCK, 0, 64)
  memory.copy(BLOCK, ptr + 13, plen)
  const msgLen = plen + 8
  store<u8>(BLOCK + msgLen, 0x80)
  store<u64>(BLOCK + 56, bswap<u64>(<u64>msgLen * 8))
  const noncePos = BLOCK + plen
  for (let i: u64 = 0; i < count; i++) {
    const n = start + i
    // The nonce may straddle the 0x80 pad byte position only if it overlaps; it does not: it ends at msgLen.
    store<u8>(noncePos, <u8>(n >>> 56)); store<u8>(noncePos + 1, <u8>(n >>> 48))
    store<u8>(noncePos + 2, <u8>(n >>> 40)); store<u8>(noncePos + 3, <u8>(n >>> 32))
    store<u8>(noncePos + 4, <u8>(n >>> 24)); store<u8>(noncePos + 5, <u8>(n >>> 16))
    store<u8>(noncePos + 6, <u8>(n >>> 8)); store<u8>(noncePos + 7, <u8>n)
    compressOne()
    if (leadingZeros() >= bits) {
      const out = outputBuffer(41)
      store<u8>(out, 1)
      store<u64>(out + 1, bswap<u64>(n))
      memory.copy(out + 9, H, 32)
      return 41
    }
  }
  const out = outputBuffer(1)
  store<u8>(out, 0)
  return 1
}
