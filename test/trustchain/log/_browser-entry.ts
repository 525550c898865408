// Browser entry for browser.spec.ts: the real ts/trustchain/log, bundled by
// Vite, checking what a donate page will check before it trusts a hash.
import { openCheckpoint, verifierFromKey, verifyInclusion, hashLeaf, merkleTreeHash, signNote, ed25519SignerFromKey } from '../../../ts/trustchain/log/index.ts'

export interface BrowserInput {
  note: string
  origin: string
  logVkeys: string[]
  cosignerVkeys: string[]
  entryHex: string
  index: number
  proofHex: string[]
  leavesHex: string[]
  peterSkey: string
  peterText: string
}

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16))
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

export function browserCheck (inp: BrowserInput): { size: number, cosignedBy: string[], included: boolean, tamperedIncluded: boolean, vectorRoot: string, peterNote: string } {
  const opened = openCheckpoint(inp.note, {
    origin: inp.origin,
    log: inp.logVkeys.map((k) => verifierFromKey(k)),
    cosigners: inp.cosignerVkeys.map((k) => verifierFromKey(k)),
    quorum: inp.cosignerVkeys.length
  })
  const cp = opened.checkpoint
  const proof = inp.proofHex.map(fromHex)
  const leaf = hashLeaf(fromHex(inp.entryHex))
  const bad = fromHex(inp.entryHex); bad[0] ^= 1
  return {
    size: cp.size,
    cosignedBy: opened.cosignedBy,
    included: verifyInclusion(inp.index, cp.size, leaf, proof, cp.rootHash),
    tamperedIncluded: verifyInclusion(inp.index, cp.size, hashLeaf(bad), proof, cp.rootHash),
    vectorRoot: toHex(merkleTreeHash(inp.leavesHex.map(fromHex))),
    peterNote: signNote(inp.peterText, [ed25519SignerFromKey(inp.peterSkey)])
  }
}
