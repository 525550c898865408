/**
 * A framed message handed to a handler (or returned by a pipelined read)
 * stays intact while later frames arrive: frames are views of the chunks the
 * stream yields (noise decrypts in place into them), so nothing below may
 * reuse a chunk once stoq has handed out a view of it.
 */
import { describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { createStoq } from '../../ts/stoq/index.ts'
import { benchBindingAuthority } from './_binding.ts'

describe('framed message ownership', () => {
  it('keeps every received message byte-exact while hundreds more stream in (pipelined, large frames)', async () => {
    const a = createStoq({ binding: benchBindingAuthority(3), listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false })
    const b = createStoq({ binding: benchBindingAuthority(4), listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false })
    const kept: Uint8Array[] = []
    await b.handleFramed('/hypermesh/ownership/1.0.0', (msg) => { kept.push(msg); return msg }, { maxMessageBytes: 1 << 20 })
    await Promise.all([a.start(), b.start()])
    try {
      const peer = (await a.connect(b.addresses()[0])).peerId
      const pipe = await a.openFramedPipeline(peer, '/hypermesh/ownership/1.0.0', { maxMessageBytes: 1 << 20 })
      const sent = Array.from({ length: 120 }, (_, i) => randomBytes(1000 + (i * 7919) % 200_000))
      const answers = await Promise.all(sent.map(async (m) => await pipe.request(m)))
      await pipe.close()
      expect(kept).toHaveLength(sent.length)
      const h = (x: Uint8Array): string => createHash('sha256').update(x).digest('hex')
      expect(kept.map(h)).toEqual(sent.map(h))
      expect(answers.map(h)).toEqual(sent.map(h)) // echoed: the client's answers are intact too
    } finally { await Promise.all([a.stop(), b.stop()]) }
  }, 60_000)
})
