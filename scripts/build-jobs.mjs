#!/usr/bin/env node
// Builds the AssemblyScript job examples into examples/jobs/build/*.wasm
// (gitignored; the VM tests build them too when missing). `--force` rebuilds all.
import { buildJobs } from '../examples/jobs/compile.mjs'

const t0 = performance.now()
const built = await buildJobs({ force: process.argv.includes('--force'), log: (l) => console.log(l) })
for (const [name, bytes] of Object.entries(built)) console.log(`${name}.wasm  ${bytes.length} bytes`)
console.log(`job examples ready in ${Math.round(performance.now() - t0)} ms`)
