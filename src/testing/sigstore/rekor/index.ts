/**
 * `createRekor()`: a Rekor-compatible transparency log double — the Rekor v1 REST API and the
 * Rekor v2 (rekor-tiles) write API, each over its own RFC 6962 tree with its own key, as one
 * {@link ServiceHandler} to serve with `serveOnLoopback`. It checks proposed entries as Rekor does
 * (signatures verified, algorithms allowed), logs the canonicalized body Rekor would, and answers
 * with SETs, inclusion proofs and signed checkpoints that real verifiers accept; its faults make it
 * fail as a real one can. Keys: ECDSA P-256 for v1 (as rekor.sigstore.dev), Ed25519 for v2 by
 * default (as log2025-1.rekor.sigstore.dev). Nothing here is for production: entries live in
 * memory and die with the double.
 */
import { randomBytes } from 'node:crypto';
import { toBase64, toHex } from '../../../internal/bytes.js';
import type { ServiceHandler } from '../service.js';
import { noteKeyId } from './checkpoint.js';
import { createRekorFaults, type RekorFaults } from './faults.js';
import { generateLogKey, type LogKey, type LogKeyAlgorithm } from './log-key.js';
import { rekorV1Handler } from './rekor-v1.js';
import { rekorV2Handler } from './rekor-v2.js';
import { type LoggedEntry, TransparencyLog } from './transparency-log.js';

export type { EvidenceTampering, RekorFaultKind, RekorFaultOptions, RekorFaults } from './faults.js';
export type { LogKeyAlgorithm } from './log-key.js';
export type { LoggedEntry } from './transparency-log.js';

/** Options of {@link createRekor}. */
export interface CreateRekorOptions {
  /**
   * The name both logs sign their checkpoints as — Rekor v1's `rekor_server.hostname`, the
   * default Rekor v2 origin. Default `127.0.0.1`: sigstore-js accepts a checkpoint only when this
   * name matches (as a regular expression) the trusted root's `baseUrl` for the log, so it must be
   * part of the URL the double is served at.
   */
  readonly hostname?: string;
  /** The clock entries are integrated by; default the system clock. */
  readonly clock?: () => Date;
  /** Start of the keys' `validFor` window in trusted roots; default the clock's now, to the second. */
  readonly validFrom?: Date;
  readonly v1?: {
    /** The active shard's tree ID; default random. */
    readonly treeId?: bigint;
    /**
     * Entries in earlier shards (default 0): the SET and `logIndex` carry the virtual index, the
     * inclusion proof the shard-local one, as on the public instance.
     */
    readonly logIndexOffset?: number;
  };
  readonly v2?: {
    /** The checkpoint origin and note name; default {@link CreateRekorOptions.hostname}. */
    readonly origin?: string;
    /** The checkpoint key; default `ed25519`. */
    readonly keyAlgorithm?: LogKeyAlgorithm;
    /**
     * Log `dsseRequestV002` entries (rekor-tiles before #744; what @sigstore/sign 4 sends for DSSE
     * bundles) instead of refusing them as rekor-tiles does since. Default true.
     */
    readonly acceptDsse?: boolean;
  };
}

/** A `tlogs[]` member of a Sigstore `trusted_root.json`, as protojson writes it. */
export interface TrustedRootTlog {
  readonly baseUrl: string;
  readonly hashAlgorithm: 'SHA2_256';
  readonly publicKey: {
    readonly rawBytes: string;
    readonly keyDetails: string;
    readonly validFor: { readonly start: string };
  };
  readonly logId: { readonly keyId: string };
  readonly checkpointKeyId?: { readonly keyId: string };
}

/** What a trusted root needs of one of the double's logs. */
export interface RekorLogMaterial {
  readonly publicKeyPem: string;
  /** PKIX DER. */
  readonly publicKeyDer: Uint8Array;
  readonly keyDetails: string;
  /** The log ID entries carry (bytes; hex in {@link logIdHex}). */
  readonly logId: Uint8Array;
  readonly logIdHex: string;
  readonly validFrom: Date;
  /** This log as a trusted root lists it, served at `baseUrl` (e.g. the loopback URL). */
  tlog(baseUrl: string): TrustedRootTlog;
}

/** The Rekor v1 log: log ID = SHA-256 of the key's DER. */
export interface RekorV1Material extends RekorLogMaterial {
  readonly hostname: string;
  readonly treeId: bigint;
  readonly logIndexOffset: number;
}

/** The Rekor v2 log: log ID = checkpoint key ID = the C2SP note key ID of its origin and key. */
export interface RekorV2Material extends RekorLogMaterial {
  readonly origin: string;
  readonly checkpointKeyId: Uint8Array;
  readonly acceptsDsse: boolean;
}

/** A Rekor double: serve {@link handler}; put {@link v1} and {@link v2} in the trusted root. */
export interface Rekor {
  readonly handler: ServiceHandler;
  readonly v1: RekorV1Material;
  readonly v2: RekorV2Material;
  readonly faults: RekorFaults;
  /** Every entry logged so far: v1's in log order, then v2's. */
  entries(): readonly LoggedEntry[];
}

function randomTreeId(): bigint {
  const id = BigInt(`0x${randomBytes(8).toString('hex')}`) & 0x7fff_ffff_ffff_ffffn;
  return id === 0n ? 1n : id;
}

function material(
  key: LogKey,
  logId: Uint8Array,
  validFrom: Date,
  checkpointKeyId?: Uint8Array,
): RekorLogMaterial {
  return {
    publicKeyPem: key.publicKeyPem,
    publicKeyDer: key.publicKeyDer,
    keyDetails: key.keyDetails,
    logId,
    logIdHex: toHex(logId),
    validFrom,
    tlog: (baseUrl) => ({
      baseUrl,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: toBase64(key.publicKeyDer),
        keyDetails: key.keyDetails,
        validFor: { start: validFrom.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      },
      logId: { keyId: toBase64(logId) },
      ...(checkpointKeyId === undefined ? {} : { checkpointKeyId: { keyId: toBase64(checkpointKeyId) } }),
    }),
  };
}

/** A new Rekor double with fresh keys and empty logs. */
export function createRekor(options: CreateRekorOptions = {}): Rekor {
  const clock = options.clock ?? (() => new Date());
  const hostname = options.hostname ?? '127.0.0.1';
  const validFrom = options.validFrom ?? new Date(Math.floor(clock().getTime() / 1000) * 1000);
  const logIndexOffset = options.v1?.logIndexOffset ?? 0;
  if (!Number.isSafeInteger(logIndexOffset) || logIndexOffset < 0)
    throw new RangeError('v1.logIndexOffset must be a non-negative integer');
  const faults = createRekorFaults();

  const v1Key = generateLogKey('ecdsa-p256');
  const v1 = {
    log: new TransparencyLog('v1', clock, logIndexOffset),
    key: v1Key,
    hostname,
    treeId: options.v1?.treeId ?? randomTreeId(),
    strangerKey: generateLogKey('ecdsa-p256'),
  };
  const v2Algorithm = options.v2?.keyAlgorithm ?? 'ed25519';
  const v2Key = generateLogKey(v2Algorithm);
  const origin = options.v2?.origin ?? hostname;
  const keyId = noteKeyId(origin, v2Key);
  const v2 = {
    log: new TransparencyLog('v2', clock),
    key: v2Key,
    origin,
    keyId,
    acceptDsse: options.v2?.acceptDsse ?? true,
    strangerKey: generateLogKey(v2Algorithm),
  };

  const handleV1 = rekorV1Handler(v1, faults);
  const handleV2 = rekorV2Handler(v2, faults);
  return {
    handler: async (request) => (await handleV1(request)) ?? handleV2(request),
    v1: {
      ...material(v1Key, v1Key.derSha256, validFrom),
      hostname,
      treeId: v1.treeId,
      logIndexOffset,
    },
    v2: {
      ...material(v2Key, keyId, validFrom, keyId),
      origin,
      checkpointKeyId: keyId,
      acceptsDsse: v2.acceptDsse,
    },
    faults: faults.switch,
    entries: () => [...v1.log.entries(), ...v2.log.entries()],
  };
}
