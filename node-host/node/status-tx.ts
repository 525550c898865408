/**
 * The `node.status` transaction: a node's signed resource report (CPU load,
 * free memory, the height it has seen), one per sender per interval. It is
 * what a running node commits on its own — every block of a dev mesh or a
 * testnet carries real asset operations with their four proofs — and it is
 * what a scheduler reads to see who has capacity. State:
 * `node/status/<nodeIdHex>` → the latest encoded report.
 */
import { struct, u16, u32, u64, encodeCanonical } from '../../ts/wire/index.ts'
import { toHex, type Ledger } from '../../ts/ledger/index.ts'
import { TxRejectedError } from '../../ts/ledger/ledger.ts'

export const STATUS_TX_KIND = 'node.status'
export const STATUS_KEY_PREFIX = 'node/status/'
/** ts/proofs WorkKind of a status report (1 = Modify). */
export const STATUS_WORK_KIND = 1

export const StatusReport = struct({
  /** Height of the latest block the sender had finalized when it reported. */
  seenHeight: u64,
  /** 1-minute load average × 100. */
  load100: u32,
  /** Logical cores. */
  cores: u16,
  /** Available memory in MiB. */
  memFreeMiB: u32,
  /** The sender's wall clock, ms since the epoch. */
  time: u64
}, 'status report')
export type StatusReportValue = ReturnType<typeof StatusReport.decode>

export function encodeStatusReport (r: StatusReportValue): Uint8Array {
  return encodeCanonical(StatusReport, r)
}

/** Registers the `node.status` handler: the op must decode and may not claim a height beyond the block's. */
export function registerStatusTx (ledger: Ledger): void {
  ledger.registerHandler(STATUS_TX_KIND, ({ tx, height, state }) => {
    let r: StatusReportValue
    try { r = StatusReport.decode(tx.op) } catch (err) { throw new TxRejectedError(`bad status report: ${(err as Error).message}`) }
    if (r.seenHeight >= BigInt(height)) throw new TxRejectedError(`status report claims height ${r.seenHeight} in block ${height}`)
    state.set(STATUS_KEY_PREFIX + toHex(tx.sender), tx.op)
  }, { workKind: STATUS_WORK_KIND, minStake: 1 })
}
