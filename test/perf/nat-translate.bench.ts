/**
 * Global-address translation, in one run:
 * - batch translations/s through the Translator on the core-wasm table (and
 *   on the TypeScript reference table) beside a JS Map<string> keyed by the
 *   address text — both check the region's bounds, the Translator also
 *   expiry and the entry's generation;
 * - single translate() calls beside the same Map;
 * - a cold translation (cache miss resolved from ledger state: address
 *   index → asset record → privacy rules) beside the same Map;
 * - GlobalAddress.parse of IPv6 text beside node:net's isIPv6 check.
 */
import net from 'node:net'
import { ASSET_KINDS, ASSET_STATES, AssetRecord, KEY_ASSET, PRIVACY_LEVELS, addressKey, type AssetRecordValue } from '../../ts/assets/index.ts'
import { GlobalAddress, MEM_OPS, Translator } from '../../ts/nat/index.ts'
import { encodeCanonical } from '../../ts/wire/index.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { NatTable, ReferenceNatTable, type NatMap } from '../../ts/wasm/nat.ts'
import { loadKernelModule } from '../../ts/wasm/loader.ts'
import { measureRate, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'

const N = 4096
const REGION = 1 << 20

interface Fixture { addrs: GlobalAddress[], records: AssetRecordValue[], map: Map<string, { peer: Uint8Array, size: number }> }

function fixture (): Fixture {
  const addrs: GlobalAddress[] = []
  const records: AssetRecordValue[] = []
  const map = new Map<string, { peer: Uint8Array, size: number }>()
  for (let i = 0; i < N; i++) {
    const owner = new Uint8Array(32); owner[0] = i & 0xff; owner[1] = i >> 8; owner[31] = 1
    const id = new Uint8Array(32); id[0] = i & 0xff; id[1] = i >> 8; id[31] = 2
    const a: AssetRecordValue = {
      id, kind: ASSET_KINDS.Memory, owner, state: ASSET_STATES.Available, privacy: PRIVACY_LEVELS.PublicNetwork, capacity: BigInt(REGION), slot: i & 0xfff,
      allow: [], allocatedTo: undefined, allocatedAmount: 0n, description: 'bench', registeredAt: 0n
    }
    records.push(a)
    const base = GlobalAddress.from({ node: owner, kind: a.kind, index: a.slot, offset: 0 })
    map.set(base.toString(), { peer: owner, size: REGION })
    addrs.push(base.add((i * 4099) % REGION))
  }
  return { addrs, records, map }
}

/** The JS alternative keyed by text: it must make the key from the address it is given. */
function mapTranslate (f: Fixture): number {
  let hit = 0
  for (const a of f.addrs) { const e = f.map.get(a.base().toString()); if (e !== undefined && a.offset < e.size) hit++ }
  return hit
}

function loaded (table: NatMap, f: Fixture): Translator {
  const t = new Translator(table)
  for (const a of f.records) {
    t.set({ address: GlobalAddress.from({ node: a.owner, kind: a.kind, index: a.slot, offset: 0 }), peer: a.owner, assetId: a.id, size: REGION, permissions: MEM_OPS.read, expiresAt: Infinity })
  }
  return t
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const samples = opts.quick ? 3 : 5
  const ms = opts.quick ? 200 : 400
  const f = fixture()
  const wasm = loaded(new NatTable(await loadKernelModule('simd')), f)
  const ref = loaded(new ReferenceNatTable(), f)
  const check = (r: ReturnType<Translator['translateBatch']>): void => { if (r.some((x) => x === undefined)) throw new Error('bench fixture: a translation missed') }
  check(wasm.translateBatch(f.addrs)); check(ref.translateBatch(f.addrs))
  if (mapTranslate(f) !== N) throw new Error('bench fixture: the Map baseline missed')

  const js = await measureRate(() => mapTranslate(f), N, { samples, ms })
  // the Map's floor: keys made once, outside the timed loop (a caller that already holds the text)
  const keys = f.addrs.map((a) => a.base().toString())
  const offsets = f.addrs.map((a) => a.offset)
  const jsPre = await measureRate(() => {
    let hit = 0
    for (let i = 0; i < keys.length; i++) { const e = f.map.get(keys[i]); if (e !== undefined && offsets[i] < e.size) hit++ }
    return hit
  }, N, { samples, ms })
  opts.log(`nat-translate: JS Map<string> ${(js / 1e6).toFixed(2)} M/s`)
  const batch = await measureRate(() => wasm.translateBatch(f.addrs), N, { samples, ms })
  const batchRef = await measureRate(() => ref.translateBatch(f.addrs), N, { samples, ms })
  const single = await measureRate(() => { let h = 0; for (const a of f.addrs) if (wasm.translate(a) !== undefined) h++; return h }, N, { samples, ms })
  opts.log(`nat-translate: batch wasm ${(batch / 1e6).toFixed(2)} M/s, batch ts ${(batchRef / 1e6).toFixed(2)} M/s, single wasm ${(single / 1e6).toFixed(2)} M/s`)

  // cold path: every lookup misses the table and is resolved from ledger state (a Map-backed StateReader holding the real encodings)
  const state = new Map<string, Uint8Array>()
  for (const a of f.records) {
    state.set(KEY_ASSET + toHex(a.id), encodeCanonical(AssetRecord, a))
    state.set(addressKey(a.owner, a.kind, a.slot), a.id)
  }
  const self = new Uint8Array(32).fill(9)
  const cold = new Translator(new NatTable(await loadKernelModule('simd')), { source: { state: () => ({ get: (k: string) => state.get(k) }), self, hasStake: () => true } })
  const coldSlice = f.addrs.slice(0, 512)
  const miss = await measureRate(() => {
    let h = 0
    for (const a of coldSlice) if (cold.translate(a) !== undefined) h++
    for (const r of f.records.slice(0, 512)) cold.invalidate(r.id)
    return h
  }, coldSlice.length, { samples, ms })

  const texts = f.addrs.slice(0, 1024).map((a) => a.toString())
  const parse = await measureRate(() => { for (const t of texts) GlobalAddress.parse(t) }, texts.length, { samples, ms })
  const isIp = await measureRate(() => { for (const t of texts) net.isIPv6(t) }, texts.length, { samples, ms })

  const note = `${N} Memory assets, one address in each (scattered offsets); Map baseline builds the text key and checks bounds`
  return [
    rateRow('address translation, batch (core-wasm table)', batch, 'lookups/s', 'JS Map<string> keyed by the address text', js, note),
    rateRow('address translation, batch (core-wasm table) vs prebuilt keys', batch, 'lookups/s', 'JS Map<string>, text keys made before timing', jsPre, 'the Map baseline here does no key building: its floor'),
    rateRow('address translation, batch (TypeScript table)', batchRef, 'lookups/s', 'JS Map<string> keyed by the address text', js, note),
    rateRow('address translation, one call each (core-wasm table)', single, 'lookups/s', 'JS Map<string> keyed by the address text', js, note),
    rateRow('address translation, cache miss resolved from ledger state', miss, 'lookups/s', 'JS Map<string> keyed by the address text', js, 'index → record decode → privacy rules → table insert; the 512 entries are invalidated after each pass (included)'),
    rateRow('GlobalAddress.parse (IPv6 text → address)', parse, 'parses/s', 'node:net isIPv6 (validation only)', isIp, '1024 canonical texts')
  ]
}
