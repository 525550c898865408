// Loads the AssemblyScript job examples, building them first when missing.
import { buildJobs } from '../../examples/jobs/compile.mjs'

let built: Promise<Record<string, Uint8Array>> | undefined
export function examples (): Promise<Record<string, Uint8Array>> {
  built ??= buildJobs()
  return built
}
