/**
 * The asset registry as ledger transaction handlers: register, allocate,
 * release, transfer, change privacy, change state. Each operation is a
 * transaction of its own kind carrying its ConsensusProof (the ledger checks
 * the proofs before a handler runs); the handlers enforce ownership, the
 * privacy table (see PRIVACY_LEVELS) and the state machine:
 *
 *   Available --allocate--> Allocated --state InUse (allocatee)--> InUse
 *   Allocated/InUse --release (owner only)--> Available
 *   any --state Suspended/Failed (owner)--> Suspended/Failed --state Available (owner)--> Available
 *   transfer and privacy changes only while Available.
 *   retire (owner, any state): the record is deleted — the asset no longer exists.
 *
 * State keys: `asset/<idHex>` (record), `asset/by-owner/<ownerHex>` (the
 * owner's asset ids), `asset/slot/<ownerHex>/<kind>` (next slot index),
 * `asset-owners` (every node holding at least one asset, for listAssets) and
 * `asset-addr/<node48Hex><slot16Hex>` (asset id at a global address: the
 * owner's first 6 NodeId bytes ‖ 4-bit kind ‖ 12-bit slot).
 *
 * Slots are handed out per (owner, kind) in order and never reused, so a
 * retired asset's address never names a newer asset; a transferred asset
 * takes the new owner's next slot (its address changes with its owner).
 */
import { InvalidArgumentError } from '../errors.ts'
import { decodeCanonical, encodeCanonical, vector, bytes, type Coder } from '../wire/index.ts'
import { operationHash, toHex, type Ledger, type StateReader, type Transaction } from '../ledger/index.ts'
import { TxRejectedError } from '../ledger/ledger.ts'
import type { StateAccess } from '../ledger/state.ts'
import {
  ASSET_KINDS, ASSET_STATES, ASSET_TX, AllocateOp, AssetRecord, MAX_SLOTS_PER_KIND, PRIVACY_LEVELS, PrivacyOp, RegisterOp, ReleaseOp, RetireOp, StateOp, TransferOp,
  type AssetKind, type AssetRecordValue, type AssetState
} from './assets.ts'

export const KEY_ASSET = 'asset/'
export const KEY_BY_OWNER = 'asset/by-owner/'
export const KEY_SLOT = 'asset/slot/'
export const KEY_OWNERS = 'asset-owners'
export const KEY_ADDRESS = 'asset-addr/'
/** Most assets one owner holds. */
export const MAX_ASSETS_PER_OWNER = 1024
/** Most distinct owners (the owner index is one state value: 16384 × 32 B = 512 KiB). */
export const MAX_OWNERS = 16384
/** Largest Memory asset: a global address has a 32-bit offset. */
export const MAX_MEMORY_BYTES = 1n << 32n
/** ts/proofs work kinds: register is a Genesis operation, the others Modify. */
const WORK_GENESIS = 0
const WORK_MODIFY = 1

const IdList = vector(bytes(32), MAX_ASSETS_PER_OWNER)
const OwnerList = vector(bytes(32), MAX_OWNERS)

function reject (msg: string): never { throw new TxRejectedError(msg) }
const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** AssetId of the asset a register transaction creates: SHA-256 of the operation without its proof. */
export function assetIdOf (tx: Omit<Transaction, 'proof'>): Uint8Array {
  return operationHash(tx)
}

export function getAsset (state: StateReader, id: Uint8Array): AssetRecordValue | undefined {
  const b = state.get(KEY_ASSET + toHex(id))
  return b === undefined ? undefined : AssetRecord.decode(b)
}

/** The ids of the assets `owner` holds. */
export function assetsOf (state: StateReader, owner: Uint8Array): Uint8Array[] {
  const b = state.get(KEY_BY_OWNER + toHex(owner))
  return b === undefined ? [] : IdList.decode(b)
}

/** Every node that holds at least one asset, in the order they first did. */
export function assetOwners (state: StateReader): Uint8Array[] {
  const b = state.get(KEY_OWNERS)
  return b === undefined ? [] : OwnerList.decode(b)
}

export interface AssetFilter {
  owner?: Uint8Array
  kind?: AssetKind
  state?: AssetState
}

/** The registered assets (by owner, then registration order), optionally filtered. */
export function listAssets (state: StateReader, filter: AssetFilter = {}): AssetRecordValue[] {
  const owners = filter.owner !== undefined ? [filter.owner] : assetOwners(state)
  const out: AssetRecordValue[] = []
  for (const o of owners) {
    for (const id of assetsOf(state, o)) {
      const a = getAsset(state, id)
      if (a === undefined) continue
      if ((filter.kind === undefined || a.kind === filter.kind) && (filter.state === undefined || a.state === filter.state)) out.push(a)
    }
  }
  return out
}

/** State key of the asset at (owner's first 6 NodeId bytes, kind, slot): the asset part of a global address. */
export function addressKey (node: Uint8Array, kind: number, slot: number): string {
  if (!(node instanceof Uint8Array) || node.length < 6) throw new InvalidArgumentError('node must be at least 6 bytes of a NodeId')
  if (!Number.isInteger(kind) || kind < 0 || kind > 15 || !Number.isInteger(slot) || slot < 0 || slot >= MAX_SLOTS_PER_KIND) throw new InvalidArgumentError('kind must be 0..15 and slot 0..4095')
  return KEY_ADDRESS + toHex(node.subarray(0, 6)) + ((kind << 12) | slot).toString(16).padStart(4, '0')
}

/** The asset a global address names (node prefix, kind, slot), or undefined. */
export function assetAtAddress (state: StateReader, node: Uint8Array, kind: number, slot: number): AssetRecordValue | undefined {
  const id = state.get(addressKey(node, kind, slot))
  if (id === undefined) return undefined
  const a = getAsset(state, id)
  // the index and the record always move together; a mismatch would be a bug, not a reason to answer wrongly
  return a !== undefined && a.kind === kind && a.slot === slot && eq(a.owner.subarray(0, 6), node.subarray(0, 6)) ? a : undefined
}

const isAllowed = (a: AssetRecordValue, who: Uint8Array): boolean => a.allow.some((x) => eq(x, who))
const isAllocatee = (a: AssetRecordValue, who: Uint8Array): boolean => a.allocatedTo !== undefined && eq(a.allocatedTo, who)

/**
 * May `who` address (translate to, read) the asset? The address column of
 * the privacy table in PRIVACY_LEVELS. `who` null is an unknown node;
 * `hasStake` says whether the ledger shows `who` with stake.
 */
export function mayAddress (a: AssetRecordValue, who: Uint8Array | null, hasStake: boolean): boolean {
  if (who !== null && eq(who, a.owner)) return true
  switch (a.privacy) {
    case PRIVACY_LEVELS.Private: return false
    case PRIVACY_LEVELS.PrivateNetwork: return who !== null && isAllowed(a, who)
    case PRIVACY_LEVELS.P2P: return who !== null && isAllocatee(a, who)
    case PRIVACY_LEVELS.PublicNetwork: return who !== null && hasStake
    default: return true
  }
}

/**
 * May `who` allocate the asset? The allocate column of the privacy table.
 * Only senders with stake reach a handler (the ledger checks minStake), so
 * "any node with stake" is any sender.
 */
export function mayAllocate (a: AssetRecordValue, who: Uint8Array): boolean {
  if (eq(who, a.owner)) return true
  switch (a.privacy) {
    case PRIVACY_LEVELS.Private: return false
    case PRIVACY_LEVELS.PrivateNetwork:
    case PRIVACY_LEVELS.P2P: return isAllowed(a, who)
    default: return true
  }
}

function load (state: StateAccess, id: Uint8Array): AssetRecordValue {
  const a = getAsset(state, id)
  if (a === undefined) reject(`no asset ${toHex(id).slice(0, 16)}…`)
  return a
}
function save (state: StateAccess, a: AssetRecordValue): void {
  state.set(KEY_ASSET + toHex(a.id), encodeCanonical(AssetRecord, a))
}
function setOwned (state: StateAccess, owner: Uint8Array, ids: Uint8Array[]): void {
  const k = KEY_BY_OWNER + toHex(owner)
  const had = state.get(k) !== undefined
  if (ids.length === 0) state.delete(k)
  else state.set(k, encodeCanonical(IdList, ids))
  if (had === (ids.length > 0)) return
  const owners = assetOwners(state)
  if (ids.length > 0) {
    if (owners.length >= MAX_OWNERS) reject(`the ledger holds assets of ${MAX_OWNERS} owners already`)
    owners.push(owner)
  } else {
    const i = owners.findIndex((o) => eq(o, owner))
    if (i >= 0) owners.splice(i, 1)
  }
  if (owners.length === 0) state.delete(KEY_OWNERS)
  else state.set(KEY_OWNERS, encodeCanonical(OwnerList, owners))
}

/** Takes the owner's next free slot of `kind` whose address no other asset holds (a 48-bit NodeId prefix can collide). */
function takeSlot (state: StateAccess, owner: Uint8Array, kind: AssetKind, id: Uint8Array): number {
  const slotKey = `${KEY_SLOT}${toHex(owner)}/${kind}`
  const sb = state.get(slotKey)
  let slot = sb === undefined ? 0 : (sb[0] << 8) | sb[1]
  while (slot < MAX_SLOTS_PER_KIND && state.get(addressKey(owner, kind, slot)) !== undefined) slot++
  if (slot >= MAX_SLOTS_PER_KIND) reject(`the owner has used all ${MAX_SLOTS_PER_KIND} slots of kind ${kind}`)
  state.set(slotKey, new Uint8Array([(slot + 1) >> 8, (slot + 1) & 0xff]))
  state.set(addressKey(owner, kind, slot), id)
  return slot
}
/** Only the canonical encoding of an op is accepted: one operation, one byte string (and so one AssetId). */
function decodeOp<T> (coder: Coder<T>, tx: Transaction): T {
  try { return decodeCanonical(coder, tx.op) } catch (err) { return reject(`malformed ${tx.kind} operation: ${(err as Error).message}`) }
}

export interface AssetEvents {
  /** After a block commits, the node learns which assets changed (e.g. to drop address translations). */
  onChange?: (id: Uint8Array, record: AssetRecordValue, tx: string) => void
}

/** Registers the asset transaction kinds on `ledger`. */
export function registerAssets (ledger: Ledger, opts: { minStake?: number } = {}): void {
  const minStake = opts.minStake ?? 1
  ledger.registerHandler(ASSET_TX.register, ({ tx, state, time }) => {
    const op = decodeOp(RegisterOp, tx)
    if (op.capacity === 0n) reject('capacity must be positive')
    if (op.kind === ASSET_KINDS.Memory && op.capacity > MAX_MEMORY_BYTES) reject('a Memory asset holds at most 4 GiB (the offset part of a global address is 32 bits)')
    if (new Set(op.allow.map(toHex)).size !== op.allow.length) reject('allow-list has duplicates')
    const id = assetIdOf(tx)
    if (getAsset(state, id) !== undefined) reject('asset already registered')
    const owned = assetsOf(state, tx.sender)
    if (owned.length >= MAX_ASSETS_PER_OWNER) reject(`owner holds ${MAX_ASSETS_PER_OWNER} assets already`)
    const slot = takeSlot(state, tx.sender, op.kind, id)
    save(state, {
      id, kind: op.kind, owner: tx.sender, state: ASSET_STATES.Available, privacy: op.privacy, capacity: op.capacity, slot,
      allow: op.allow, allocatedTo: undefined, allocatedAmount: 0n, description: op.description, registeredAt: BigInt(time)
    })
    setOwned(state, tx.sender, [...owned, id])
  }, { workKind: WORK_GENESIS, minStake })

  ledger.registerHandler(ASSET_TX.allocate, ({ tx, state }) => {
    const op = decodeOp(AllocateOp, tx)
    const a = load(state, op.asset)
    if (a.state !== ASSET_STATES.Available) reject('asset is not available')
    if (!mayAllocate(a, tx.sender)) reject('privacy does not allow this node to allocate the asset')
    if (op.amount === 0n || op.amount > a.capacity) reject(`amount must be 1..${a.capacity}`)
    save(state, { ...a, state: ASSET_STATES.Allocated, allocatedTo: tx.sender, allocatedAmount: op.amount })
  }, { workKind: WORK_MODIFY, minStake })

  ledger.registerHandler(ASSET_TX.release, ({ tx, state }) => {
    const op = decodeOp(ReleaseOp, tx)
    const a = load(state, op.asset)
    if (a.state !== ASSET_STATES.Allocated && a.state !== ASSET_STATES.InUse) reject('asset is not allocated')
    if (!eq(tx.sender, a.owner)) reject('only the owner releases')
    save(state, { ...a, state: ASSET_STATES.Available, allocatedTo: undefined, allocatedAmount: 0n })
  }, { workKind: WORK_MODIFY, minStake })

  ledger.registerHandler(ASSET_TX.transfer, ({ tx, state }) => {
    const op = decodeOp(TransferOp, tx)
    const a = load(state, op.asset)
    if (!eq(tx.sender, a.owner)) reject('only the owner transfers')
    if (a.state !== ASSET_STATES.Available) reject('only an available asset is transferred')
    if (eq(op.to, a.owner)) reject('transfer to the current owner')
    const theirs = assetsOf(state, op.to)
    if (theirs.length >= MAX_ASSETS_PER_OWNER) reject('the new owner holds too many assets')
    setOwned(state, a.owner, assetsOf(state, a.owner).filter((x) => !eq(x, a.id)))
    setOwned(state, op.to, [...theirs, a.id])
    state.delete(addressKey(a.owner, a.kind, a.slot))
    const slot = takeSlot(state, op.to, a.kind, a.id)
    save(state, { ...a, owner: op.to, slot, allow: [] })
  }, { workKind: WORK_MODIFY, minStake })

  ledger.registerHandler(ASSET_TX.privacy, ({ tx, state }) => {
    const op = decodeOp(PrivacyOp, tx)
    const a = load(state, op.asset)
    if (!eq(tx.sender, a.owner)) reject('only the owner changes privacy')
    if (a.state !== ASSET_STATES.Available) reject('privacy changes only while available')
    if (new Set(op.allow.map(toHex)).size !== op.allow.length) reject('allow-list has duplicates')
    save(state, { ...a, privacy: op.privacy, allow: op.allow })
  }, { workKind: WORK_MODIFY, minStake })

  ledger.registerHandler(ASSET_TX.state, ({ tx, state }) => {
    const op = decodeOp(StateOp, tx)
    const a = load(state, op.asset)
    const owner = eq(tx.sender, a.owner)
    const allocatee = a.allocatedTo !== undefined && eq(tx.sender, a.allocatedTo)
    const S = ASSET_STATES
    const ok =
      (op.state === S.InUse && a.state === S.Allocated && allocatee) ||
      ((op.state === S.Suspended || op.state === S.Failed) && owner && a.state !== op.state) ||
      (op.state === S.Available && owner && (a.state === S.Suspended || a.state === S.Failed))
    if (!ok) reject(`${owner ? 'owner' : allocatee ? 'allocatee' : 'this node'} cannot move the asset from ${a.state} to ${op.state}`)
    const cleared = op.state === S.Available || op.state === S.Failed
    save(state, { ...a, state: op.state, ...(cleared ? { allocatedTo: undefined, allocatedAmount: 0n } : {}) })
  }, { workKind: WORK_MODIFY, minStake })
  registerRetire(ledger, minStake)
}

/** Registers `asset.retire` (part of registerAssets). */
function registerRetire (ledger: Ledger, minStake: number): void {
  ledger.registerHandler(ASSET_TX.retire, ({ tx, state }) => {
    const op = decodeOp(RetireOp, tx)
    const a = load(state, op.asset)
    if (!eq(tx.sender, a.owner)) reject('only the owner retires an asset')
    state.delete(KEY_ASSET + toHex(a.id))
    state.delete(addressKey(a.owner, a.kind, a.slot))
    setOwned(state, a.owner, assetsOf(state, a.owner).filter((x) => !eq(x, a.id)))
  }, { workKind: WORK_MODIFY, minStake })
}

/** Counts of registered assets by kind under a state reader that can list keys (for metrics). */
export function countAssets (entries: Iterable<readonly [string, Uint8Array]>): Map<AssetKind, number> {
  const out = new Map<AssetKind, number>()
  for (const [k, v] of entries) {
    if (!k.startsWith(KEY_ASSET) || k.startsWith(KEY_BY_OWNER) || k.startsWith(KEY_SLOT)) continue
    try { const a = AssetRecord.decode(v); out.set(a.kind, (out.get(a.kind) ?? 0) + 1) } catch { /* not a record */ }
  }
  return out
}

export function checkAssetIdBytes (id: unknown): asserts id is Uint8Array {
  if (!(id instanceof Uint8Array) || id.length !== 32) throw new InvalidArgumentError('an AssetId is 32 bytes')
}
