/** freePort never hands out the same port twice in one process (two testnet nodes once got the same port from back-to-back bind(0) calls). */
import { describe, expect, it } from 'vitest'
import net from 'node:net'
import { freePort } from '../../node-host/node/testnet.ts'

describe('freePort', () => {
  it('gives distinct ports that are free to bind on 127.0.0.1', async () => {
    const ports: number[] = []
    for (let i = 0; i < 300; i++) ports.push(await freePort())
    expect(new Set(ports).size).toBe(ports.length)
    for (const p of ports.slice(-3)) {
      await new Promise<void>((resolve, reject) => { const s = net.createServer(); s.once('error', reject); s.listen(p, '127.0.0.1', () => s.close(() => resolve())) })
    }
  })
})
