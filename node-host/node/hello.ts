/**
 * The hello exchange (`/hypermesh/hello/1.0.0`): right after admission each
 * side sends {chainId, genesisHash, height}. A peer of another chain — a
 * different or tampered genesis — is dropped and banned; a peer ahead of us
 * is a source for state sync.
 */
import { bytes, struct, u64, utf8, encodeCanonical } from '../../ts/wire/index.ts'

export const HelloMessage = struct({
  chainId: utf8(64),
  genesisHash: bytes(32),
  height: u64
}, 'hello')

export function encodeHello (h: ReturnType<typeof HelloMessage.decode>): Uint8Array {
  return encodeCanonical(HelloMessage, h)
}
