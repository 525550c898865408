/**
 * What stoq needs from the identity layer to admit peers: the node's own
 * signed binding record `{nodeId, peerId, addrs, expires}` and a check of a
 * remote one. ts/identity provides the real implementation
 * (`identityBindingAuthority` in ./identity-binding.ts); the transport only
 * sees encoded bytes.
 */

export interface BindingCheck {
  /** The remote's NodeId (lowercase hex) when the binding verifies. */
  nodeId: string
}

export interface BindingAuthority {
  /**
   * The encoded, FALCON-signed binding this node presents on every
   * connection, for its libp2p `peerId` (string form) and listen `addrs`.
   * Called at start and whenever stoq needs a fresh one (implementations
   * cache it and re-sign before it expires).
   */
  localBinding: (peerId: string, addrs: string[]) => Uint8Array | Promise<Uint8Array>
  /**
   * Verifies a remote binding: signature, expiry against `now` (ms since the
   * epoch), and that its peerId is `remotePeerId` (the connection's
   * authenticated remote PeerId). Returns null when it does not verify,
   * including malformed bytes; never throws for remote input.
   */
  verifyBinding: (bytes: Uint8Array, remotePeerId: string, now: number) => BindingCheck | null | Promise<BindingCheck | null>
}

/** Why a peer was not admitted or was dropped. */
export const DROP_REASONS = Object.freeze({
  /** Its binding did not verify (signature, expiry, peerId mismatch, malformed). */
  bindingInvalid: 'binding-invalid',
  /** No binding arrived within the binding timeout. */
  bindingTimeout: 'binding-timeout',
  /** It flooded past its rate limits. */
  rateLimit: 'rate-limit',
  /** It belongs to another chain (its hello named another genesis). */
  wrongChain: 'wrong-chain',
  /** Its connections closed. */
  disconnected: 'disconnected'
} as const)
export type DropReason = typeof DROP_REASONS[keyof typeof DROP_REASONS]
