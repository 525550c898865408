/**
 * The node's WebTransport endpoint. Node cannot serve WebTransport (no
 * HTTP/3); Deno can, so the node issues a short-lived ECDSA P-256
 * certificate (@peculiar/x509; valid 13 days, as Chromium's
 * `serverCertificateHashes` requires ≤ 14), starts `gateway.deno.js` under
 * Deno with it, restarts it if it dies, and rotates the certificate at two
 * thirds of its life while still publishing the previous hash, so a page
 * that fetched the config just before keeps working. Pages get
 * `{ url, certHashes }` from /api/donate/config.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, webcrypto } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import 'reflect-metadata' // @peculiar/x509 (tsyringe) needs the Reflect metadata polyfill first
import * as x509 from '@peculiar/x509'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../..')
const DAY_MS = 86_400_000
/** Certificate lifetime: under Chromium's 14-day cap for hash-pinned certificates. */
export const CERT_LIFETIME_MS = 13 * DAY_MS

export class WebTransportUnavailableError extends Error {
  static override readonly name = 'WebTransportUnavailableError'
  override readonly name = 'WebTransportUnavailableError'
}

/** Where Deno is: the npm package's binary, else `deno` on PATH. */
export function findDeno (): string | null {
  for (const p of [path.join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno'), path.join(ROOT, 'node_modules/deno/deno')]) if (existsSync(p)) return p
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir !== '' && existsSync(path.join(dir, 'deno'))) return path.join(dir, 'deno')
  return null
}

export interface IssuedCert { certPem: string, keyPem: string, hash: string, notBefore: Date, notAfter: Date }

/** A fresh ECDSA P-256 self-signed certificate for 127.0.0.1 (SAN IP), valid `lifetimeMs`; hash = base64 SHA-256 of its DER. */
export async function issueCertificate (now = Date.now(), lifetimeMs = CERT_LIFETIME_MS): Promise<IssuedCert> {
  if (lifetimeMs > 14 * DAY_MS) throw new RangeError('a hash-pinned WebTransport certificate must be valid for at most 14 days')
  x509.cryptoProvider.set(webcrypto as unknown as Crypto)
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair
  const notBefore = new Date(now - 60_000)
  const notAfter = new Date(notBefore.getTime() + lifetimeMs)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256').update(String(now) + Math.random()).digest('hex').slice(0, 16),
    name: 'CN=hypermesh-webtransport',
    notBefore, notAfter, signingAlgorithm: alg, keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }])]
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`
  return { certPem: cert.toString('pem') + '\n', keyPem, hash: createHash('sha256').update(Buffer.from(cert.rawData)).digest('base64'), notBefore, notAfter }
}

export interface GatewayOptions {
  /** The node's /jobs/ws URL on loopback; the gateway adds ?via=webtransport. */
  upstream: string
  /** UDP port on 127.0.0.1 (0: any free one). */
  port: number
  log: (line: string) => void
  /** Published as the page's config changes (new port, rotated hashes). */
  onInfo?: (info: { url: string, certHashes: string[] } | null) => void
}

export class WebTransportGateway {
  private readonly o: GatewayOptions
  private readonly deno: string
  private dir = ''
  private child: ChildProcess | null = null
  private current: IssuedCert | null = null
  private previous: IssuedCert | null = null
  private port = 0
  private stopped = false
  private restarts = 0
  private rotateTimer: NodeJS.Timeout | undefined

  private constructor (o: GatewayOptions, deno: string) { this.o = o; this.deno = deno }

  /** Starts Deno with a fresh certificate; resolves once it listens. Throws WebTransportUnavailableError when Deno is missing or fails. */
  static async start (o: GatewayOptions): Promise<WebTransportGateway> {
    const deno = findDeno()
    if (deno === null) throw new WebTransportUnavailableError('Deno is not installed (npm package deno); pages will use WebSockets')
    const g = new WebTransportGateway(o, deno)
    g.dir = await mkdtemp(path.join(os.tmpdir(), 'hm-wt-'))
    g.current = await issueCertificate()
    try { await g.launch(o.port) } catch (err) { await rm(g.dir, { recursive: true, force: true }); throw err }
    g.scheduleRotation()
    return g
  }

  /** What the page needs: the URL and every hash it may meet (current first). */
  get info (): { url: string, certHashes: string[] } | null {
    if (this.current === null || this.port === 0 || this.child === null) return null
    const hashes = [this.current.hash]
    if (this.previous !== null && this.previous.notAfter.getTime() > Date.now()) hashes.push(this.previous.hash)
    return { url: `https://127.0.0.1:${this.port}/jobs`, certHashes: hashes }
  }

  get pid (): number | undefined { return this.child?.pid }

  private async launch (port: number): Promise<void> {
    const c = this.current!
    const certFile = path.join(this.dir, 'cert.pem')
    const keyFile = path.join(this.dir, 'key.pem')
    await writeFile(certFile, c.certPem, { mode: 0o600 })
    await writeFile(keyFile, c.keyPem, { mode: 0o600 })
    const upstream = this.o.upstream + (this.o.upstream.includes('?') ? '&' : '?') + 'via=webtransport'
    const child = spawn(this.deno, ['run', '--quiet', '--no-prompt', '--unstable-net', '--allow-net=127.0.0.1', `--allow-read=${this.dir}`, path.join(HERE, 'gateway.deno.js'), String(port), certFile, keyFile, upstream], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DENO_DIR: path.join(this.dir, 'deno-cache') }
    })
    this.child = child
    let out = ''
    child.stderr!.on('data', (d: Buffer) => { for (const l of String(d).split('\n')) if (l.trim() !== '') this.o.log(`webtransport: ${l.trim()}`) })
    this.port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => { reject(new WebTransportUnavailableError('the Deno WebTransport gateway did not start within 20 s')) }, 20_000)
      child.stdout!.on('data', (d: Buffer) => {
        out += String(d)
        const m = /READY (\d+)/.exec(out)
        if (m !== null) { clearTimeout(t); resolve(Number(m[1])) }
      })
      child.once('exit', (code) => { clearTimeout(t); reject(new WebTransportUnavailableError(`the Deno WebTransport gateway exited (${String(code)}) before listening`)) })
      child.once('error', (err) => { clearTimeout(t); reject(new WebTransportUnavailableError(`cannot run Deno: ${err.message}`)) })
    })
    child.once('exit', (code, sig) => {
      if (this.child !== child || this.stopped) return
      this.child = null
      this.o.onInfo?.(null)
      this.restarts++
      this.o.log(`webtransport: gateway exited (${String(code ?? sig)}); restarting (${this.restarts})`)
      const wait = Math.min(30_000, 500 * 2 ** Math.min(this.restarts, 6))
      setTimeout(() => { if (!this.stopped) void this.launch(this.port).then(() => this.o.onInfo?.(this.info), (err: Error) => this.o.log(`webtransport: restart failed: ${err.message}`)) }, wait).unref()
    })
    this.o.onInfo?.(this.info)
  }

  /** At two thirds of the certificate's life: a new one, the gateway restarted with it, both hashes published. */
  private scheduleRotation (): void {
    const c = this.current!
    const at = c.notBefore.getTime() + (c.notAfter.getTime() - c.notBefore.getTime()) * 2 / 3
    this.rotateTimer = setTimeout(() => { void this.rotate() }, Math.max(1000, Math.min(at - Date.now(), 2 ** 31 - 1)))
    this.rotateTimer.unref()
  }

  /** Rotates now (also used by tests): new certificate, gateway restarted on the same port, previous hash still published. */
  async rotate (): Promise<void> {
    if (this.stopped) return
    this.previous = this.current
    this.current = await issueCertificate()
    const old = this.child
    this.child = null
    if (old !== null && old.exitCode === null) {
      const gone = new Promise<void>((resolve) => { old.once('exit', () => resolve()) })
      old.kill('SIGTERM')
      await gone
    }
    await this.launch(this.port)
    this.o.log(`webtransport: certificate rotated (valid until ${this.current.notAfter.toISOString()})`)
    this.scheduleRotation()
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.rotateTimer)
    const c = this.child
    this.child = null
    if (c !== null && c.exitCode === null) {
      const gone = new Promise<void>((resolve) => { c.once('exit', () => resolve()) })
      c.kill('SIGTERM')
      const t = setTimeout(() => { c.kill('SIGKILL') }, 3000)
      await gone
      clearTimeout(t)
    }
    await rm(this.dir, { recursive: true, force: true })
  }
}
