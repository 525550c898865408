/** The donate page's history in IndexedDB: every job this browser ran (kept across reloads, newest 1,000). */
import { openDB, type IDBPDatabase } from 'idb'

export interface HistoryEntry { jobId: string, at: number, ms: number, ok: boolean, fuel: string, transport: string }

const STORE = 'jobs'
const KEEP = 1000

export class DonateHistory {
  private db: Promise<IDBPDatabase> | undefined
  private readonly name: string
  constructor (name = 'hypermesh-donate') { this.name = name }
  private open (): Promise<IDBPDatabase> {
    this.db ??= openDB(this.name, 1, { upgrade (db) { if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { autoIncrement: true }) } })
    return this.db
  }
  async add (e: HistoryEntry): Promise<void> {
    const db = await this.open()
    await db.add(STORE, e)
    const n = await db.count(STORE)
    if (n > KEEP) {
      const tx = db.transaction(STORE, 'readwrite')
      let cursor = await tx.store.openCursor()
      for (let i = 0; i < n - KEEP && cursor !== null; i++) { await cursor.delete(); cursor = await cursor.continue() }
      await tx.done
    }
  }
  async count (): Promise<number> { return await (await this.open()).count(STORE) }
  async recent (n: number): Promise<HistoryEntry[]> {
    const all = await (await this.open()).getAll(STORE) as HistoryEntry[]
    return all.slice(-n)
  }
}
