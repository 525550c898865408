import { InvalidArgumentError } from '../errors.ts'
import { LINK_TIERS } from './constants.ts'
import type { LinkTier } from './constants.ts'

/** The tier of a link whose measured throughput is `mbps` megabits per second. */
export function classifyLink (mbps: number): Readonly<LinkTier> {
  if (typeof mbps !== 'number' || Number.isNaN(mbps) || mbps < 0) throw new InvalidArgumentError(`mbps must be a number >= 0, got ${String(mbps)}`)
  for (const t of LINK_TIERS) if (mbps < t.maxMbps) return t
  return LINK_TIERS[LINK_TIERS.length - 1]
}
