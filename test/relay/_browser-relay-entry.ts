/**
 * Bundled (Vite, iife `HMRelay`) into a headless Chromium page by
 * browser-relay.spec.ts: the donate page's relay path on its own — the
 * identity from IndexedDB (created on first use), a relay channel to the node
 * by NodeId, frames checked byte-exact in the page.
 */
import { IdbKeystore } from '../../browser-host/src/identity/idb-keystore.ts'
import { openRelayChannel, relayTargetFromQuery } from '../../browser-host/src/transport/relay.ts'
import { loadOrCreateIdentity, nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'

export interface BrowserRelayResult {
  nodeId: string
  created: boolean
  transport: string
  /** Per frame size: did the node's echo (the frame reversed) come back byte-exact? */
  echoes: Array<{ size: number, ok: boolean }>
  closedCleanly: boolean
}

/** `search` is the page's query string: ?relay=URL&room=ID&node=NODEID — all the page knows. */
export async function donateEcho (search: string, sizes: number[]): Promise<BrowserRelayResult> {
  const target = relayTargetFromQuery(search)
  if (target === null) throw new Error('no relay target in the query')
  const { identity, created } = await loadOrCreateIdentity(new IdbKeystore('hm-relay-test'), () => crypto.getRandomValues(new Uint8Array(32)))
  const channel = await openRelayChannel({ ...target, keyPair: identity.falcon, timeoutMs: 20_000 })
  const got: Uint8Array[] = []
  let wake: () => void = () => {}
  channel.onFrame((f) => { got.push(f); wake() })
  const frames = sizes.map((n, i) => { const f = new Uint8Array(n); for (let j = 0; j < n; j++) f[j] = (j * 7 + i) & 0xff; return f })
  for (const f of frames) channel.send(f)
  const deadline = Date.now() + 30_000
  while (got.length < frames.length && Date.now() < deadline) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100) })
  const echoes = frames.map((f, i) => {
    const g = got[i]
    let ok = g !== undefined && g.length === f.length
    for (let j = 0; ok && j < f.length; j++) if (g[j] !== f[f.length - 1 - j]) ok = false
    return { size: f.length, ok }
  })
  const closed = new Promise<Error | undefined>((resolve) => { channel.onClose(resolve) })
  channel.close()
  const err = await closed
  return { nodeId: nodeIdToHex(nodeIdOf(identity.falcon.publicKey)), created, transport: channel.transport, echoes, closedCleanly: err === undefined }
}
