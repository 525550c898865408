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
 *   "allocations": [{ "nodeId": "<64 hex>", "stake": 1000 }],   // optional
 *   "state": [{ "key": "printable-ascii", "value": "<base64>" }]  // optional
 * }
 */
import { InvalidArgumentError } from '../errors.ts'
import { Writer } from './_codec.ts'
import { computeTxRoot, type Block, type NodeId } from './types.ts'
import { fromHex, sha256, toHex } from './hash.ts'
import { nodeIdOf } from './node-id.ts'
import { LedgerState, checkKey, type StateEntry } from './state.ts'
import { KEY_STAKE, MAX_STATE_VALUE_BYTES, SYSTEM_PREFIX } from './constants.ts'

export const FALCON1024_PUBLIC_KEY_BYTES = 1793
export const MAX_VALIDATORS = 1024
export const PROOF_PRESETS = ['dev', 'test', 'production'] as const
export type ProofPresetName = typeof PROOF_PRESETS[number]

export interface GenesisValidator {
  publicKey: Uint8Array
  power: number
  nodeId: NodeId
}

export interface Genesis {
  chainId: string
  genesisTime: number
  proofPreset: ProofPresetName
  validators: readonly GenesisValidator[]
  allocations: ReadonlyArray<{ nodeId: NodeId, stake: number }>
  state: readonly StateEntry[]
  /** SHA-256 of the canonical encoding. */
  hash: Uint8Array
}

export interface GenesisJson {
  chainId: string
  genesisTime: number
  proofPreset: string
  validators: Array<{ publicKey: string, power: number }>
  allocations?: Array<{ nodeId: string, stake: number }>
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
  const allocations = (j.allocations ?? []).map((a: any, i: number) => {
    if (a === null || typeof a !== 'object' || typeof a.nodeId !== 'string' || !/^[0-9a-f]{64}$/.test(a.nodeId)) fail(`allocations[${i}].nodeId must be 64 lowercase hex`)
    return { nodeId: fromHex(a.nodeId), stake: posInt(a.stake, `allocations[${i}].stake`, 0) }
  })
  if (!Array.isArray(j.allocations ?? [])) fail('allocations must be an array')
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
  for (const a of g.allocations) w.fixed(a.nodeId, 32).u64(a.stake)
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
    allocations: g.allocations.map((a) => ({ nodeId: toHex(a.nodeId), stake: a.stake })),
    state: g.state.map(([key, value]) => ({ key, value: b64encode(value) }))
  }
}

export function u64Bytes (v: number): Uint8Array { return new Writer(8).u64(v).finish() }

/** Initial state: the genesis state entries plus stake allocations under `sys/stake/<nodeId>`. */
export function genesisState (g: Genesis): LedgerState {
  const entries: StateEntry[] = [...g.state]
  for (const a of g.allocations) entries.push([KEY_STAKE + toHex(a.nodeId), u64Bytes(a.stake)])
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
