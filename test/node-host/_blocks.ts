/** Deterministic test chains for BlockStore suites: block h depends only on h and the chain before it. */
import { sha256 } from '@noble/hashes/sha2.js'
import { blockHash, computeTxRoot, ZERO_HASH } from '../../ts/ledger/index.ts'
import type { Block, CommitCertificate, StateWrite, Transaction } from '../../ts/ledger/index.ts'

const enc = new TextEncoder()
const seeded = (label: string, n: number): Uint8Array => {
  const out = new Uint8Array(n)
  let block = sha256(enc.encode(label)); let o = 0
  while (o < n) { out.set(block.subarray(0, Math.min(32, n - o)), o); o += 32; block = sha256(block) }
  return out
}

export const PROPOSER = seeded('proposer', 32)

export function genesisBlock (): Block {
  return { height: 0, parent: ZERO_HASH, round: 0, proposer: new Uint8Array(32), time: 1_767_225_600_000, txRoot: computeTxRoot([]), stateRoot: seeded('genesis-state', 32), txs: [] }
}

/** Block `height` on top of `parent`, with `height % 4` transactions whose bytes derive from the height. */
export function nextBlock (parent: Block): Block {
  const height = parent.height + 1
  const txs: Transaction[] = []
  for (let i = 0; i < height % 4; i++) {
    txs.push({ kind: 'asset', sender: seeded(`sender ${i}`, 32), sequence: height * 10 + i, op: seeded(`op ${height}/${i}`, 40 + i * 13), proof: seeded(`proof ${height}/${i}`, 200 + height) })
  }
  return { height, parent: blockHash(parent), round: height % 3, proposer: PROPOSER, time: parent.time + 1000, txRoot: computeTxRoot(txs), stateRoot: seeded(`state ${height}`, 32), txs }
}

/** A certificate naming `block` (signature bytes are opaque to the store). */
export function certFor (block: Block): CommitCertificate {
  return { height: block.height, round: block.round, blockHash: blockHash(block), signatures: [0, 1, 2].map((v) => ({ validator: v, signature: seeded(`sig ${block.height}/${v}`, 666) })) }
}

/** State writes of block h: set test/h/<h> to its hash, and delete test/h/<h-2> every third block. */
export function writesFor (block: Block): StateWrite[] {
  const w: StateWrite[] = [[`test/h/${String(block.height).padStart(8, '0')}`, blockHash(block)]]
  if (block.height % 3 === 0 && block.height >= 2) w.push([`test/h/${String(block.height - 2).padStart(8, '0')}`, null])
  return w
}
