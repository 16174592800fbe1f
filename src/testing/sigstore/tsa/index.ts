/**
 * `createTsa()`: an RFC 3161 timestamp authority double speaking sigstore/timestamp-authority's
 * API, to be served with `serveOnLoopback` alongside the other Sigstore doubles. It is the real
 * server with its in-memory signer and default flags (`cmd/timestamp-server/app/root.go`): an
 * ECDSA P-256 chain of its own (`tsa-ca.ts`), policy 1.3.6.1.4.1.57264.2, the chain left out of
 * answers unless asked for, no custom extensions. It returns what a trusted root and a signing
 * config need to name it, and a fault switch.
 *
 * Deliberately not here: the server (`../service.ts`), composing the other services.
 */
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { InvalidArgumentError } from '../../../errors/base.js';
import { toBase64 } from '../../../internal/bytes.js';
import { encodePem } from '../../../keys/pem.js';
import type { ServiceHandler } from '../service.js';
import { createTsaFaults, type TsaFaults } from './faults.js';
import { TIMESTAMP_PATH, tsaHandler } from './tsa-api.js';
import { createTsaChain } from './tsa-ca.js';

export type { TsaFaultKind, TsaFaultOptions, TsaFaults } from './faults.js';

/** Options of {@link createTsa}, named after the real server's flags. */
export interface CreateTsaOptions {
  /** The clock stamped into `genTime` (default: the system clock). The chain is made at its first reading. */
  readonly clock?: () => Date;
  /** `--include-chain-in-response` (default false): with certificates asked for, add the intermediate and root. */
  readonly includeChainInResponse?: boolean;
  /** `--use-http-201` (default false). */
  readonly useHttp201?: boolean;
  /** `--default-policy-oid` (default `1.3.6.1.4.1.57264.2`). */
  readonly defaultPolicyOid?: string;
  /** `--accepted-policy-oids` (default: the default policy alone). */
  readonly acceptedPolicyOids?: readonly string[];
}

/** A `timestampAuthorities[]` entry of a trusted root, in protobuf-specs JSON. */
export interface TimestampAuthorityJson {
  readonly subject: { readonly organization: string; readonly commonName: string };
  readonly uri: string;
  readonly certChain: { readonly certificates: readonly { readonly rawBytes: string }[] };
  readonly validFor: { readonly start: string };
}

/** A `tsaUrls[]` entry of a signing config (protobuf-specs `Service`), in JSON. */
export interface TsaServiceJson {
  readonly url: string;
  readonly majorApiVersion: number;
  readonly validFor: { readonly start: string };
  readonly operator: string;
}

/** The TSA double. */
export interface TestTsa {
  /** Answers `POST /api/v1/timestamp` and `GET /api/v1/timestamp/certchain`. */
  readonly handler: ServiceHandler;
  /** The chain as `GET /api/v1/timestamp/certchain` serves it: signing certificate, intermediate, root. */
  readonly certChainPem: string;
  /** The same chain as DER, in the same order. */
  readonly certificates: readonly Uint8Array[];
  /** The trusted-root entry naming this TSA served at `baseUrl` (`http://127.0.0.1:<port>`). */
  timestampAuthority(baseUrl: string): TimestampAuthorityJson;
  /** The signing-config entry naming this TSA served at `baseUrl`. */
  signingConfigService(baseUrl: string): TsaServiceJson;
  readonly faults: TsaFaults;
  /** Requests received per operation, faulted ones included. */
  readonly calls: Readonly<{ timestamp: number; certchain: number }>;
}

const SIGSTORE_POLICY = '1.3.6.1.4.1.57264.2';
const DOTTED_OID = /^[0-2](\.\d+)+$/;

function checkOid(value: unknown, name: string): void {
  if (typeof value !== 'string' || !DOTTED_OID.test(value))
    throw new InvalidArgumentError(`${name} must be a dotted OID such as ${SIGSTORE_POLICY}`);
}

function checkOptions(options: CreateTsaOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('createTsa takes an options object');
  if (options.clock !== undefined && typeof options.clock !== 'function')
    throw new InvalidArgumentError('clock must be a function returning a Date');
  for (const flag of ['includeChainInResponse', 'useHttp201'] as const)
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean')
      throw new InvalidArgumentError(`${flag} must be a boolean`);
  if (options.defaultPolicyOid !== undefined) checkOid(options.defaultPolicyOid, 'defaultPolicyOid');
  if (options.acceptedPolicyOids !== undefined) {
    if (!Array.isArray(options.acceptedPolicyOids))
      throw new InvalidArgumentError('acceptedPolicyOids must be an array of dotted OIDs');
    for (const [i, oid] of options.acceptedPolicyOids.entries()) checkOid(oid, `acceptedPolicyOids[${i}]`);
  }
}

function readClock(clock: () => Date): Date {
  const now = clock();
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new InvalidArgumentError('clock must return a valid Date');
  return now;
}

/** A new TSA double with a chain of its own, made now (or at `clock()`'s first reading). */
export async function createTsa(options: CreateTsaOptions = {}): Promise<TestTsa> {
  checkOptions(options);
  const clock = options.clock ?? (() => new Date());
  const engine = new pkijs.CryptoEngine({ name: 'ocisign-tsa', crypto: webcrypto });
  const chain = await createTsaChain({ now: readClock(clock), engine });
  const ordered = [chain.leaf, chain.intermediate, chain.root];
  const certificates = ordered.map((c) => c.der);
  const certChainPem = certificates.map((der) => encodePem('CERTIFICATE', der)).join('');
  const defaultPolicy = options.defaultPolicyOid ?? SIGSTORE_POLICY;
  const faultController = createTsaFaults();
  const calls = { timestamp: 0, certchain: 0 };
  const handler = tsaHandler({
    timestampOptions: { chain, engine, defaultPolicy, includeChain: options.includeChainInResponse ?? false },
    policyRules: { acceptedPolicies: options.acceptedPolicyOids ?? [defaultPolicy] },
    certChainPem,
    clock: () => readClock(clock),
    useHttp201: options.useHttp201 ?? false,
    faults: faultController,
    calls,
  });
  const start = chain.root.certificate.notBefore.value.toISOString().replace('.000Z', 'Z');
  return {
    handler,
    certChainPem,
    certificates,
    timestampAuthority: (baseUrl) => ({
      subject: { organization: 'local', commonName: 'Test TSA Root' },
      uri: `${baseUrl}${TIMESTAMP_PATH}`,
      certChain: { certificates: certificates.map((der) => ({ rawBytes: toBase64(der) })) },
      validFor: { start },
    }),
    signingConfigService: (baseUrl) => ({
      url: `${baseUrl}${TIMESTAMP_PATH}`,
      majorApiVersion: 1,
      validFor: { start },
      operator: 'ocisign-test',
    }),
    faults: faultController.switch,
    calls,
  };
}
