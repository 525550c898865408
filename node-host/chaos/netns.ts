/**
 * Real network partitions for chaos runs: every node in its own Linux network
 * namespace. Each namespace has two veth links to the root namespace:
 *  - the mesh link (`hmchaos-<k><ii>q` inside, `…p` on the bridge `hmchaos-<k>br`):
 *    the node's only libp2p address, 10.77.<k>.<10+i>/24. Setting it down
 *    partitions the node from every other node; up heals it.
 *  - the management link (`…n` inside, `…m` in the root namespace), a /30 of
 *    10.78.<k>.0/24 used only for the node's HTTP API (the runner's status
 *    polls), so a partitioned node stays observable.
 * There is no default route and no forwarding (the root namespace has
 * ip_forward 0), so the management link cannot carry mesh traffic.
 *
 * Everything is named with the prefix `hmchaos-<k>` (k: two hex digits
 * picked per run, claimed with a lock directory holding the owner's PID) and
 * removed by name in `destroy()`, on process exit, and by the next run when
 * the owner died.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import os from 'node:os'

const LOCKS = path.join(os.tmpdir(), 'hmchaos-locks')

async function ip (args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Why namespaces cannot be used here, or null when they can. */
export async function netnsUnavailable (): Promise<string | null> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (ip netns add: Operation not permitted)'
  const probe = `hmchaos-probe${process.pid % 100000}`
  try {
    await ip(['netns', 'add', probe])
    await ip(['netns', 'del', probe])
    return null
  } catch (err) {
    return (err as Error).message
  }
}

/** Removes namespaces and links of runs whose owner process is gone. */
export async function cleanupStale (): Promise<string[]> {
  const removed: string[] = []
  let entries: string[] = []
  try { entries = await readdir(LOCKS) } catch { return removed }
  for (const k of entries) {
    let pid = 0
    try { pid = Number((await readFile(path.join(LOCKS, k, 'pid'), 'utf8')).trim()) } catch { pid = 0 }
    if (pid > 0 && alive(pid)) continue
    removed.push(...await removeByPrefix(`hmchaos-${k}`))
    await rm(path.join(LOCKS, k), { recursive: true, force: true })
  }
  return removed
}

/** Deletes every namespace and link whose name starts with `prefix`. */
export async function removeByPrefix (prefix: string): Promise<string[]> {
  const removed: string[] = []
  const nss = (await ip(['netns', 'list']).catch(() => '')).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(prefix))
  for (const ns of nss) { await ip(['netns', 'del', ns]).catch(() => {}); removed.push(ns) }
  const links = (await ip(['-o', 'link', 'show']).catch(() => '')).split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '').filter((n) => n.startsWith(prefix))
  for (const l of links) { await ip(['link', 'del', l]).catch(() => {}); removed.push(l) }
  return removed
}

export interface NsNode {
  ns: string
  /** The node's mesh (libp2p) address. */
  meshAddr: string
  /** The node's management address (HTTP). */
  mgmtAddr: string
  /** Root-namespace end of the mesh link (set down to partition). */
  meshLink: string
}

export class NetnsTopology {
  readonly k: string
  readonly prefix: string
  readonly bridge: string
  readonly nodes: NsNode[] = []
  private exitHook: (() => void) | null = null
  private destroyed = false

  private constructor (k: string) {
    this.k = k
    this.prefix = `hmchaos-${k}`
    this.bridge = `${this.prefix}br`
  }

  /** Claims a run id, builds the bridge and `n` namespaces with their links. */
  static async create (n: number): Promise<NetnsTopology> {
    if (n > 99) throw new Error('at most 99 namespaced nodes')
    await cleanupStale()
    await mkdir(LOCKS, { recursive: true })
    let topo: NetnsTopology | null = null
    const start = Math.floor(Math.random() * 256)
    for (let j = 0; j < 256 && topo === null; j++) {
      const k = ((start + j) % 256).toString(16).padStart(2, '0')
      try { await mkdir(path.join(LOCKS, k)) } catch { continue }
      await writeFile(path.join(LOCKS, k, 'pid'), String(process.pid))
      topo = new NetnsTopology(k)
    }
    if (topo === null) throw new Error('no free chaos network id (256 in use)')
    const t = topo
    t.exitHook = () => { t.destroySync() }
    process.once('exit', t.exitHook)
    try {
      await removeByPrefix(t.prefix)
      await ip(['link', 'add', t.bridge, 'type', 'bridge'])
      await ip(['link', 'set', t.bridge, 'up'])
      const kk = parseInt(t.k, 16)
      for (let i = 0; i < n; i++) {
        const ii = String(i).padStart(2, '0')
        const ns = `${t.prefix}-${ii}`
        const [p, q, m, nn] = ['p', 'q', 'm', 'n'].map((s) => `${t.prefix}${ii}${s}`)
        const meshAddr = `10.77.${kk}.${10 + i}`
        const mgmtRoot = `10.78.${kk}.${4 * i + 1}`
        const mgmtAddr = `10.78.${kk}.${4 * i + 2}`
        await ip(['netns', 'add', ns])
        await ip(['-n', ns, 'link', 'set', 'lo', 'up'])
        await ip(['link', 'add', p, 'type', 'veth', 'peer', 'name', q])
        await ip(['link', 'set', q, 'netns', ns])
        await ip(['link', 'set', p, 'master', t.bridge])
        await ip(['link', 'set', p, 'up'])
        await ip(['-n', ns, 'addr', 'add', `${meshAddr}/24`, 'dev', q])
        await ip(['-n', ns, 'link', 'set', q, 'up'])
        await ip(['link', 'add', m, 'type', 'veth', 'peer', 'name', nn])
        await ip(['link', 'set', nn, 'netns', ns])
        await ip(['addr', 'add', `${mgmtRoot}/30`, 'dev', m])
        await ip(['link', 'set', m, 'up'])
        await ip(['-n', ns, 'addr', 'add', `${mgmtAddr}/30`, 'dev', nn])
        await ip(['-n', ns, 'link', 'set', nn, 'up'])
        t.nodes.push({ ns, meshAddr, mgmtAddr, meshLink: p })
      }
    } catch (err) {
      await t.destroy()
      throw err
    }
    return t
  }

  /** Cuts node `i` off the mesh (its link set down). */
  async disconnect (i: number): Promise<void> { await ip(['link', 'set', this.nodes[i].meshLink, 'down']) }
  /** Heals node `i`'s mesh link. */
  async reconnect (i: number): Promise<void> { await ip(['link', 'set', this.nodes[i].meshLink, 'up']) }

  async destroy (): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    if (this.exitHook !== null) process.removeListener('exit', this.exitHook)
    await removeByPrefix(this.prefix)
    await rm(path.join(LOCKS, this.k), { recursive: true, force: true })
  }

  /** Synchronous removal (process exit). */
  private destroySync (): void {
    if (this.destroyed) return
    this.destroyed = true
    try {
      const nss = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((s) => s.startsWith(this.prefix))
      for (const ns of nss) { try { execFileSync('ip', ['netns', 'del', ns]) } catch { /* gone */ } }
      try { execFileSync('ip', ['link', 'del', this.bridge]) } catch { /* gone */ }
      execFileSync('rm', ['-rf', path.join(LOCKS, this.k)])
    } catch { /* best effort at exit */ }
  }
}
