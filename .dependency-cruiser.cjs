/**
 * The layer rules of ARCHITECTURE.md ("imports only point down; no cycles"),
 * checked by dependency-cruiser (`npm run lint:deps`, and a test in
 * test/arch/layers.spec.ts so CI runs it):
 *
 *   hosts      node-host/  browser-host/  edge-relay/
 *   services   ts/vm ts/jobs ts/caesar ts/trustchain ts/nat ts/assets ts/monitor
 *   replicate  ts/consensus ts/ledger
 *   proofs     ts/proofs
 *   base       ts/stoq ts/identity ts/wire ts/wasm (+ ts/errors.ts)
 *   kernel     core-wasm/
 *
 * One deviation from the picture: ARCHITECTURE.md lists ts/monitor among the
 * services, but it is the metrics registry every layer reports into (ts/stoq
 * counts bytes and dials with it) and imports nothing of ours except
 * ts/errors.ts. It is checked as a leaf: ts/monitor may import only
 * ts/errors.ts, and anything may import it.
 */
const HOSTS = '^(node-host|browser-host|edge-relay)/'
const SERVICES = '^ts/(vm|jobs|caesar|trustchain|nat|assets)/'
const REPLICATE = '^ts/(consensus|ledger)/'
const PROOFS = '^ts/proofs/'

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycle anywhere', from: {}, to: { circular: true } },
    { name: 'ts-never-imports-a-host', severity: 'error', comment: 'ts/ is shared by every host; host code lives in the host folder', from: { path: '^ts/' }, to: { path: HOSTS } },
    { name: 'ts-no-host-storage', severity: 'error', comment: 'LevelDB, IndexedDB and the file system are host adapters behind interfaces ts/ defines', from: { path: '^ts/' }, to: { path: '(^|/)node_modules/(classic-level|idb|fake-indexeddb)/|^(fs|fs/promises|node:fs|node:fs/promises)$', dependencyTypesNot: ['type-only'] } },
    { name: 'replicate-not-up', severity: 'error', comment: 'ledger and consensus never import a service (trustchain depends on them, never the reverse)', from: { path: REPLICATE }, to: { path: SERVICES } },
    { name: 'proofs-not-up', severity: 'error', comment: 'proofs sit below ledger and consensus', from: { path: PROOFS }, to: { path: `${REPLICATE}|${SERVICES}` } },
    { name: 'base-not-up', severity: 'error', comment: 'the base layer imports only the base layer and the kernel', from: { path: '^ts/(stoq|identity|wire|wasm)/|^ts/errors\\.ts$' }, to: { path: `${PROOFS}|${REPLICATE}|${SERVICES}` } },
    { name: 'monitor-is-leaf', severity: 'error', comment: 'the metrics registry imports nothing of ours but ts/errors.ts', from: { path: '^ts/monitor/' }, to: { path: '^(ts/(?!monitor/|errors\\.ts$)|node-host/|browser-host/|edge-relay/|core-wasm/)' } },
    { name: 'kernel-is-leaf', severity: 'error', comment: 'core-wasm imports nothing of ours above it', from: { path: '^core-wasm/' }, to: { path: '^(ts|node-host|browser-host|edge-relay)/' } },
    { name: 'not-to-unresolvable', severity: 'error', comment: 'an import that does not resolve is a broken build', from: {}, to: { couldNotResolve: true } }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|build|generated/.+\\.wasm)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } }
  }
}
