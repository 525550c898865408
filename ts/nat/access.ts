/**
 * What a node may do to the bytes of a Memory asset it may address
 * (MEM_OPS bits): the ledger record decides, the same on every node.
 *
 * | who                                         | permissions        |
 * |---------------------------------------------|--------------------|
 * | not admitted by the privacy table           | none               |
 * | the owner                                   | all                |
 * | anyone else, asset Failed                   | none               |
 * | anyone else, asset Suspended                | read               |
 * | the allocatee, asset Allocated/InUse        | all                |
 * | others, asset Allocated/InUse               | read               |
 * | others, asset Available, with stake         | all                |
 * | others without stake (FullPublic only)      | read               |
 *
 * An allocation is a write lease: while someone holds it, only the owner and
 * the allocatee change the bytes.
 */
import { ASSET_STATES, mayAddress, type AssetRecordValue } from '../assets/index.ts'
import { ALL_MEM_OPS, MEM_OPS } from './constants.ts'

const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** MEM_OPS bits `who` (null: an unknown node) holds on the asset; 0 when it may not address it. */
export function memPermissions (a: AssetRecordValue, who: Uint8Array | null, hasStake: boolean): number {
  if (!mayAddress(a, who, hasStake)) return 0
  if (who !== null && eq(who, a.owner)) return ALL_MEM_OPS
  switch (a.state) {
    case ASSET_STATES.Failed: return 0
    case ASSET_STATES.Suspended: return MEM_OPS.read
    case ASSET_STATES.Allocated:
    case ASSET_STATES.InUse:
      return who !== null && a.allocatedTo !== undefined && eq(a.allocatedTo, who) ? ALL_MEM_OPS : MEM_OPS.read
    default:
      return who !== null && hasStake ? ALL_MEM_OPS : MEM_OPS.read
  }
}
