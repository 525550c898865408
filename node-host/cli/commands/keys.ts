/** `hypermesh keys show|init`: this node's identity (FALCON-1024 key, NodeId, libp2p PeerId). */
import path from 'node:path'
import { generateKeyPair as generateLibp2pKey, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CommandError } from '../framework.ts'
import type { GroupCommand, LeafCommand } from '../framework.ts'
import { DEFAULT_DATA_DIR } from '../constants.ts'
import { FileKeystore } from '../../identity/file-keystore.ts'
import { KeystoreError, loadOrCreateIdentity, nodeIdOf, nodeIdToHex, type StoredIdentity } from '../../../ts/identity/index.ts'
import { b64encode } from '../../../ts/ledger/index.ts'

export interface KeyInfo {
  nodeId: string
  peerId: string
  /** FALCON-1024 public key, base64 (what a genesis file lists). */
  publicKey: string
  keystore: string
}

export function keyInfo (id: StoredIdentity, keystore: string): KeyInfo {
  return {
    nodeId: nodeIdToHex(nodeIdOf(id.falcon.publicKey)),
    peerId: peerIdFromPrivateKey(privateKeyFromProtobuf(id.libp2pPrivateKey)).toString(),
    publicKey: b64encode(id.falcon.publicKey),
    keystore
  }
}

function render (k: KeyInfo, full: boolean): string {
  return [
    `Node ID     ${k.nodeId}`,
    `Peer ID     ${k.peerId}`,
    `Public key  FALCON-1024, ${full ? k.publicKey : `${k.publicKey.slice(0, 24)}… (--full prints all of it)`}`,
    `Keystore    ${k.keystore}`
  ].join('\n') + '\n'
}

const dataOption = { type: 'string' as const, value: 'DIR', default: DEFAULT_DATA_DIR, help: 'data directory holding keys.json' }

const showCommand: LeafCommand = {
  name: 'show',
  summary: "Show this node's NodeId, libp2p PeerId and public key",
  options: { data: dataOption, full: { type: 'boolean', help: 'print the whole public key' }, json: { type: 'boolean', help: 'print JSON' } },
  examples: ['hypermesh keys show', 'hypermesh keys show --data ./n1 --json'],
  async run ({ values, io, print }) {
    const dir = path.resolve(io.cwd, typeof values.data === 'string' ? values.data : DEFAULT_DATA_DIR)
    const ks = new FileKeystore(dir)
    let id: StoredIdentity | null
    try { id = await ks.load() } catch (err) { if (err instanceof KeystoreError) throw new CommandError(err.message, { cause: err }); throw err }
    if (id === null) throw new CommandError(`no identity in ${ks.location}; create one with \`hypermesh keys init --data ${dir}\` (or start the node: \`hypermesh up\`)`)
    print(keyInfo(id, ks.location), (k) => render(k, values.full === true))
    return 0
  }
}

const initCommand: LeafCommand = {
  name: 'init',
  summary: 'Create a new identity in the data directory (refuses to replace an existing one)',
  options: { data: dataOption, json: { type: 'boolean', help: 'print JSON' } },
  examples: ['hypermesh keys init --data ./n1'],
  async run ({ values, io, print }) {
    const dir = path.resolve(io.cwd, typeof values.data === 'string' ? values.data : DEFAULT_DATA_DIR)
    const ks = new FileKeystore(dir)
    let res
    try {
      res = await loadOrCreateIdentity(ks, async () => privateKeyToProtobuf(await generateLibp2pKey('Ed25519')))
    } catch (err) { if (err instanceof KeystoreError) throw new CommandError(err.message, { cause: err }); throw err }
    if (!res.created) throw new CommandError(`${ks.location} already holds an identity (${nodeIdToHex(nodeIdOf(res.identity.falcon.publicKey))}); it is never replaced`)
    print({ created: true, ...keyInfo(res.identity, ks.location) }, (k) => `created a new identity\n${render(k, false)}`)
    return 0
  }
}

export const keysCommand: GroupCommand = {
  name: 'keys',
  summary: "Show or create this node's identity",
  subcommands: [showCommand, initCommand]
}
