/**
 * A small command-line framework on node:util parseArgs: nested commands,
 * `--help` everywhere, strict flags (unknown flag or command = exit code 2),
 * and one output sink so commands can be run in-process by tests.
 */
import { parseArgs } from 'node:util'

/** Wrong command line: the caller made a mistake. Exit code 2. */
export class UsageError extends Error {
  static override readonly name = 'UsageError'
  override readonly name = 'UsageError'
  readonly command: string
  constructor (message: string, command: string) { super(message); this.command = command }
}

/** The command ran but failed (no node answering, missing file ...). Exit code 1. */
export class CommandError extends Error {
  static override readonly name = 'CommandError'
  override readonly name = 'CommandError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

export interface CliIO {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Fires when the process is asked to stop (SIGINT/SIGTERM). */
  signal: AbortSignal
}

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  default?: string | boolean
  /** Placeholder in help, e.g. "DIR". */
  value?: string
  help: string
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface CommandContext {
  values: ParsedValues
  positionals: string[]
  io: CliIO
  /** Writes `data` as JSON (with --json) or the human text `human(data)`. */
  print: <T>(data: T, human: (d: T) => string) => void
}

export interface LeafCommand {
  name: string
  summary: string
  /** Extra lines under the usage line. */
  description?: string
  /** Positional arguments as shown in usage, e.g. "[FILE]". */
  args?: string
  /** Maximum positionals accepted (default 0). */
  maxPositionals?: number
  options?: Record<string, OptionSpec>
  examples?: string[]
  run: (ctx: CommandContext) => Promise<number>
}

export interface GroupCommand {
  name: string
  summary: string
  description?: string
  subcommands: Command[]
}

export type Command = LeafCommand | GroupCommand

function isGroup (c: Command): c is GroupCommand { return 'subcommands' in c }

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' }

function optionLines (options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const left = `${o.short !== undefined ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : ''
    const rep = o.multiple === true ? ' (repeatable)' : ''
    return [left, o.help + def + rep] as const
  })
  const w = Math.max(...rows.map((r) => r[0].length))
  return rows.map(([l, r]) => `  ${l.padEnd(w)}  ${r}`)
}

export function helpText (program: string, path: string[], cmd: Command): string {
  const full = [program, ...path].join(' ')
  const lines: string[] = []
  if (isGroup(cmd)) {
    lines.push(`Usage: ${full} <command> [options]`, '', cmd.description ?? cmd.summary, '', 'Commands:')
    const w = Math.max(...cmd.subcommands.map((s) => s.name.length))
    for (const s of cmd.subcommands) lines.push(`  ${s.name.padEnd(w)}  ${s.summary}`)
    lines.push('', 'Options:', ...optionLines({ help: HELP_OPTION }), '', `Run \`${full} <command> --help\` for a command's options.`)
  } else {
    const opts = { ...(cmd.options ?? {}), help: HELP_OPTION }
    lines.push(`Usage: ${full} [options]${cmd.args !== undefined ? ' ' + cmd.args : ''}`, '', cmd.summary)
    if (cmd.description !== undefined) lines.push('', cmd.description)
    lines.push('', 'Options:', ...optionLines(opts))
    if (cmd.examples !== undefined && cmd.examples.length > 0) lines.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`))
  }
  return lines.join('\n') + '\n'
}

/** Closest name by edit distance, for "did you mean". */
function suggest (word: string, names: string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
    for (let j = 1; j <= b.length; j++) d[0][j] = j
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    return d[a.length][b.length]
  }
  let best: string | undefined; let bestD = 3
  for (const n of names) { const x = dist(word, n); if (x < bestD) { best = n; bestD = x } }
  return best
}

function translateParseError (err: unknown, where: string): UsageError {
  const e = err as { code?: string, message?: string }
  let msg = e.message ?? String(err)
  // parseArgs' messages mention "To specify a positional argument starting with a '-'...": keep the first sentence
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') msg = msg.split('. ')[0]
  return new UsageError(msg.replace(/\.$/, ''), where)
}

/**
 * Runs the command line `argv` against `root`. Returns the process exit code;
 * never throws for user mistakes (they print to stderr with exit code 2).
 */
export async function runCli (program: string, version: string, root: GroupCommand, argv: string[], io: CliIO): Promise<number> {
  const path: string[] = []
  let cmd: Command = root
  let rest = argv
  try {
    if (rest.length === 0) {
      io.stderr(helpText(program, path, root))
      return EXIT.usage
    }
    if (rest[0] === '--version' || rest[0] === '-V') {
      if (rest.length > 1) throw new UsageError(`--version takes no arguments`, program)
      io.stdout(`${program} ${version}\n`)
      return EXIT.ok
    }
    while (isGroup(cmd)) {
      const word: string | undefined = rest[0]
      if (word === undefined) throw new UsageError(`${[program, ...path].join(' ')} needs a command`, [program, ...path].join(' '))
      if (word === '--help' || word === '-h' || word === 'help') {
        io.stdout(helpText(program, path, cmd))
        return EXIT.ok
      }
      if (word.startsWith('-')) throw new UsageError(`unknown option '${word}'`, [program, ...path].join(' '))
      const group: GroupCommand = cmd
      const next = group.subcommands.find((s) => s.name === word)
      if (next === undefined) {
        const s = suggest(word, group.subcommands.map((c) => c.name))
        throw new UsageError(`unknown command '${[...path, word].join(' ')}'${s !== undefined ? ` (did you mean '${[...path, s].join(' ')}'?)` : ''}`, [program, ...path].join(' '))
      }
      path.push(word)
      cmd = next
      rest = rest.slice(1)
    }
    const leaf: LeafCommand = cmd
    const where = [program, ...path].join(' ')
    const options = { ...(leaf.options ?? {}), help: HELP_OPTION }
    let parsed: { values: ParsedValues, positionals: string[] }
    try {
      parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true }) as { values: ParsedValues, positionals: string[] }
    } catch (err) {
      throw translateParseError(err, where)
    }
    if (parsed.values.help === true) {
      io.stdout(helpText(program, path, leaf))
      return EXIT.ok
    }
    if (parsed.positionals.length > (leaf.maxPositionals ?? 0)) {
      const extra = parsed.positionals.slice(leaf.maxPositionals ?? 0)
      throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `'${a}'`).join(' ')}`, where)
    }
    const json = parsed.values.json === true
    const ctx: CommandContext = {
      values: parsed.values,
      positionals: parsed.positionals,
      io,
      print: (data, human) => { io.stdout(json ? JSON.stringify(data, null, 2) + '\n' : human(data)) }
    }
    return await leaf.run(ctx)
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${program}: ${err.message}\nRun \`${err.command} --help\` for usage.\n`)
      return EXIT.usage
    }
    const e = err as Error
    if (e?.name === 'InvalidArgumentError') {
      io.stderr(`${program}: ${e.message}\n`)
      return EXIT.usage
    }
    io.stderr(`${program}: ${e?.message ?? String(err)}\n`)
    return EXIT.failure
  }
}
