/**
 * The browser keystore: the identity record in IndexedDB (via `idb`), so a
 * donating page keeps its NodeId across reloads. A damaged record is a
 * KeystoreError naming the database, never a silent new identity.
 */
import { openDB } from 'idb'
import type { IDBPDatabase } from 'idb'
import { identityFromRecord, identityToRecord } from '../../../ts/identity/index.ts'
import type { Keystore, StoredIdentity } from '../../../ts/identity/index.ts'

const STORE = 'identity'
const KEY = 'node'

export class IdbKeystore implements Keystore {
  readonly location: string
  private readonly dbName: string
  private db: Promise<IDBPDatabase> | undefined

  constructor (dbName = 'hypermesh') {
    this.dbName = dbName
    this.location = `IndexedDB ${dbName}/${STORE}`
  }

  private open (): Promise<IDBPDatabase> {
    this.db ??= openDB(this.dbName, 1, {
      upgrade (db) {
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE)
      }
    })
    return this.db
  }

  async load (): Promise<StoredIdentity | null> {
    const raw: unknown = await (await this.open()).get(STORE, KEY)
    if (raw === undefined) return null
    return identityFromRecord(this.location, raw)
  }

  async save (id: StoredIdentity): Promise<void> {
    await (await this.open()).put(STORE, identityToRecord(id), KEY)
  }

  async close (): Promise<void> {
    if (this.db !== undefined) (await this.db).close()
    this.db = undefined
  }
}
