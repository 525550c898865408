/**
 * One signature domain per message type. A signature is only ever checked
 * under the domain of the message type it claims to be, so no signed object
 * can be reinterpreted as another.
 */
export const DOMAINS = Object.freeze({
  Binding: 'hypermesh/binding/v1',
  PoStake: 'hypermesh/postake/v1',
  Proposal: 'hypermesh/consensus/proposal/v1',
  Vote: 'hypermesh/consensus/vote/v1',
  Transaction: 'hypermesh/tx/v1',
  Capability: 'hypermesh/mem/capability/v1',
  RelayJoin: 'hypermesh/relay/join/v1',
  Receipt: 'hypermesh/receipt/v1',
  CertRequest: 'hypermesh/cert/request/v1',
  Cosignature: 'hypermesh/log/cosignature/v1',
  NameRegistration: 'hypermesh/name/v1',
  Transfer: 'hypermesh/wallet/transfer/v1',
  JobHello: 'hypermesh/jobs/hello/v1',
  JobResult: 'hypermesh/jobs/result/v1'
} as const)

export type DomainName = keyof typeof DOMAINS
export type Domain = (typeof DOMAINS)[DomainName]

/** Every domain string, for membership checks. */
export const DOMAIN_VALUES: ReadonlySet<string> = new Set(Object.values(DOMAINS))
