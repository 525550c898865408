// nat: open-addressing hash table, 128-bit keys -> 64-bit values, in memory
// the host allocates (ts/wasm/nat.ts). Linear probing, backward-shift delete
// (no tombstones), capacity a power of two; the host keeps the load factor
// at most 3/4 and grows by calling nat_rehash, so probes always end.
//
// Slot (32 bytes): key lo u64 | key hi u64 | value u64 | ctrl u64, where
// ctrl = 0 for an empty slot, else (1 << 32) | hash32(key).
// hash32 is MurmurHash3_x86_32 of the 16 key bytes with seed NAT_SEED; the
// TypeScript reference (ts/wasm/nat-reference.ts) uses the same function
// and layout.

const NAT_SEED: u32 = 0x484d0001
const OCCUPIED: u64 = 0x100000000

// @ts-ignore: decorator
@inline function mix (h: u32, k: u32): u32 {
  k *= 0xcc9e2d51
  k = rotl<u32>(k, 15)
  k *= 0x1b873593
  h ^= k
  h = rotl<u32>(h, 13)
  return h * 5 + 0xe6546b64
}

/** MurmurHash3_x86_32 of the 16 bytes at `key`. */
// @ts-ignore: decorator
@inline function natHash (key: usize): u32 {
  let h = mix(NAT_SEED, load<u32>(key))
  h = mix(h, load<u32>(key, 4))
  h = mix(h, load<u32>(key, 8))
  h = mix(h, load<u32>(key, 12))
  h ^= 16
  h ^= h >>> 16
  h *= 0x85ebca6b
  h ^= h >>> 13
  h *= 0xc2b2ae35
  h ^= h >>> 16
  return h
}

/** Slot index holding `key` (hash `h`), or -1. */
// @ts-ignore: decorator
@inline function natFind (tab: usize, mask: u32, key: usize, h: u32): i32 {
  const k0 = load<u64>(key)
  const k1 = load<u64>(key, 8)
  const want = OCCUPIED | <u64>h
  let i = h & mask
  for (let n: u32 = 0; n <= mask; n++) {
    const s = tab + (<usize>i << 5)
    const ctrl = load<u64>(s, 24)
    if (ctrl == 0) return -1
    if (ctrl == want && load<u64>(s) == k0 && load<u64>(s, 8) == k1) return <i32>i
    i = (i + 1) & mask
  }
  return -1
}

/** The hash the table uses for the 16-byte key at `key` (for tests and the host). */
export function nat_hash (key: usize): u32 {
  return natHash(key)
}

/**
 * Inserts or updates the entry at `entry` (16-byte key, then u64 LE value).
 * Returns 1 if the key was new, 0 if its value was replaced, -1 if the table
 * has no empty slot (the host grows it before that can happen).
 */
export function nat_insert (tab: usize, mask: u32, entry: usize): i32 {
  const h = natHash(entry)
  const k0 = load<u64>(entry)
  const k1 = load<u64>(entry, 8)
  const want = OCCUPIED | <u64>h
  let i = h & mask
  for (let n: u32 = 0; n <= mask; n++) {
    const s = tab + (<usize>i << 5)
    const ctrl = load<u64>(s, 24)
    if (ctrl == 0) {
      store<u64>(s, k0)
      store<u64>(s, k1, 8)
      store<u64>(s, load<u64>(entry, 16), 16)
      store<u64>(s, want, 24)
      return 1
    }
    if (ctrl == want && load<u64>(s) == k0 && load<u64>(s, 8) == k1) {
      store<u64>(s, load<u64>(entry, 16), 16)
      return 0
    }
    i = (i + 1) & mask
  }
  return -1
}

/** Inserts `n` entries of 24 bytes each; returns how many keys were new (or -1 if full). */
export function nat_insert_batch (tab: usize, mask: u32, entries: usize, n: u32): i32 {
  let added: i32 = 0
  for (let j: u32 = 0; j < n; j++) {
    const r = nat_insert(tab, mask, entries + <usize>j * 24)
    if (r < 0) return -1
    added += r
  }
  return added
}

/** Looks up the key at `key`; on a hit writes the u64 value at `out` and returns 1, else 0. */
export function nat_get (tab: usize, mask: u32, key: usize, out: usize): i32 {
  const i = natFind(tab, mask, key, natHash(key))
  if (i < 0) return 0
  store<u64>(out, load<u64>(tab + (<usize>i << 5), 16))
  return 1
}

/**
 * Looks up `n` keys (16 bytes each, contiguous at `keys`). Writes each value
 * (0 when absent) to `values` (u64 each) and 1/0 to `found` (u8 each).
 * Returns the number of keys found.
 */
export function nat_get_batch (tab: usize, mask: u32, keys: usize, n: u32, values: usize, found: usize): u32 {
  let hits: u32 = 0
  for (let j: u32 = 0; j < n; j++) {
    const key = keys + (<usize>j << 4)
    const i = natFind(tab, mask, key, natHash(key))
    const out = values + (<usize>j << 3)
    if (i < 0) {
      store<u64>(out, 0)
      store<u8>(found + j, 0)
    } else {
      store<u64>(out, load<u64>(tab + (<usize>i << 5), 16))
      store<u8>(found + j, 1)
      hits++
    }
  }
  return hits
}

/** Removes the key at `key`; returns 1 if it was present. Later entries of its run shift back. */
export function nat_delete (tab: usize, mask: u32, key: usize): i32 {
  let i = natFind(tab, mask, key, natHash(key))
  if (i < 0) return 0
  let hole = <u32>i
  let j = (hole + 1) & mask
  for (let n: u32 = 0; n < mask; n++) {
    const s = tab + (<usize>j << 5)
    const ctrl = load<u64>(s, 24)
    if (ctrl == 0) break
    const home = <u32>ctrl & mask
    // move j into the hole unless its home lies cyclically in (hole, j]
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      memory.copy(tab + (<usize>hole << 5), s, 32)
      hole = j
    }
    j = (j + 1) & mask
  }
  const h = tab + (<usize>hole << 5)
  store<u64>(h, 0)
  store<u64>(h, 0, 8)
  store<u64>(h, 0, 16)
  store<u64>(h, 0, 24)
  return 1
}

/** Moves every entry of the old table into the new one (zeroed, larger); keeps the stored hashes. */
export function nat_rehash (oldTab: usize, oldCap: u32, newTab: usize, newMask: u32): void {
  for (let i: u32 = 0; i < oldCap; i++) {
    const s = oldTab + (<usize>i << 5)
    const ctrl = load<u64>(s, 24)
    if (ctrl == 0) continue
    let k = <u32>ctrl & newMask
    while (load<u64>(newTab + (<usize>k << 5), 24) != 0) k = (k + 1) & newMask
    memory.copy(newTab + (<usize>k << 5), s, 32)
  }
}
