/**
 * Real FALCON-1024 signatures for the simulator, with two process-wide
 * memos that keep seeds fast without faking anything:
 * - verification cache: a (publicKey, domain, message, signature) tuple is
 *   verified once per process (verification is deterministic);
 * - signature memo: a key signs a given (domain, message) once per process;
 *   re-using that valid signature is what a node re-sending its vote does.
 */
import { falcon1024 } from '@noble/post-quantum/falcon.js'
import { concatBytes, sha256, toHex } from '../../ts/ledger/index.ts'

export interface KeyPair { publicKey: Uint8Array, secretKey: Uint8Array }

const te = new TextEncoder()

/** Domain-separated message: utf8(domain) ‖ 0x00 ‖ message. */
export function domainMessage (domain: string, message: Uint8Array): Uint8Array {
  return concatBytes(te.encode(domain), new Uint8Array([0]), message)
}

export class SimCrypto {
  private readonly verified = new Map<string, boolean>()
  private readonly signatures = new Map<string, Uint8Array>()
  counters = { signs: 0, signMemoHits: 0, verifies: 0, verifyCacheHits: 0 }

  sign (key: KeyPair, domain: string, message: Uint8Array): Uint8Array {
    const k = toHex(sha256(concatBytes(key.publicKey, domainMessage(domain, message))))
    const memo = this.signatures.get(k)
    if (memo !== undefined) { this.counters.signMemoHits++; return memo }
    this.counters.signs++
    const sig = falcon1024.sign(domainMessage(domain, message), key.secretKey)
    this.signatures.set(k, sig)
    return sig
  }

  private verifyKey (pk: Uint8Array, domain: string, message: Uint8Array, sig: Uint8Array): string {
    return toHex(sha256(concatBytes(sha256(pk), sha256(domainMessage(domain, message)), sig)))
  }

  verify = (publicKey: Uint8Array, domain: string, message: Uint8Array, signature: Uint8Array): boolean => {
    const k = this.verifyKey(publicKey, domain, message, signature)
    const hit = this.verified.get(k)
    if (hit !== undefined) { this.counters.verifyCacheHits++; return hit }
    this.counters.verifies++
    let ok = false
    try { ok = falcon1024.verify(signature, domainMessage(domain, message), publicKey) } catch { ok = false }
    this.verified.set(k, ok)
    return ok
  }
}

/** Deterministic keys: FALCON-1024 keygen from a 48-byte seed derived from `i`. */
export function simKeyPair (i: number): KeyPair {
  const seed = sha256(te.encode(`hypermesh/sim/key/${i}`))
  return falcon1024.keygen(concatBytes(seed, seed.subarray(0, 16)))
}
