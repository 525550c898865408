/**
 * The `hypermesh` command line: the composition of every subcommand.
 * `main(argv)` returns the exit code (0 ok, 1 failure, 2 usage error).
 * @module
 */
import { readFileSync } from 'node:fs'
import { runCli } from './framework.ts'
import type { CliIO, GroupCommand } from './framework.ts'
import { PROGRAM } from './constants.ts'
import { hardwareCommand } from './commands/hardware.ts'
import { statusCommand } from './commands/status.ts'
import { upCommand } from './commands/up.ts'
import { keysCommand } from './commands/keys.ts'
import { testnetCommand } from './commands/testnet.ts'
import { genesisCommand } from './commands/genesis.ts'
import { memCommand, assetCommand } from './commands/mem.ts'
import { jobCommand } from './commands/job.ts'

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export const rootCommand: GroupCommand = {
  name: PROGRAM,
  summary: 'HyperMesh node host',
  description: 'HyperMesh node host: run a node, query it, manage its identity, inspect this machine.\n\nOptions at the top level: --version, --help.',
  subcommands: [upCommand, testnetCommand, statusCommand, memCommand, assetCommand, jobCommand, keysCommand, genesisCommand, hardwareCommand]
}

/**
 * IO bound to this process. `signal` fires on the first SIGINT/SIGTERM once a
 * command has read it (commands that never look keep the default: the signal
 * ends the process). A signal more than a second after the first ends the
 * process at once; copies arriving together (a terminal's Ctrl-C reaches npm
 * and the node, and npm forwards it again) count as one request.
 */
export function processIO (): CliIO {
  const ac = new AbortController()
  let installed = false
  const install = (): void => {
    if (installed) return
    installed = true
    let first = 0
    const onSignal = (sig: NodeJS.Signals): void => {
      if (first === 0) { first = Date.now(); ac.abort(new Error(sig)); return }
      if (Date.now() - first < 1000) return
      process.stderr.write(`${PROGRAM}: second ${sig}, exiting now\n`)
      process.exit(130)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  return {
    stdout: (t) => { process.stdout.write(t) },
    stderr: (t) => { process.stderr.write(t) },
    env: process.env,
    cwd: process.cwd(),
    get signal () { install(); return ac.signal }
  }
}

export async function main (argv: string[], io: CliIO = processIO()): Promise<number> {
  return await runCli(PROGRAM, VERSION, rootCommand, argv, io)
}
