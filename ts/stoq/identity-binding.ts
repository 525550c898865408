/**
 * The production BindingAuthority: the FALCON-1024 signed NodeId ↔ PeerId
 * binding of ts/identity (createBinding / encodeBinding / decodeBinding /
 * verifyBinding). The transport only sees its bytes.
 */
import { createBinding, encodeBinding, decodeBinding, verifyBinding, nodeIdToHex, MAX_BINDING_ADDRS } from '../identity/index.ts'
import type { Binding, KeyPair } from '../identity/index.ts'
import type { BindingAuthority, BindingCheck } from './binding.ts'

/** Default lifetime of a binding; it is re-signed when less than half remains. */
export const DEFAULT_BINDING_TTL_MS = 24 * 60 * 60 * 1000

/** Signs and encodes a binding of `keyPair` to `peerId` and `addrs` until `expires` (ms). */
export function signBinding (keyPair: KeyPair, b: { peerId: string, addrs: readonly string[], expires: number }): Uint8Array {
  return encodeBinding(createBinding(keyPair, b.peerId, b.addrs.slice(0, MAX_BINDING_ADDRS), b.expires))
}

/** Checks signature, NodeId, expiry and peerId; null when any fails or the bytes are malformed. */
export function checkBinding (encoded: Uint8Array, expectedPeerId: string, now: number): (BindingCheck & { binding: Binding }) | null {
  let binding: Binding
  try {
    binding = decodeBinding(encoded)
  } catch {
    return null
  }
  if (!verifyBinding(binding, { now, expectedPeerId })) return null
  return { nodeId: nodeIdToHex(binding.nodeId), binding }
}

/** A BindingAuthority for a node whose signing key is `keyPair`. */
export function identityBindingAuthority (init: { keyPair: KeyPair, ttlMs?: number, now?: () => number }): BindingAuthority {
  const ttl = init.ttlMs ?? DEFAULT_BINDING_TTL_MS
  const now = init.now ?? Date.now
  let cached: { peerId: string, addrs: string, expires: number, bytes: Uint8Array } | undefined
  return {
    localBinding (peerId: string, addrs: string[]): Uint8Array {
      const t = now()
      const key = addrs.join(' ')
      if (cached !== undefined && cached.peerId === peerId && cached.addrs === key && cached.expires - t > ttl / 2) return cached.bytes
      const expires = t + ttl
      const bytes = signBinding(init.keyPair, { peerId, addrs, expires })
      cached = { peerId, addrs: key, expires, bytes }
      return bytes
    },
    verifyBinding (encoded: Uint8Array, remotePeerId: string, t: number): BindingCheck | null {
      const r = checkBinding(encoded, remotePeerId, t)
      return r === null ? null : { nodeId: r.nodeId }
    }
  }
}
