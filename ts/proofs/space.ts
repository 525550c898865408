/**
 * PoSpace (WHERE): challenges derived from the operation and the anchor
 * block open L[c], L[c-1], L[p(c)] of the node's registered plot with
 * Merkle paths; the verifier recomputes p(c) from L[c-1], checks
 * L[c] = H(seed ‖ u64be(c) ‖ L[c-1] ‖ L[p(c)]) and the three paths against
 * the registered root. The network position rides along (signed by PoStake).
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { HASH_BYTES, MAX_ADDRESS_BYTES, MAX_SPACE_CHALLENGES, MAX_ZONE_BYTES, PROOF_DOMAINS } from './constants.ts'
import type { PlotStore } from './plot.ts'
import { plotSeed, readOpening } from './plot.ts'
import type { NetworkPosition, RegisteredPlot, SpaceOpening, SpaceProof } from './types.ts'
import { bytesEqual, concatBytes, isBytes, u32be, u64be, u64Mod } from './_util.ts'

/**
 * The challenged leaves c_j = 1 + (u64be(H(D ‖ opHash ‖ anchor ‖ u32be(j))[0..8]) mod (n − 1)),
 * j = 0..count−1; c ≥ 1 so that L[c−1] and p(c) exist.
 */
export function spaceChallenges (kernel: Kernel, opHash: Uint8Array, anchor: Uint8Array, log2Size: number, count: number): number[] {
  if (!isBytes(opHash, HASH_BYTES) || !isBytes(anchor, HASH_BYTES)) throw new InvalidArgumentError('opHash and anchor must be 32 bytes')
  if (!Number.isInteger(count) || count < 0 || count > MAX_SPACE_CHALLENGES) throw new InvalidArgumentError(`count ${count} out of range`)
  const n = 2 ** log2Size
  const buf = concatBytes(PROOF_DOMAINS.spaceChallenge, opHash, anchor, u32be(0))
  const out: number[] = []
  for (let j = 0; j < count; j++) {
    buf.set(u32be(j), buf.length - 4)
    out.push(1 + u64Mod(kernel.sha256(buf), 0, n - 1))
  }
  return out
}

/** p(i) of the labelling (ts/wasm/reference.ts plotParent): u64be(prev[0..8]) mod i, i ≥ 1. */
export function plotParentOf (prev: Uint8Array, i: number): number {
  return u64Mod(prev, 0, i)
}

/** The label relation: H(seed ‖ u64be(i) ‖ prev ‖ parent). */
export function labelOf (kernel: Kernel, seed: Uint8Array, i: number, prev: Uint8Array, parent: Uint8Array): Uint8Array {
  return kernel.sha256(concatBytes(seed, u64be(i), prev, parent))
}

export function checkPosition (position: NetworkPosition): void {
  if (typeof position?.zone !== 'string' || new TextEncoder().encode(position.zone).length > MAX_ZONE_BYTES) throw new InvalidArgumentError(`position.zone must be a string of at most ${MAX_ZONE_BYTES} UTF-8 bytes`)
  if (!isBytes(position.address) || position.address.length > MAX_ADDRESS_BYTES) throw new InvalidArgumentError(`position.address must be at most ${MAX_ADDRESS_BYTES} bytes`)
}

/** Answers the challenges for (opHash, anchor) from a stored plot. */
export async function proveSpace (kernel: Kernel, store: PlotStore, opHash: Uint8Array, anchor: Uint8Array, count: number, position: NetworkPosition): Promise<SpaceProof> {
  checkPosition(position)
  const { log2Size, plotIndex } = store.info
  const openings: SpaceOpening[] = []
  for (const c of spaceChallenges(kernel, opHash, anchor, log2Size, count)) {
    const cur = await readOpening(store, c)
    const prev = await readOpening(store, c - 1)
    const parent = await readOpening(store, plotParentOf(prev.label, c))
    openings.push({ label: cur.label, labelPath: cur.path, prevLabel: prev.label, prevPath: prev.path, parentLabel: parent.label, parentPath: parent.path })
  }
  return { plotIndex, log2Size, position: { zone: position.zone, address: position.address.slice() }, openings }
}

/**
 * Checks every opening against the registered plot. `minLog2Size` is the
 * smallest plot the parameters accept, `challenges` how many openings they require.
 */
export function verifySpace (
  kernel: Kernel, proof: SpaceProof, opHash: Uint8Array, anchor: Uint8Array, nodeId: Uint8Array,
  registered: RegisteredPlot, challenges: number, minLog2Size: number
): boolean {
  const { log2Size } = proof
  if (log2Size !== registered.log2Size || log2Size < minLog2Size || !isBytes(registered.root, HASH_BYTES)) return false
  if (proof.openings.length !== challenges) return false
  const pathBytes = log2Size * HASH_BYTES
  const seed = plotSeed(kernel, nodeId, proof.plotIndex, log2Size)
  const cs = spaceChallenges(kernel, opHash, anchor, log2Size, challenges)
  const root = registered.root
  for (let j = 0; j < challenges; j++) {
    const o = proof.openings[j]
    const c = cs[j]
    if (!isBytes(o.label, HASH_BYTES) || !isBytes(o.prevLabel, HASH_BYTES) || !isBytes(o.parentLabel, HASH_BYTES)) return false
    if (!isBytes(o.labelPath, pathBytes) || !isBytes(o.prevPath, pathBytes) || !isBytes(o.parentPath, pathBytes)) return false
    const p = plotParentOf(o.prevLabel, c)
    if (!bytesEqual(labelOf(kernel, seed, c, o.prevLabel, o.parentLabel), o.label)) return false
    if (!kernel.merkleVerify(o.label, c, o.labelPath, root)) return false
    // For odd c, c−1 is c's sibling: when the two paths agree above the leaf
    // level (and each names the other's label), they recompute the same root,
    // so one check covers both.
    const shared = (c & 1) === 1 && bytesEqual(o.prevPath.subarray(0, HASH_BYTES), o.label) &&
      bytesEqual(o.labelPath.subarray(0, HASH_BYTES), o.prevLabel) && bytesEqual(o.prevPath.subarray(HASH_BYTES), o.labelPath.subarray(HASH_BYTES))
    if (!shared && !kernel.merkleVerify(o.prevLabel, c - 1, o.prevPath, root)) return false
    if (!kernel.merkleVerify(o.parentLabel, p, o.parentPath, root)) return false
  }
  return true
}
