/**
 * Fault-injection testnets of real `hypermesh up` processes, checked on
 * their own stores after they stop. The default run covers kill, pause,
 * disconnect (a real partition in network namespaces when root), one
 * Byzantine validator, and shows each check able to fail: a build that
 * acknowledges before the block is durable loses acknowledged transactions,
 * a build that votes without persisting equivocates after a crash, and a
 * halt is reported when more than f validators are down (with recovery when
 * they return). HYPERMESH_CHAOS_FULL=1 adds one manifest per perturbation
 * and Byzantine mode at n = 4 and a mixed one at n = 7.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { netnsUnavailable, parseManifestText, runManifest, type RunOutcome } from '../../node-host/chaos/index.ts'

const MANIFESTS = path.join(import.meta.dirname, 'manifests')
const FULL = process.env.HYPERMESH_CHAOS_FULL === '1'

const dirs: string[] = []
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

/** Runs a fixed manifest; its directory (data, logs, reports) is removed after the file's tests. */
async function run (name: string): Promise<RunOutcome> {
  const m = parseManifestText(await readFile(path.join(MANIFESTS, `${name}.json`), 'utf8'))
  const dir = await mkdtemp(path.join(os.tmpdir(), `hm-chaos-${name}-`))
  dirs.push(dir)
  return await runManifest(m, { dir })
}

const checks = (o: RunOutcome): string[] => [...new Set(o.report.violations.map((v) => v.check))]

describe('chaos: perturbations the mesh must survive', () => {
  it('kill, pause and a network partition at n = 4: every check passes and every fault recovers', async () => {
    const o = await run('core-kill-pause-disconnect-4')
    expect(o.report.violations).toEqual([])
    expect(o.report.acknowledged).toBeGreaterThan(20)
    expect(o.report.lostAcknowledged).toBe(0)
    expect(o.report.stores.every((s) => s.opened && s.latest > 5)).toBe(true)
    const netns = await netnsUnavailable()
    for (const p of o.report.perturbations) {
      if (p.type === 'disconnect' && netns !== null) { expect(p.skipped).toMatch(/^skipped: /); continue }
      expect(p.skipped).toBeNull()
      expect(p.recoveryMs).not.toBeNull()
    }
    // the partitioned node fell behind while its link was down (a real partition), then caught up
    const d = o.report.perturbations.find((p) => p.type === 'disconnect')
    if (netns === null && d !== undefined) {
      const s = o.raw.samples.filter((x) => x.node === d.node && x.t > (d.startS as number) * 1000 + 2500 && x.t < (d.endS as number) * 1000)
      const others = o.raw.samples.filter((x) => x.node !== d.node && x.t > (d.startS as number) * 1000 + 2500 && x.t < (d.endS as number) * 1000)
      expect(s.length).toBeGreaterThan(0) // still observable through its management link
      // cut off: it lost every peer, or fell behind the others
      const lostPeers = Math.min(...s.map((x) => x.peers)) === 0
      const behind = Math.max(...s.map((x) => x.height)) < Math.max(...others.map((x) => x.height))
      expect(lostPeers || behind).toBe(true)
    }
    const html = await readFile(o.reportFiles.html, 'utf8')
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/)
  }, 300_000)

  it('one equivocating validator at n = 4: the mesh keeps finalizing and the equivocations are seen', async () => {
    const o = await run('byzantine-equivocate-4')
    expect(o.report.violations).toEqual([])
    expect(o.report.equivocationsSeen.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    expect(o.report.finalHeight).toBeGreaterThan(10)
  }, 300_000)
})

describe('chaos: each check can fail', () => {
  it('a build that acknowledges before the block is durable loses acknowledged transactions across kills', async () => {
    const o = await run('broken-ack-before-durable-1')
    expect(checks(o)).toContain('nothing-acknowledged-lost')
    expect(o.report.lostAcknowledged).toBeGreaterThan(0)
    expect(o.report.ok).toBe(false)
  }, 300_000)

  // Whether the crashed node signs a second, different vote depends on where the kill lands in its
  // round (a fresh CI clone once restarted it after the round had moved on): the broken build must be
  // caught within three runs of the manifest; a correct build is never flagged (the other tests).
  it('a build that votes without persisting equivocates after a crash in a halted round', { timeout: 300_000, retry: 2 }, async () => {
    const o = await run('broken-vote-without-persist-4')
    const c = checks(o)
    expect(c.includes('no-equivocation') || c.includes('no-conflicting-blocks')).toBe(true)
  })

  it('reports a halt when more than f validators are down, and recovery when they return', async () => {
    const o = await run('halt-two-of-four')
    expect(o.report.violations).toEqual([])
    expect(o.report.halts.length).toBeGreaterThan(0)
    const h = o.report.halts[0]
    expect(h.startS).toBeGreaterThan(4)
    expect(h.endS).not.toBeNull()
    for (const p of o.report.perturbations) expect(p.recoveryMs).not.toBeNull()
  }, 300_000)
})

describe.runIf(FULL)('chaos: the full fixed set (HYPERMESH_CHAOS_FULL=1)', async () => {
  const names = (await readdir(MANIFESTS)).filter((f) => f.startsWith('full-')).map((f) => f.replace(/\.json$/, '')).sort()
  for (const name of names) {
    it(`${name}: all checks pass`, async () => {
      const o = await run(name)
      expect(o.report.violations).toEqual([])
      expect(o.report.lostAcknowledged).toBe(0)
      for (const p of o.report.perturbations) if (p.skipped === null) expect(p.recoveryMs).not.toBeNull()
    }, 400_000)
  }
})
