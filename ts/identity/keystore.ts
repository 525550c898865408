/**
 * Where a node keeps its identity: the FALCON-1024 key pair (NodeId) and the
 * libp2p Ed25519 private key (PeerId, protobuf bytes). Hosts implement the
 * interface (node-host: keys.json mode 0600; browser-host: IndexedDB). A
 * damaged keystore is an error that names where it is — never a silent new
 * identity.
 */
import { generateKeyPair, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES } from './falcon.ts'
import type { KeyPair } from './falcon.ts'

export interface StoredIdentity {
  readonly falcon: KeyPair
  /** libp2p private key, protobuf-encoded (`privateKeyToProtobuf`). */
  readonly libp2pPrivateKey: Uint8Array
}

export interface Keystore {
  /** Human-readable location, used in errors (a path, a database name). */
  readonly location: string
  /** The stored identity, or null when none was ever saved. Throws KeystoreError when damaged. */
  load: () => Promise<StoredIdentity | null>
  save: (id: StoredIdentity) => Promise<void>
}

/** A keystore that exists but cannot be used: corrupt, unreadable, or unsafe permissions. */
export class KeystoreError extends Error {
  static override readonly name = 'KeystoreError'
  override readonly name = 'KeystoreError'
  readonly location: string
  constructor (location: string, message: string, options?: ErrorOptions) {
    super(`${location}: ${message}`, options)
    this.location = location
  }
}

/** The JSON form of a stored identity (base64 fields). */
export interface IdentityRecord {
  version: 1
  falcon: { publicKey: string, secretKey: string }
  libp2pPrivateKey: string
}

/** Longest protobuf private key accepted (Ed25519 is 68 bytes; RSA keys are larger). */
const MAX_LIBP2P_KEY_BYTES = 8192

export function identityToRecord (id: StoredIdentity): IdentityRecord {
  return {
    version: 1,
    falcon: { publicKey: toBase64(id.falcon.publicKey), secretKey: toBase64(id.falcon.secretKey) },
    libp2pPrivateKey: toBase64(id.libp2pPrivateKey)
  }
}

/** Parses and checks a record; throws KeystoreError naming `location` on any defect. */
export function identityFromRecord (location: string, raw: unknown): StoredIdentity {
  const r = raw as Partial<IdentityRecord> | null
  if (r === null || typeof r !== 'object') throw new KeystoreError(location, 'not an identity record (expected a JSON object)')
  if (r.version !== 1) throw new KeystoreError(location, `unsupported identity record version ${JSON.stringify(r.version)}`)
  const pk = fromBase64(location, 'falcon.publicKey', r.falcon?.publicKey, PUBLIC_KEY_BYTES)
  const sk = fromBase64(location, 'falcon.secretKey', r.falcon?.secretKey, SECRET_KEY_BYTES)
  const lk = fromBase64(location, 'libp2pPrivateKey', r.libp2pPrivateKey)
  if (lk.length === 0 || lk.length > MAX_LIBP2P_KEY_BYTES) throw new KeystoreError(location, `libp2pPrivateKey has ${lk.length} bytes`)
  return Object.freeze({ falcon: Object.freeze({ publicKey: pk, secretKey: sk }), libp2pPrivateKey: lk })
}

/**
 * Loads the identity, or creates, saves and returns a new one when the
 * keystore is empty. `newLibp2pKey` makes the transport key (hosts pass
 * libp2p's Ed25519 generator, protobuf-encoded).
 */
export async function loadOrCreateIdentity (ks: Keystore, newLibp2pKey: () => Promise<Uint8Array> | Uint8Array): Promise<{ identity: StoredIdentity, created: boolean }> {
  const existing = await ks.load()
  if (existing !== null) return { identity: existing, created: false }
  const identity: StoredIdentity = Object.freeze({ falcon: generateKeyPair(), libp2pPrivateKey: await newLibp2pKey() })
  await ks.save(identity)
  return { identity, created: true }
}

function toBase64 (b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000))
  return btoa(s)
}

function fromBase64 (location: string, field: string, v: unknown, length?: number): Uint8Array {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw new KeystoreError(location, `${field} is missing or not base64`)
  const s = atob(v)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  if (length !== undefined && out.length !== length) throw new KeystoreError(location, `${field} must be ${length} bytes, has ${out.length}`)
  return out
}
