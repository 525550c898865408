import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { streamPair } from '@libp2p/utils'
import { encodeFrame } from '../../ts/wire/index.ts'
import {
  BufferPool, TokenBucket, RateLimiter, classifyLink, LINK_TIERS, FramedStream, protocolId, PROTOCOL_PATTERN
} from '../../ts/stoq/index.ts'

describe('link tiers', () => {
  it('classifies by the frozen tier bounds', () => {
    expect(classifyLink(0).name).toBe('Slow')
    expect(classifyLink(99.9).name).toBe('Slow')
    expect(classifyLink(100).name).toBe('Home')
    expect(classifyLink(999).name).toBe('Home')
    expect(classifyLink(1000).name).toBe('Standard')
    expect(classifyLink(2500).name).toBe('Performance')
    expect(classifyLink(10_000).name).toBe('Enterprise')
    expect(classifyLink(25_000).name).toBe('DataCenter')
    expect(classifyLink(1e9).name).toBe('DataCenter')
    expect(() => classifyLink(-1)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => classifyLink(NaN)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(Object.isFrozen(LINK_TIERS) && LINK_TIERS.every(t => Object.isFrozen(t))).toBe(true)
    for (let i = 1; i < LINK_TIERS.length; i++) {
      expect(LINK_TIERS[i].chunkBytes).toBeGreaterThanOrEqual(LINK_TIERS[i - 1].chunkBytes)
      expect(LINK_TIERS[i].windowBytes).toBeGreaterThan(LINK_TIERS[i - 1].windowBytes)
    }
  })
})

describe('protocol ids', () => {
  it('are /hypermesh/<name>/<major>.0.0', () => {
    expect(protocolId('echo', 1)).toBe('/hypermesh/echo/1.0.0')
    expect(protocolId('mem/read', 2)).toBe('/hypermesh/mem/read/2.0.0')
    for (const bad of ['/hypermesh/echo/1.1.0', '/hypermesh/Echo/1.0.0', '/other/echo/1.0.0', '/hypermesh//1.0.0', '/hypermesh/echo/01.0.0']) {
      expect(PROTOCOL_PATTERN.test(bad)).toBe(false)
    }
    expect(() => protocolId('a b', 1)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})

describe('BufferPool', () => {
  it('reuses released buffers, stays bounded and refuses foreign or double releases', () => {
    const pool = new BufferPool({ bufferBytes: 1024, maxFree: 2 })
    const a = pool.acquire()
    const b = pool.acquire()
    const c = pool.acquire()
    expect(a.length).toBe(1024)
    expect(pool.stats()).toMatchObject({ outstanding: 3, allocated: 3, reused: 0, free: 0 })
    pool.release(a); pool.release(b); pool.release(c)
    expect(pool.stats()).toMatchObject({ outstanding: 0, free: 2, discarded: 1 })
    const d = pool.acquire()
    expect(d === b || d === a).toBe(true) // same memory handed out again
    expect(pool.stats()).toMatchObject({ reused: 1, allocated: 3 })
    expect(() => pool.release(new Uint8Array(1024))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    pool.release(d)
    expect(() => pool.release(d)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => new BufferPool({ bufferBytes: 0, maxFree: 1 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})

describe('rate limits', () => {
  it('token bucket refills at its rate up to capacity', () => {
    const b = new TokenBucket(10, 5, 0)
    expect(b.take(10, 0)).toBe(true)
    expect(b.take(1, 0)).toBe(false)
    expect(b.waitFor(1, 0)).toBeCloseTo(200)
    expect(b.take(1, 200)).toBe(true)
    expect(b.available(100_000)).toBe(10)
  })

  it('allows within limits, throttles bursts, disconnects sustained flooding; peers are independent', () => {
    let now = 0
    const rl = new RateLimiter({
      peer: { messagesPerSecond: 1000, burstMessages: 1000, bytesPerSecond: 1e9, burstBytes: 1e9 },
      protocol: { messagesPerSecond: 10, burstMessages: 5, bytesPerSecond: 1e6, burstBytes: 1e6 },
      abuse: { maxStrikes: 3, strikesForgivenPerSecond: 1 },
      now: () => now
    })
    for (let i = 0; i < 5; i++) expect(rl.check('p', '/x', 10).action).toBe('allow')
    const t = rl.check('p', '/x', 10)
    expect(t.action).toBe('throttle')
    if (t.action === 'throttle') expect(t.waitMs).toBeCloseTo(100)
    // another peer and another protocol are unaffected
    expect(rl.check('q', '/x', 10).action).toBe('allow')
    expect(rl.check('p', '/y', 10).action).toBe('allow')
    // a well-behaved pace after the burst is fine (within the refill rate)
    now += 1000
    for (let i = 0; i < 5; i++) { now += 100; expect(rl.check('q', '/x', 10).action).toBe('allow') }
    // sustained flooding from p: strikes run out
    const actions = []
    for (let i = 0; i < 10; i++) actions.push(rl.check('p', '/x', 10).action)
    expect(actions).toContain('throttle')
    expect(actions[actions.length - 1]).toBe('disconnect')
    // byte limits count too
    expect(rl.check('r', '/x', 2e6).action).toBe('throttle')
  })
})

describe('FramedStream over a libp2p stream pair', () => {
  it('reads every frame byte-exact whatever the chunking; oversize is MessageTooLargeError before buffering', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 10 }),
      async (messages, cuts) => {
        const [out, inb] = await streamPair()
        const wire = new Uint8Array(messages.reduce((n, m) => n + encodeFrame(m).length, 0))
        let o = 0
        for (const m of messages) { const f = encodeFrame(m); wire.set(f, o); o += f.length }
        const reader = new FramedStream(inb, { maxFrameBytes: 300 })
        // write in arbitrary pieces
        let i = 0; let k = 0
        while (i < wire.length) { const n = cuts[k++ % cuts.length]; out.send(wire.subarray(i, i + n)); i += n }
        await out.close()
        const got: Uint8Array[] = []
        for (;;) { const f = await reader.read(AbortSignal.timeout(2000)); if (f === undefined) break; got.push(f) }
        expect(got.map(g => Array.from(g))).toEqual(messages.map(m => Array.from(m)))
      }), { numRuns: 40 })
  })

  it('refuses a frame header over the limit, and a frame cut off at the end', async () => {
    const [out, inb] = await streamPair()
    const reader = new FramedStream(inb, { maxFrameBytes: 16 })
    out.send(Uint8Array.of(0xff, 0xff, 0xff, 0x7f)) // header only: 2^28-1 bytes claimed
    await expect(reader.read(AbortSignal.timeout(2000))).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    const [out2, inb2] = await streamPair()
    const r2 = new FramedStream(inb2, { maxFrameBytes: 16 })
    out2.send(Uint8Array.of(5, 1, 2))
    await out2.close()
    await expect(r2.read(AbortSignal.timeout(2000))).rejects.toMatchObject({ name: 'DecodeError' })
    // the writer refuses before sending
    const w = new FramedStream(out2, { maxFrameBytes: 4 })
    await expect(w.write(new Uint8Array(5))).rejects.toMatchObject({ name: 'MessageTooLargeError' })
  })

  it('any bytes from the network give frames or a typed error, never a crash', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (junk) => {
      const [out, inb] = await streamPair()
      const reader = new FramedStream(inb, { maxFrameBytes: 32 })
      if (junk.length > 0) out.send(junk)
      await out.close()
      try {
        for (;;) { const f = await reader.read(AbortSignal.timeout(2000)); if (f === undefined) break; expect(f.length).toBeLessThanOrEqual(32) }
      } catch (err: any) {
        expect(['DecodeError', 'MessageTooLargeError']).toContain(err.name)
      }
    }), { numRuns: 60 })
  })
})
