/**
 * Deliberate faults for fault-injection testnets and for proving that the
 * chaos checks can fail. Read from `HYPERMESH_TEST_FAULTS` (comma-separated)
 * and honoured only together with `HYPERMESH_TEST_BUILD=1`, so a production
 * node never runs one by accident; a node running any prints a warning.
 *
 * Broken builds (the checks must catch them):
 *  - `ack-before-durable`: reports its own transactions committed, and
 *    applies a decided block, before the block is in the store; the write
 *    happens ~400 ms later (a kill in between loses it).
 *  - `vote-without-persist`: never writes the consensus write-ahead record,
 *    so after a crash it may sign a second, different vote.
 * Byzantine validators (the mesh must tolerate up to f of them):
 *  - `equivocate`: signs and sends two different proposals per round.
 *  - `withhold`: signs votes but never sends them.
 *  - `invalid-proofs`: proposes blocks with a transaction whose proofs do not verify.
 */
import { InvalidArgumentError } from '../../ts/errors.ts'

export const TEST_FAULTS = ['ack-before-durable', 'vote-without-persist', 'equivocate', 'withhold', 'invalid-proofs'] as const
export type TestFault = typeof TEST_FAULTS[number]

export function testFaultsFromEnv (env: Record<string, string | undefined> = process.env): Set<TestFault> {
  const raw = env.HYPERMESH_TEST_FAULTS
  if (raw === undefined || raw.trim() === '') return new Set()
  if (env.HYPERMESH_TEST_BUILD !== '1') throw new InvalidArgumentError('HYPERMESH_TEST_FAULTS is honoured only in test builds (HYPERMESH_TEST_BUILD=1)')
  const out = new Set<TestFault>()
  for (const f of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!(TEST_FAULTS as readonly string[]).includes(f)) throw new InvalidArgumentError(`unknown test fault '${f}' (known: ${TEST_FAULTS.join(', ')})`)
    out.add(f as TestFault)
  }
  return out
}
