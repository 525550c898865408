import { describe, expect, it } from 'vitest'
import {
  CaesarRule, KEY_RECEIPT, KIND_MINT, MintOpCoder, ReceiptKind, auditCaesar, readSupply, receiptCredit, receiptId, receiptMessage,
  signReceipt, verifyReceipt, type Receipt, type SignedReceipt
} from '../../ts/caesar/index.ts'
import { DOMAINS, sign } from '../../ts/identity/index.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { CHAIN, GENESIS_TIME, HOUR, expectRefused, ids, keys, makeBench } from './_setup.ts'

// Node 3 provides memory, node 2 reads it and signs the receipt; node 4 (key 5) is not registered.
const PROVIDER = ids[3]; const CONSUMER = ids[2]
const base: Receipt = { chain: CHAIN, kind: ReceiptKind.MemoryServed, bytes: 10n * 1024n * 1024n, epoch: 4, provider: PROVIDER, consumer: CONSUMER, nonce: 1n }
const signed = signReceipt(keys[2].secretKey, base)
const mintOp = (s: SignedReceipt): Uint8Array => MintOpCoder.encode({ type: 'receipt', value: s })
const at = (epoch: number): number => GENESIS_TIME + epoch * HOUR

describe('receipt mint (FALCON-1024 receipts signed by the other side)', () => {
  it('a valid receipt mints floor(bytes · rate) to the provider, once', () => {
    expect(verifyReceipt(keys[2].publicKey, signed)).toBe(true)
    const b = makeBench()
    const credit = receiptCredit(base, b.caesar.config)
    expect(credit).toBe(10240n) // 10 MiB at 1 micro-credit per KiB
    expect(b.exec(KIND_MINT, PROVIDER, mintOp(signed), at(5))).toBeNull()
    expect(b.caesar.balanceOf(b.state, PROVIDER, 5)).toBe(10240n)
    expect(readSupply(b.state).minted).toBe(15n * 10n ** 11n + 10240n)
    expect(b.state.get(KEY_RECEIPT + toHex(receiptId(base)))).toBeDefined()
    expect(auditCaesar(b.state).holds).toBe(true)
    // Relay receipts use the relay rate (1 per 4 KiB).
    expect(receiptCredit({ ...base, kind: ReceiptKind.RelayBytes }, b.caesar.config)).toBe(2560n)
  })

  it('a replayed receipt mints nothing — also when re-signed (FALCON signatures differ, the message does not)', () => {
    const b = makeBench()
    expect(b.exec(KIND_MINT, PROVIDER, mintOp(signed), at(5))).toBeNull()
    expectRefused(b, CaesarRule.Replay, () => b.exec(KIND_MINT, PROVIDER, mintOp(signed), at(6)))
    const again = signReceipt(keys[2].secretKey, base)
    expect(toHex(again.signature)).not.toBe(toHex(signed.signature))
    expectRefused(b, CaesarRule.Replay, () => b.exec(KIND_MINT, PROVIDER, mintOp(again), at(6)))
    // A new nonce is a new receipt.
    expect(b.exec(KIND_MINT, PROVIDER, mintOp(signReceipt(keys[2].secretKey, { ...base, nonce: 2n })), at(6))).toBeNull()
    expect(auditCaesar(b.state).holds).toBe(true)
  })

  it('tampered receipts are refused: more bytes, another provider, flipped signature bit, wrong domain, unsigned', () => {
    const b = makeBench()
    expectRefused(b, CaesarRule.BadSignature, () => b.exec(KIND_MINT, PROVIDER, mintOp({ ...signed, receipt: { ...base, bytes: base.bytes * 2n } }), at(5)))
    const sig = signed.signature.slice(); sig[sig.length - 3] ^= 0x10
    expectRefused(b, CaesarRule.BadSignature, () => b.exec(KIND_MINT, PROVIDER, mintOp({ receipt: base, signature: sig }), at(5)))
    const otherDomain = sign(keys[2].secretKey, DOMAINS.Transfer, receiptMessage(base))
    expectRefused(b, CaesarRule.BadSignature, () => b.exec(KIND_MINT, PROVIDER, mintOp({ receipt: base, signature: otherDomain }), at(5)))
    expectRefused(b, CaesarRule.BadSignature, () => b.exec(KIND_MINT, PROVIDER, mintOp({ receipt: base, signature: new Uint8Array(1) }), at(5)))
    // Signed by the provider itself while naming the consumer.
    const byProvider = signReceipt(keys[3].secretKey, base)
    expectRefused(b, CaesarRule.BadSignature, () => b.exec(KIND_MINT, PROVIDER, mintOp(byProvider), at(5)))
    // Re-targeted to another provider: the signature no longer covers it, and the claimant must be the provider.
    const retarget = { ...signed, receipt: { ...base, provider: ids[1] } }
    expectRefused(b, CaesarRule.BadSignature, () => b.exec(KIND_MINT, ids[1], mintOp(retarget), at(5)))
    expectRefused(b, CaesarRule.WrongProvider, () => b.exec(KIND_MINT, ids[1], mintOp(signed), at(5)))
    expectRefused(b, CaesarRule.Malformed, () => b.exec(KIND_MINT, PROVIDER, mintOp(signed).subarray(0, 50), at(5)))
  })

  it('self-dealing (one node at both ends) earns nothing', () => {
    const b = makeBench()
    const self = signReceipt(keys[3].secretKey, { ...base, consumer: PROVIDER })
    expectRefused(b, CaesarRule.SelfDealing, () => b.exec(KIND_MINT, PROVIDER, mintOp(self), at(5)))
  })

  it('a consumer that is not a registered node, another chain, a future or a stale epoch are refused', () => {
    const b = makeBench()
    const unknown = signReceipt(keys[4].secretKey, { ...base, consumer: ids[4] })
    expectRefused(b, CaesarRule.UnknownCounterparty, () => b.exec(KIND_MINT, PROVIDER, mintOp(unknown), at(5)))
    const otherChain = signReceipt(keys[2].secretKey, { ...base, chain: new Uint8Array(32) })
    expectRefused(b, CaesarRule.Malformed, () => b.exec(KIND_MINT, PROVIDER, mintOp(otherChain), at(5)))
    expectRefused(b, CaesarRule.FutureEpoch, () => b.exec(KIND_MINT, PROVIDER, mintOp(signed), at(3)))
    expectRefused(b, CaesarRule.StaleReceipt, () => b.exec(KIND_MINT, PROVIDER, mintOp(signed), at(4 + 25)))
    expect(b.exec(KIND_MINT, PROVIDER, mintOp(signed), at(4 + 24))).toBeNull() // last epoch of the window
  })

  it('a receipt worth less than one micro-credit is refused (mints nothing, burns no nonce)', () => {
    const b = makeBench()
    const tiny = signReceipt(keys[2].secretKey, { ...base, bytes: 1000n })
    expectRefused(b, CaesarRule.ZeroAmount, () => b.exec(KIND_MINT, PROVIDER, mintOp(tiny), at(5)))
  })
})
