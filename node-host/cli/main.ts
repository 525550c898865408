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

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export const rootCommand: GroupCommand = {
  name: PROGRAM,
  summary: 'HyperMesh node host',
  description: 'HyperMesh node host: inspect this machine and query a running node.\n\nOptions at the top level: --version, --help.',
  subcommands: [hardwareCommand, statusCommand]
}

/** IO bound to this process; `signal` fires on SIGINT/SIGTERM once a command listens for it. */
export function processIO (): CliIO {
  const ac = new AbortController()
  return {
    stdout: (t) => { process.stdout.write(t) },
    stderr: (t) => { process.stderr.write(t) },
    env: process.env,
    cwd: process.cwd(),
    signal: ac.signal
  }
}

export async function main (argv: string[], io: CliIO = processIO()): Promise<number> {
  return await runCli(PROGRAM, VERSION, rootCommand, argv, io)
}
