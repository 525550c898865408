/**
 * Assets: the resources a node offers (CPU, GPU, memory, storage, network,
 * job slots, economic) as ledger records. An AssetId is SHA-256 of the
 * asset's genesis operation (the `asset.register` transaction without its
 * proof), shown as `<kind>:<hex>`. Records and operations are canonical
 * ts/wire encodings with every length bounded.
 */
import { InvalidArgumentError } from '../errors.ts'
import {
  bytes, enumeration, option, struct, u16, u64, utf8, vector, encodeCanonical, type CoderType
} from '../wire/index.ts'

export const ASSET_KINDS = Object.freeze({ Cpu: 0, Gpu: 1, Memory: 2, Storage: 3, Network: 4, Container: 5, Economic: 6 } as const)
export type AssetKindName = keyof typeof ASSET_KINDS
export type AssetKind = typeof ASSET_KINDS[AssetKindName]

export const ASSET_STATES = Object.freeze({ Available: 0, Allocated: 1, InUse: 2, Suspended: 3, Failed: 4 } as const)
export type AssetStateName = keyof typeof ASSET_STATES
export type AssetState = typeof ASSET_STATES[AssetStateName]

/**
 * Who may allocate and who may address an asset (`allow` is the asset's
 * list of NodeIds, set at registration or by the owner's privacy op):
 *
 * | privacy        | allocate                     | address (translate, read/write)          |
 * |----------------|------------------------------|------------------------------------------|
 * | Private        | owner                        | owner                                    |
 * | PrivateNetwork | owner, allow-list            | owner, allow-list                        |
 * | P2P            | owner, allow-list            | owner and the current allocatee only     |
 * | PublicNetwork  | any node with stake          | any node with stake                      |
 * | FullPublic     | any node with stake          | anyone (read only without stake)         |
 *
 * PrivateNetwork shares an asset among a fixed group; P2P offers it to the
 * named peers one at a time: whoever allocates it holds a private link with
 * the owner, and the other listed peers cannot address it until it is
 * released. "Any node with stake" is any transaction sender (the ledger
 * admits only senders whose stake meets the operation's minimum); for
 * addressing it is a node the ledger shows with stake ≥ 1.
 * What an admitted node may do is `memPermissions` in ts/nat.
 */
export const PRIVACY_LEVELS = Object.freeze({ Private: 0, PrivateNetwork: 1, P2P: 2, PublicNetwork: 3, FullPublic: 4 } as const)
export type PrivacyName = keyof typeof PRIVACY_LEVELS
export type Privacy = typeof PRIVACY_LEVELS[PrivacyName]

export const MAX_ALLOW_LIST = 32
export const MAX_DESCRIPTION_BYTES = 256
/** 12-bit slot index per (owner, kind): the asset part of a GlobalAddress. */
export const MAX_SLOTS_PER_KIND = 4096

const nodeId = bytes(32)
const assetIdCoder = bytes(32)

export const AssetKindCoder = enumeration(ASSET_KINDS, undefined, 'asset kind')
export const AssetStateCoder = enumeration(ASSET_STATES, undefined, 'asset state')
export const PrivacyCoder = enumeration(PRIVACY_LEVELS, undefined, 'privacy')

/** The ledger record of an asset (`asset/<idHex>`). */
export const AssetRecord = struct({
  id: assetIdCoder,
  kind: AssetKindCoder,
  owner: nodeId,
  state: AssetStateCoder,
  privacy: PrivacyCoder,
  /** Units by kind: Cpu cores, Gpu devices, Memory/Storage bytes, Network Mb/s, Container slots, Economic micro-credits. */
  capacity: u64,
  slot: u16,
  allow: vector(nodeId, MAX_ALLOW_LIST),
  allocatedTo: option(nodeId),
  allocatedAmount: u64,
  description: utf8(MAX_DESCRIPTION_BYTES),
  registeredAt: u64
}, 'asset record')
export type AssetRecordValue = CoderType<typeof AssetRecord>

export const RegisterOp = struct({
  kind: AssetKindCoder, capacity: u64, privacy: PrivacyCoder, allow: vector(nodeId, MAX_ALLOW_LIST), description: utf8(MAX_DESCRIPTION_BYTES)
}, 'asset.register')
export const AllocateOp = struct({ asset: assetIdCoder, amount: u64 }, 'asset.allocate')
export const ReleaseOp = struct({ asset: assetIdCoder }, 'asset.release')
export const TransferOp = struct({ asset: assetIdCoder, to: nodeId }, 'asset.transfer')
export const PrivacyOp = struct({ asset: assetIdCoder, privacy: PrivacyCoder, allow: vector(nodeId, MAX_ALLOW_LIST) }, 'asset.privacy')
export const StateOp = struct({ asset: assetIdCoder, state: AssetStateCoder }, 'asset.state')
export const RetireOp = struct({ asset: assetIdCoder }, 'asset.retire')

export const ASSET_TX = Object.freeze({
  register: 'asset.register', allocate: 'asset.allocate', release: 'asset.release',
  transfer: 'asset.transfer', privacy: 'asset.privacy', state: 'asset.state', retire: 'asset.retire'
} as const)

export function encodeRegister (op: CoderType<typeof RegisterOp>): Uint8Array { return encodeCanonical(RegisterOp, op) }
export function encodeAllocate (op: CoderType<typeof AllocateOp>): Uint8Array { return encodeCanonical(AllocateOp, op) }
export function encodeRelease (op: CoderType<typeof ReleaseOp>): Uint8Array { return encodeCanonical(ReleaseOp, op) }
export function encodeTransfer (op: CoderType<typeof TransferOp>): Uint8Array { return encodeCanonical(TransferOp, op) }
export function encodePrivacy (op: CoderType<typeof PrivacyOp>): Uint8Array { return encodeCanonical(PrivacyOp, op) }
export function encodeStateOp (op: CoderType<typeof StateOp>): Uint8Array { return encodeCanonical(StateOp, op) }
export function encodeRetire (op: CoderType<typeof RetireOp>): Uint8Array { return encodeCanonical(RetireOp, op) }

const KIND_NAMES = Object.keys(ASSET_KINDS) as AssetKindName[]
export function kindName (k: AssetKind): AssetKindName { return KIND_NAMES[k] }
export function kindFromName (name: string): AssetKind {
  const k = KIND_NAMES.find((n) => n.toLowerCase() === name.toLowerCase())
  if (k === undefined) throw new InvalidArgumentError(`unknown asset kind '${name}' (one of ${KIND_NAMES.join(', ')})`)
  return ASSET_KINDS[k]
}
const PRIVACY_NAMES = Object.keys(PRIVACY_LEVELS) as PrivacyName[]
export function privacyName (p: Privacy): PrivacyName { return PRIVACY_NAMES[p] }
export function privacyFromName (name: string): Privacy {
  const norm = name.toLowerCase().replace(/[-_ ]/g, '')
  const k = PRIVACY_NAMES.find((n) => n.toLowerCase() === norm)
  if (k === undefined) throw new InvalidArgumentError(`unknown privacy level '${name}' (one of ${PRIVACY_NAMES.join(', ')})`)
  return PRIVACY_LEVELS[k]
}
const STATE_NAMES = Object.keys(ASSET_STATES) as AssetStateName[]
export function stateName (s: AssetState): AssetStateName { return STATE_NAMES[s] }

function hex (b: Uint8Array): string { let s = ''; for (const x of b) s += x.toString(16).padStart(2, '0'); return s }

/** `<kind>:<64 hex>` (kind in lower case). */
export function formatAssetId (kind: AssetKind, id: Uint8Array): string {
  if (!(id instanceof Uint8Array) || id.length !== 32) throw new InvalidArgumentError('an AssetId is 32 bytes')
  return `${kindName(kind).toLowerCase()}:${hex(id)}`
}

/** Parses `<kind>:<64 hex>`; throws InvalidArgumentError naming what is wrong. */
export function parseAssetId (text: string): { kind: AssetKind, id: Uint8Array } {
  if (typeof text !== 'string' || text.length > 100) throw new InvalidArgumentError('an asset id looks like memory:<64 hex digits>')
  const m = /^([A-Za-z]+):([0-9a-fA-F]{64})$/.exec(text)
  if (m === null) throw new InvalidArgumentError(`'${text.slice(0, 80)}' is not an asset id (expected <kind>:<64 hex digits>)`)
  const kind = kindFromName(m[1])
  const id = new Uint8Array(32)
  for (let i = 0; i < 32; i++) id[i] = parseInt(m[2].slice(2 * i, 2 * i + 2), 16)
  return { kind, id }
}
