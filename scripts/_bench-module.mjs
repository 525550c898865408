// Runs one test/perf/<name>.bench.ts module in this process (scripts/bench.mjs
// starts one process per module, so stray timers, sockets or heap from one
// module never touch the next). Progress on stderr; the rows as one JSON line
// on stdout.
import { pathToFileURL } from 'node:url'
const [file, quick] = process.argv.slice(2)
const mod = await import(pathToFileURL(file).href)
const rows = await mod.run({ quick: quick === '1', log: (l) => process.stderr.write(`   ${l}\n`) })
process.stdout.write(JSON.stringify(rows) + '\n')
process.exit(0)
