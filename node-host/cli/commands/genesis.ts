/** `hypermesh genesis`: writes a genesis file for a mesh of several machines. */
import path from 'node:path'
import { CommandError, UsageError } from '../framework.ts'
import type { LeafCommand } from '../framework.ts'
import { FileKeystore } from '../../identity/file-keystore.ts'
import { makeGenesis, writeGenesisFile, fileExists } from '../../node/genesis.ts'
import { selectKernel } from '../../kernel/select.ts'
import { KeystoreError, PUBLIC_KEY_BYTES } from '../../../ts/identity/index.ts'
import { parseGenesis, toHex } from '../../../ts/ledger/index.ts'
import { PROOF_PRESETS, type ProofPresetName } from '../../../ts/ledger/genesis.ts'

function list (v: unknown): string[] { return Array.isArray(v) ? v.map(String) : [] }

/** A member given as a base64 FALCON-1024 public key, or as a data directory holding keys.json. */
async function publicKeyOf (spec: string, cwd: string, flag: string): Promise<Uint8Array> {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(spec) && spec.length > 2000) {
    let b: Uint8Array
    try { b = Uint8Array.from(atob(spec), (c) => c.charCodeAt(0)) } catch { throw new UsageError(`${flag}: not base64`, 'hypermesh genesis') }
    if (b.length !== PUBLIC_KEY_BYTES || b[0] !== 0x0a) throw new UsageError(`${flag}: not a FALCON-1024 public key (${b.length} bytes)`, 'hypermesh genesis')
    return b
  }
  const ks = new FileKeystore(path.resolve(cwd, spec))
  let id
  try { id = await ks.load() } catch (err) { if (err instanceof KeystoreError) throw new CommandError(err.message, { cause: err }); throw err }
  if (id === null) throw new CommandError(`${flag} ${spec}: no identity in ${ks.location} (run \`hypermesh keys init --data ${spec}\`, or pass the public key from \`hypermesh keys show --json\`)`)
  return id.falcon.publicKey
}

export const genesisCommand: LeafCommand = {
  name: 'genesis',
  summary: 'Write a genesis file for a mesh: its validators, the nodes with stake, the proof preset',
  description: 'Each --validator / --member is a FALCON-1024 public key in base64 (from `hypermesh keys show --json`)\n' +
    'or a data directory holding keys.json. Every listed node gets stake and its plot 0 registered, so it\n' +
    'can send transactions; validators also vote. Give every node the same file: `hypermesh up --genesis FILE`.',
  options: {
    'chain-id': { type: 'string', value: 'ID', help: 'chain id, 1..64 of [A-Za-z0-9._-]' },
    validator: { type: 'string', multiple: true, value: 'KEY|DIR', help: 'a validator' },
    member: { type: 'string', multiple: true, value: 'KEY|DIR', help: 'a non-voting node with stake' },
    preset: { type: 'string', value: 'NAME', default: 'dev', help: `proof preset: ${PROOF_PRESETS.join(', ')}` },
    out: { type: 'string', value: 'FILE', default: 'genesis.json', help: 'where to write it (refuses to overwrite)' },
    json: { type: 'boolean', help: 'print {file, chainId, hash, validators, members} as JSON' }
  },
  examples: ['hypermesh genesis --chain-id lab-mesh --validator ./n1 --validator ./n2 --validator ./n3 --validator ./n4 --out mesh.json'],
  async run ({ values, io, print }) {
    const chainId = values['chain-id']
    if (typeof chainId !== 'string') throw new UsageError('--chain-id is required', 'hypermesh genesis')
    const preset = (values.preset ?? 'dev') as string
    if (!(PROOF_PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of ${PROOF_PRESETS.join(', ')}`, 'hypermesh genesis')
    const validators = list(values.validator)
    if (validators.length === 0) throw new UsageError('at least one --validator is needed', 'hypermesh genesis')
    const out = path.resolve(io.cwd, typeof values.out === 'string' ? values.out : 'genesis.json')
    if (await fileExists(out)) throw new CommandError(`${out} exists; a genesis is never overwritten (choose another --out)`)
    const members = [
      ...await Promise.all(validators.map(async (v) => ({ publicKey: await publicKeyOf(v, io.cwd, '--validator'), validator: true }))),
      ...await Promise.all(list(values.member).map(async (m) => ({ publicKey: await publicKeyOf(m, io.cwd, '--member'), validator: false })))
    ]
    const json = makeGenesis({ chainId, preset: preset as ProofPresetName, members, kernel: selectKernel().kernel })
    await writeGenesisFile(out, json)
    const g = parseGenesis(json)
    print({ file: out, chainId, hash: toHex(g.hash), validators: validators.length, members: members.length },
      (r) => `wrote ${r.file}\n  chain ${r.chainId}, ${r.validators} validator(s), ${r.members} node(s) with stake, genesis ${r.hash.slice(0, 16)}…\n`)
    return 0
  }
}
