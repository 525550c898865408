import { describe, it, expect } from 'vitest'
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import path from 'node:path'
import { MemoryBlockStore, blockHash, toHex, encodeBlock } from '../../ts/ledger/index.ts'
import { LevelBlockStore } from '../../node-host/store/level-block-store.ts'
import { blockStoreSuite } from './block-store.case.ts'
import { genesisBlock, nextBlock, certFor, writesFor } from './_blocks.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const tmp = (): Promise<string> => mkdtemp(path.join(os.tmpdir(), 'hm-store-'))

blockStoreSuite('memory', async () => ({ store: new MemoryBlockStore(), cleanup: async () => {} }), { persistent: false })

blockStoreSuite('LevelDB', async () => {
  const dir = await tmp()
  let store = await LevelBlockStore.open(dir)
  return {
    store,
    reopen: async () => { await store.close(); store = await LevelBlockStore.open(dir); return store },
    cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }) }
  }
}, { persistent: true })

describe('LevelBlockStore specifics', () => {
  it('refuses a certificate that does not name the block', async () => {
    const dir = await tmp()
    const s = await LevelBlockStore.open(dir)
    try {
      const g = genesisBlock(); await s.installSnapshot(g, undefined, [])
      const b1 = nextBlock(g); const b2 = nextBlock(b1)
      await expect(s.put(b1, certFor(b2), [])).rejects.toThrow(/certificate is for height 2/)
      await expect(s.put(b1, { ...certFor(b1), blockHash: blockHash(b2) }, [])).rejects.toThrow(/does not name/)
      await expect(s.put(b1, certFor(b1), [['bad key with spaces', new Uint8Array(1)]])).rejects.toThrow(/printable ASCII/)
      expect(await s.latestHeight()).toBe(0)
    } finally { await s.close(); await rm(dir, { recursive: true, force: true }) }
  })

  it('serialises concurrent appends: exactly one of two puts at one height wins', async () => {
    const dir = await tmp()
    const s = await LevelBlockStore.open(dir)
    try {
      const g = genesisBlock(); await s.installSnapshot(g, undefined, [])
      const b1 = nextBlock(g)
      const other = { ...b1, time: b1.time + 1 }
      const r = await Promise.allSettled([s.put(b1, certFor(b1), []), s.put(other, certFor(other), [])])
      expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1)
      expect(encodeBlock((await s.getByHeight(1))!.block)).toEqual(encodeBlock(b1))
    } finally { await s.close(); await rm(dir, { recursive: true, force: true }) }
  })

  it('names the directory when its files are not a LevelDB store', async () => {
    const dir = await tmp()
    try {
      await writeFile(path.join(dir, 'CURRENT'), 'garbage\n')
      await expect(LevelBlockStore.open(dir)).rejects.toMatchObject({ name: 'StoreCorruptError', message: expect.stringContaining(dir) })
    } finally { await rm(dir, { recursive: true, force: true }) }
  })

  it('a block whose stored bytes are damaged reads as StoreCorruptError, not a crash', async () => {
    const dir = await tmp()
    let s = await LevelBlockStore.open(dir)
    try {
      const g = genesisBlock(); await s.installSnapshot(g, undefined, [])
      const b1 = nextBlock(g); await s.put(b1, certFor(b1), [])
      await s.close()
      // overwrite block 1 behind the store's back with truncated bytes
      const { ClassicLevel } = await import('classic-level')
      const raw = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
      await raw.put('b/0000000000000001', encodeBlock(b1).subarray(0, 50))
      await raw.close()
      await expect(LevelBlockStore.open(dir)).rejects.toMatchObject({ name: 'StoreCorruptError' })
      s = await LevelBlockStore.open(path.join(dir, 'fresh'))
    } finally { await s.close(); await rm(dir, { recursive: true, force: true }) }
  })
})

describe('LevelBlockStore crash recovery', () => {
  /** Runs the appender until it has acknowledged `minAcks` blocks, then SIGKILLs it by PID. */
  function runAndKill (dir: string, minAcks: number): Promise<{ ready: number, acks: Array<[number, string]>, signal: string | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(here, 'fixtures/append-blocks.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] })
      const acks: Array<[number, string]> = []
      let ready = -1; let buf = ''; let err = ''; let killed = false
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`appender too slow: ${acks.length} acks; ${err}`)) }, 30_000)
      child.stderr.on('data', (d: Buffer) => { err += d.toString() })
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString()
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i); buf = buf.slice(i + 1)
          const [tag, a, b] = line.split(' ')
          if (tag === 'ready') ready = Number(a)
          if (tag === 'ack') acks.push([Number(a), b])
        }
        if (!killed && acks.length >= minAcks) { killed = true; process.kill(child.pid!, 'SIGKILL') }
      })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        if (!killed) reject(new Error(`appender exited by itself (code ${code}): ${err}`))
        else resolve({ ready, acks, signal })
      })
    })
  }

  it('after kill -9 mid-stream, every acknowledged block is there and intact, and appending resumes', async () => {
    const dir = await tmp()
    try {
      let expectedHead = 0
      for (let round = 0; round < 2; round++) {
        const r = await runAndKill(dir, 25)
        expect(r.signal).toBe('SIGKILL')
        expect(r.ready).toBe(expectedHead) // resumed exactly at the recovered head
        const lastAck = r.acks[r.acks.length - 1][0]
        const s = await LevelBlockStore.open(dir)
        try {
          const head = await s.latestHeight()
          // everything acknowledged is durable; at most the in-flight put beyond it may also have landed
          expect(head).toBeGreaterThanOrEqual(lastAck)
          expect(head).toBeLessThanOrEqual(lastAck + 1)
          for (const [height, hash] of r.acks) {
            const got = await s.getByHeight(height)
            expect(got, `height ${height}`).toBeDefined()
            expect(toHex(blockHash(got!.block))).toBe(hash)
            expect(toHex(got!.cert!.blockHash)).toBe(hash)
          }
          // the chain links from genesis to the head, and the state matches the last block
          let parent = genesisBlock()
          for (let hgt = 1; hgt <= head; hgt++) {
            const b = (await s.getByHeight(hgt))!.block
            expect(encodeBlock(b)).toEqual(encodeBlock(nextBlock(parent)))
            parent = b
          }
          const state = new Map(await s.stateSnapshot())
          const [k, v] = writesFor(parent)[0]
          expect(toHex(state.get(k)!)).toBe(toHex(v!))
          expect(state.has(`test/h/${String(head + 1).padStart(8, '0')}`)).toBe(false)
          expectedHead = head
        } finally { await s.close() }
      }
      expect((await readdir(dir)).some((f) => f.endsWith('.log'))).toBe(true)
    } finally { await rm(dir, { recursive: true, force: true }) }
  })
})
