import 'fake-indexeddb/auto'
import { describe, it, expect } from 'vitest'
import { mkdtemp, writeFile, chmod, stat, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FileKeystore } from '../../node-host/identity/file-keystore.ts'
import { IdbKeystore } from '../../browser-host/src/identity/idb-keystore.ts'
import { loadOrCreateIdentity, nodeIdOf } from '../../ts/identity/index.ts'
import { keystoreSuite, sampleIdentity } from './keystore.case.ts'

const tempDir = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'hm-keys-'))
let dbn = 0

keystoreSuite('file (keys.json)', async () => new FileKeystore(await tempDir()))
keystoreSuite('IndexedDB', async () => new IdbKeystore(`hm-test-${dbn++}`))

describe('FileKeystore', () => {
  it('writes keys.json with mode 0600 and no temp files left', async () => {
    const dir = await tempDir()
    const ks = new FileKeystore(dir)
    await ks.save(sampleIdentity(10))
    expect((await stat(ks.location)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['keys.json'])
  })

  it('refuses a file other users can read, naming it and the fix', async () => {
    const ks = new FileKeystore(await tempDir())
    await ks.save(sampleIdentity(10))
    await chmod(ks.location, 0o644)
    await expect(ks.load()).rejects.toThrow(expect.objectContaining({ name: 'KeystoreError', message: expect.stringContaining(`chmod 600 ${ks.location}`) }))
  })

  it('refuses corrupt content with the file named, for every kind of damage', async () => {
    const ks = new FileKeystore(await tempDir())
    await ks.save(sampleIdentity(11))
    const good = JSON.parse(await readFile(ks.location, 'utf8'))
    const damaged = [
      '{"version":1,',
      '[]',
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, falcon: { ...good.falcon, publicKey: good.falcon.publicKey.slice(4) } }),
      JSON.stringify({ ...good, falcon: { ...good.falcon, secretKey: '!!!!' } }),
      JSON.stringify({ ...good, libp2pPrivateKey: '' })
    ]
    for (const text of damaged) {
      await writeFile(ks.location, text, { mode: 0o600 })
      await expect(ks.load(), text.slice(0, 40)).rejects.toThrow(expect.objectContaining({ name: 'KeystoreError', message: expect.stringContaining(ks.location) }))
    }
  })

  it('a leftover temp file from a crashed write does not disturb loading', async () => {
    const dir = await tempDir()
    const ks = new FileKeystore(dir)
    await ks.save(sampleIdentity(12))
    await writeFile(path.join(dir, '.keys.json.abc123.tmp'), '{"version":1', { mode: 0o600 })
    expect((await ks.load())!.falcon.publicKey.length).toBe(1793)
  })

  it('loadOrCreateIdentity creates once, then returns the same identity', async () => {
    const ks = new FileKeystore(await tempDir())
    const first = await loadOrCreateIdentity(ks, () => new Uint8Array(68).fill(7))
    expect(first.created).toBe(true)
    const second = await loadOrCreateIdentity(ks, () => { throw new Error('must not create twice') })
    expect(second.created).toBe(false)
    expect(Buffer.from(nodeIdOf(second.identity.falcon.publicKey)).equals(Buffer.from(nodeIdOf(first.identity.falcon.publicKey)))).toBe(true)
  })
})
