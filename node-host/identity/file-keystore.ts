/**
 * The Node keystore: `keys.json` in the data directory, mode 0600, written
 * atomically (temp file in the same directory, fsync, rename, fsync of the
 * directory). Loading refuses a file that group or others can read, and a
 * corrupt one, with an error naming the file — never a silent new identity.
 */
import { open, readFile, rename, mkdir, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { KeystoreError, identityFromRecord, identityToRecord } from '../../ts/identity/index.ts'
import type { Keystore, StoredIdentity } from '../../ts/identity/index.ts'

export const KEYSTORE_FILE = 'keys.json'
/** keys.json is a few KB; anything far larger is not ours. */
const MAX_KEYSTORE_BYTES = 64 * 1024

export class FileKeystore implements Keystore {
  readonly location: string
  readonly dir: string

  constructor (dataDir: string) {
    this.dir = path.resolve(dataDir)
    this.location = path.join(this.dir, KEYSTORE_FILE)
  }

  async load (): Promise<StoredIdentity | null> {
    let st
    try {
      st = await stat(this.location)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw new KeystoreError(this.location, `cannot stat: ${(err as Error).message}`, { cause: err })
    }
    if (!st.isFile()) throw new KeystoreError(this.location, 'is not a regular file')
    if ((st.mode & 0o077) !== 0) {
      throw new KeystoreError(this.location, `permissions ${(st.mode & 0o777).toString(8)} let other users read the node's secret key; fix with: chmod 600 ${this.location}`)
    }
    if (st.size > MAX_KEYSTORE_BYTES) throw new KeystoreError(this.location, `is ${st.size} bytes, too large to be a keystore`)
    let text: string
    try {
      text = await readFile(this.location, 'utf8')
    } catch (err) {
      throw new KeystoreError(this.location, `cannot read: ${(err as Error).message}`, { cause: err })
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (err) {
      throw new KeystoreError(this.location, `is corrupt (not JSON: ${(err as Error).message}); restore it from a backup — a new file would be a new identity`, { cause: err })
    }
    return identityFromRecord(this.location, raw)
  }

  async save (id: StoredIdentity): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const tmp = path.join(this.dir, `.${KEYSTORE_FILE}.${randomBytes(6).toString('hex')}.tmp`)
    const body = JSON.stringify(identityToRecord(id), null, 2) + '\n'
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(body)
      await fh.sync()
    } catch (err) {
      await fh.close()
      await unlink(tmp).catch(() => {})
      throw err
    }
    await fh.close()
    await rename(tmp, this.location)
    const dh = await open(this.dir, 'r')
    try { await dh.sync() } finally { await dh.close() }
  }
}
