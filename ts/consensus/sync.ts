/**
 * State sync: serving certified blocks / a state snapshot from a BlockStore,
 * and checking what a peer sent before it is applied. A lagging or restarted
 * node asks a peer (the engine's `request-sync` action) from its next height;
 * each block comes with the certificate that finalized it, verified against
 * the genesis validator set before the ledger validates and commits it. A node
 * far behind installs a snapshot at height h instead, accepted only when the
 * entries hash to the stateRoot of a certified block h.
 */
import { blockHash, type Block, type BlockStore, type CommitCertificate, type Ledger } from '../ledger/index.ts'
import { verifyCommitCertificate, type SignatureVerify } from './certificate.ts'
import { MAX_SYNC_BLOCKS } from './constants.ts'
import type { SnapshotResponse, SyncRequest, SyncResponse } from './messages.ts'
import type { ValidatorSet } from './validators.ts'

/** Gap above which a responder sends a snapshot instead of blocks. */
export const SNAPSHOT_GAP = 64

/** Answers a sync request from `store`: blocks + certificates, or a snapshot when the gap is large or the blocks are gone. */
export async function serveSync (store: BlockStore, req: SyncRequest): Promise<SyncResponse | SnapshotResponse | null> {
  const top = await store.latestHeight()
  const base = await store.baseHeight()
  if (req.fromHeight > top) return null
  if (req.fromHeight <= base || top - req.fromHeight >= SNAPSHOT_GAP) return await serveSnapshot(store)
  const blocks: Array<{ block: Block, cert: CommitCertificate }> = []
  const max = Math.min(req.max, MAX_SYNC_BLOCKS)
  for (let h = req.fromHeight; h <= top && blocks.length < max; h++) {
    const sb = await store.getByHeight(h)
    if (sb?.cert === undefined) break
    blocks.push({ block: sb.block, cert: sb.cert })
  }
  return blocks.length > 0 ? { type: 'sync-response', blocks } : null
}

export async function serveSnapshot (store: BlockStore): Promise<SnapshotResponse | null> {
  const top = await store.latestHeight()
  const sb = await store.getByHeight(top)
  if (sb?.cert === undefined) return null
  return { type: 'snapshot-response', block: sb.block, cert: sb.cert, entries: await store.stateSnapshot() }
}

export interface SyncContext {
  chainId: string
  validators: ValidatorSet
  verify: SignatureVerify
}

/**
 * Applies certified blocks in order to `ledger`: each certificate must verify
 * for exactly that block and height, and the block must pass full validation.
 * Stops at the first bad one. Returns the number of blocks committed.
 */
export async function applySyncResponse (ledger: Ledger, resp: SyncResponse, ctx: SyncContext): Promise<number> {
  let applied = 0
  for (const { block, cert } of resp.blocks) {
    if (block.height !== ledger.height + 1) continue
    const c = verifyCommitCertificate(cert, ctx.validators, ctx.chainId, ctx.verify, { height: block.height, blockHash: blockHash(block) })
    if (!c.ok) break
    if (!ledger.validateBlock(block).ok) break
    await ledger.commit(block, cert)
    applied++
  }
  return applied
}

/** Installs a snapshot after verifying its certificate; false when the certificate or the state root does not check out. */
export async function applySnapshot (ledger: Ledger, resp: SnapshotResponse, ctx: SyncContext): Promise<boolean> {
  if (resp.block.height <= ledger.height) return false
  const c = verifyCommitCertificate(resp.cert, ctx.validators, ctx.chainId, ctx.verify, { height: resp.block.height, blockHash: blockHash(resp.block) })
  if (!c.ok) return false
  try { await ledger.installSnapshot(resp.block, resp.cert, resp.entries) } catch { return false }
  return true
}
