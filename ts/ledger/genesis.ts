/**
 * Genesis file: chain id, genesis time, validator set, initial stake
 * allocations and state, proof preset. `parseGenesis` validates a JSON value
 * strictly; `genesisHash` commits to its canonical binary encoding.
 *
 * JSON shape:
 * {
 *   "chainId": "hypermesh-dev",           // 1..64 chars [A-Za-z0-9._-]
 *   "genesisTime": 1767225600000,          // ms since the epoch
 *   "proofPreset": "dev" | "test" | "production",
 *   "validators": [{ "publicKey": "<base64 FALCON-1024 public key>", "power": 1 }],
 *   "allocations": [{ "publicKey": "<base64>", "stake": 1000, "authority": 0, "permissions": 0 }],  // optional
 *   "state": [{ "key": "printable-ascii", "value": "<base64>" }]  // optional
 * }
 */
import { InvalidArgumentError } from '../errors.ts'
import { Writer } from './_codec.ts'
import { computeTxRoot, type Block, type NodeId } from './types.ts'
import { sha256, toHex } from './hash.ts'
import { nodeIdOf } from './node-id.ts'
import { LedgerState, checkKey, type StateEntry } from './state.ts'
import { KEY_NODE, KEY_PLOT, MAX_STATE_VALUE_BYTES, SYSTEM_PREFIX } from './constants.ts'
import { Reader } from './_codec.ts'
import { DecodeError } from '../errors.ts'

export const FALCON1024_PUBLIC_KEY_BYTES = 1793
export const MAX_VALIDATORS = 1024
export const PROOF_PRESETS = ['dev', 'test', 'production'] as const
export type ProofPresetName = typeof PROOF_PRESETS[number]

export interface GenesisValidator {
  publicKey: Uint8Array
  power: number
  nodeId: NodeId
}

/** A node's standing on the ledger (what PoStake is checked against). */
export interface NodeStanding {
  publicKey: Uint8Array
  stake: number
  authority: number
  permissions: number
}

export interface Allocation extends NodeStanding { nodeId: NodeId }

export interface Genesis {
  chainId: string
  genesisTime: number
  proofPreset: ProofPresetName
  validators: readonly GenesisValidator[]
  allocations: readonly Allocation[]
  state: readonly StateEntry[]
  /** SHA-256 of the canonical encoding. */
  hash: Uint8Array
}

export interface GenesisJson {
  chainId: string
  genesisTime: number
  proofPreset: string
  validators: Array<{ publicKey: string, power: number }>
  allocations?: Array<{ publicKey: string, stake: number, authority?: number, permissions?: number }>
  state?: Array<{ key: string, value: string }>
}

function fail (msg: string): never { throw new InvalidArgumentError(`genesis: ${msg}`) }

function b64decode (s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail(`${what} is not base64`)
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function b64encode (b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i])
  return btoa(s)
}

function posInt (v: unknown, what: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(`${what} must be an integer ≥ ${min}`)
  return v
}

/** Validates a parsed JSON genesis (or its text) and returns the typed genesis with its hash. */
export function parseGenesis (input: unknown): Genesis {
  let j: any = input
  if (typeof input === 'string') {
    try { j = JSON.parse(input) } catch (err) { throw new InvalidArgumentError('genesis: not JSON', { cause: err }) }
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) fail('must be an object')
  const known = new Set(['chainId', 'genesisTime', 'proofPreset', 'validators', 'allocations', 'state'])
  for (const k of Object.keys(j)) if (!known.has(k)) fail(`unknown field ${k}`)
  if (typeof j.chainId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(j.chainId)) fail('chainId must be 1..64 of [A-Za-z0-9._-]')
  const genesisTime = posInt(j.genesisTime, 'genesisTime', 0)
  if (!PROOF_PRESETS.includes(j.proofPreset)) fail(`proofPreset must be one of ${PROOF_PRESETS.join(', ')}`)
  if (!Array.isArray(j.validators) || j.validators.length === 0 || j.validators.length > MAX_VALIDATORS) fail(`validators must be 1..${MAX_VALIDATORS} entries`)
  const seen = new Set<string>()
  let total = 0
  const validators: GenesisValidator[] = j.validators.map((v: any, i: number) => {
    if (v === null || typeof v !== 'object') fail(`validators[${i}] must be an object`)
    const publicKey = b64decode(v.publicKey, `validators[${i}].publicKey`)
    if (publicKey.length !== FALCON1024_PUBLIC_KEY_BYTES || publicKey[0] !== 0x0a) fail(`validators[${i}].publicKey is not a FALCON-1024 public key`)
    const power = posInt(v.power, `validators[${i}].power`)
    total += power
    if (!Number.isSafeInteger(total * 3)) fail('total power too large')
    const nodeId = nodeIdOf(publicKey)
    const hex = toHex(nodeId)
    if (seen.has(hex)) fail(`validators[${i}] is a duplicate`)
    seen.add(hex)
    return { publicKey, power, nodeId }
  })
  if (!Array.isArray(j.allocations ?? [])) fail('allocations must be an array')
  const allocations: Allocation[] = (j.allocations ?? []).map((a: any, i: number) => {
    if (a === null || typeof a !== 'object') fail(`allocations[${i}] must be an object`)
    const publicKey = b64decode(a.publicKey, `allocations[${i}].publicKey`)
    if (publicKey.length !== FALCON1024_PUBLIC_KEY_BYTES || publicKey[0] !== 0x0a) fail(`allocations[${i}].publicKey is not a FALCON-1024 public key`)
    const authority = a.authority === undefined ? 0 : posInt(a.authority, `allocations[${i}].authority`, 0)
    const permissions = a.permissions === undefined ? 0 : posInt(a.permissions, `allocations[${i}].permissions`, 0)
    if (authority > 0xffffffff || permissions > 0xffffffff) fail(`allocations[${i}] authority/permissions must be u32`)
    return { nodeId: nodeIdOf(publicKey), publicKey, stake: posInt(a.stake, `allocations[${i}].stake`, 0), authority, permissions }
  })
  const allocSeen = new Set<string>()
  for (const a of allocations) { const h = toHex(a.nodeId); if (allocSeen.has(h)) fail('duplicate allocation'); allocSeen.add(h) }
  if (!Array.isArray(j.state ?? [])) fail('state must be an array')
  const state: StateEntry[] = (j.state ?? []).map((e: any, i: number) => {
    if (e === null || typeof e !== 'object') fail(`state[${i}] must be an object`)
    try { checkKey(e.key) } catch { fail(`state[${i}].key must be printable ASCII`) }
    if (e.key.startsWith(SYSTEM_PREFIX)) fail(`state[${i}].key uses the reserved prefix ${SYSTEM_PREFIX}`)
    const value = b64decode(e.value, `state[${i}].value`)
    if (value.length > MAX_STATE_VALUE_BYTES) fail(`state[${i}].value too large`)
    return [e.key, value] as const
  })
  state.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  for (let i = 1; i < state.length; i++) if (state[i][0] === state[i - 1][0]) fail(`duplicate state key ${state[i][0]}`)
  const g = { chainId: j.chainId, genesisTime, proofPreset: j.proofPreset as ProofPresetName, validators, allocations, state }
  return { ...g, hash: sha256(encodeGenesis(g)) }
}

/** Canonical binary encoding (what `hash` commits to). */
export function encodeGenesis (g: Omit<Genesis, 'hash'>): Uint8Array {
  const w = new Writer(4096)
  w.string('hypermesh/genesis/v1', 64).string(g.chainId, 64).u64(g.genesisTime).string(g.proofPreset, 16)
  w.uvarint(g.validators.length)
  for (const v of g.validators) w.varBytes(v.publicKey, 4096).u64(v.power)
  w.uvarint(g.allocations.length)
  for (const a of g.allocations) w.varBytes(encodeStanding(a), 4096)
  w.uvarint(g.state.length)
  for (const [k, v] of g.state) w.string(k, 256).varBytes(v, MAX_STATE_VALUE_BYTES)
  return w.finish()
}

/** The JSON form of a genesis (inverse of parseGenesis). */
export function genesisToJson (g: Genesis): GenesisJson {
  return {
    chainId: g.chainId,
    genesisTime: g.genesisTime,
    proofPreset: g.proofPreset,
    validators: g.validators.map((v) => ({ publicKey: b64encode(v.publicKey), power: v.power })),
    allocations: g.allocations.map((a) => ({ publicKey: b64encode(a.publicKey), stake: a.stake, authority: a.authority, permissions: a.permissions })),
    state: g.state.map(([key, value]) => ({ key, value: b64encode(value) }))
  }
}

export function u64Bytes (v: number): Uint8Array { return new Writer(8).u64(v).finish() }

export function encodeStanding (s: NodeStanding): Uint8Array {
  return new Writer(1900).varBytes(s.publicKey, 4096).u64(s.stake).u32(s.authority).u32(s.permissions).finish()
}

export function decodeStanding (b: Uint8Array): NodeStanding {
  const r = new Reader(b, 'node standing')
  const s = { publicKey: r.varBytes(4096), stake: r.u64(), authority: r.u32(), permissions: r.u32() }
  r.end()
  return s
}

/** State entry registering plot `index` of `nodeId` (u8 log2Size ‖ root). */
export function plotStateEntry (nodeId: NodeId, index: number, plot: { log2Size: number, root: Uint8Array }): StateEntry {
  return [`${KEY_PLOT}${toHex(nodeId)}/${index}`, new Writer(33).u8(plot.log2Size).fixed(plot.root, 32).finish()]
}

export function decodePlotEntry (b: Uint8Array): { log2Size: number, root: Uint8Array } {
  const r = new Reader(b, 'plot entry'); const p = { log2Size: r.u8(), root: r.fixed(32) }; r.end()
  if (p.log2Size === 0) throw new DecodeError('plot entry: log2Size 0')
  return p
}

/** Initial state: the genesis state entries plus node standings under `sys/node/<nodeId>`. */
export function genesisState (g: Genesis): LedgerState {
  const entries: StateEntry[] = [...g.state]
  for (const a of g.allocations) entries.push([KEY_NODE + toHex(a.nodeId), encodeStanding(a)])
  return LedgerState.fromEntries(entries)
}

/** Block 0: parent = genesis hash, no transactions, the initial state root. */
export function genesisBlock (g: Genesis): Block {
  return {
    height: 0,
    parent: g.hash,
    round: 0,
    proposer: new Uint8Array(32),
    time: g.genesisTime,
    txRoot: computeTxRoot([]),
    stateRoot: genesisState(g).root(),
    txs: []
  }
}
