/**
 * `trustedRootFromPems`: a trusted root for a private Sigstore instance, or for Kyverno's `roots`
 * and `rekor.pubkey` / `ctlog.pubkey` fields, built from PEM: CA certificates, Rekor and CT log
 * public keys, a TSA chain. Certificates are sorted into chains as protobuf-specs orders them
 * (from the certificate furthest from the anchor to the anchor, which is last); one CA entry per
 * chain, so a root with two intermediates under it gives two entries.
 *
 * Everything is trusted from the Unix epoch on with no end (`validFor.start` =
 * 1970-01-01T00:00:00Z): PEM carries no window of its own, and the certificates' own validity is
 * checked at verification anyway. Log IDs are SHA-256 of each key's DER SubjectPublicKeyInfo.
 *
 * Deliberately not here: checking that the keys or CAs are the right ones (that is the caller's
 * choice), or fetching anything.
 */
import type { X509Certificate } from '@sigstore/core';
import { InvalidArgumentError } from '../errors/base.js';
import { toBase64 } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import { decodePemBlocks } from '../keys/pem.js';
import { keyDetailsOf } from './key-details.js';
import {
  isTrustedRoot,
  parseCertificate,
  readTrustedRoot,
  TRUSTED_ROOT_MEDIA_TYPE,
  type TrustedRoot,
} from './trusted-root.js';

/** The PEM inputs of {@link trustedRootFromPems}. */
export interface TrustedRootPems {
  /**
   * Fulcio CA certificates, PEM: roots and intermediates, in any order (cosign's `--ca-roots` plus
   * `--ca-intermediates`). Required unless `base` gives the certificate authorities.
   */
  readonly fulcio?: string;
  /** Rekor public keys, PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`); several per text are read. */
  readonly rekor?: string | readonly string[];
  /** CT log public keys, PEM, as for `rekor`. */
  readonly ctlog?: string | readonly string[];
  /** A timestamp authority's chain, PEM: its signing certificate, intermediates and root, in any order. */
  readonly tsa?: string;
  /**
   * Where the parts not given come from: a private CA with the public-good Rekor and CT logs
   * (`{ fulcio, base: shippedTrustedRoot() }`, cosign's `--ca-roots`), or the public-good CAs with a
   * private Rekor key (Kyverno's `rekor.pubkey`). A part given replaces the base's, never adds to it.
   */
  readonly base?: TrustedRoot;
}

/**
 * Most certificates one input may hold: sorting them into chains checks every pair's signature,
 * and a CA bundle for Sigstore is a handful (public-good's: three).
 */
const MAX_CERTIFICATES = 100;

/** When everything built here becomes valid: the Unix epoch. */
const EPOCH = '1970-01-01T00:00:00Z';

interface Parsed {
  readonly der: Uint8Array;
  readonly cert: X509Certificate;
}

function certificatesOf(pem: unknown, name: string, mustBeCa: boolean): Parsed[] {
  if (typeof pem !== 'string') throw new InvalidArgumentError(`${name} must be PEM text`);
  const blocks = decodePemBlocks(pem);
  if (blocks.length === 0) throw new InvalidArgumentError(`${name} holds no PEM certificate`);
  if (blocks.length > MAX_CERTIFICATES)
    throw new InvalidArgumentError(
      `${name} holds ${blocks.length} PEM blocks, more than the ${MAX_CERTIFICATES} read`,
    );
  const out: Parsed[] = [];
  for (const [i, block] of blocks.entries()) {
    const where = `${name}: PEM block ${i + 1}`;
    if (block.type !== 'CERTIFICATE')
      throw new InvalidArgumentError(`${where} is a "${block.type}", not a CERTIFICATE`);
    const cert = parseCertificate(block.bytes, where);
    if (mustBeCa && !cert.isCA)
      throw new InvalidArgumentError(`${where} is not a CA certificate (no basicConstraints CA:TRUE)`);
    // The same certificate twice is one certificate.
    if (!out.some((p) => Buffer.from(p.der).equals(block.bytes))) out.push({ der: block.bytes, cert });
  }
  return out;
}

/** Whether `parent` issued `child`: its subject is the child's issuer, and its key verifies the child. */
function issued(parent: Parsed, child: Parsed): boolean {
  if (parent === child || !parent.cert.subject.equals(child.cert.issuer)) return false;
  try {
    return child.cert.verify(parent.cert);
  } catch {
    return false;
  }
}

/**
 * The chains of `certs`: from each certificate that issued none of the others, up through its
 * issuers to one that has none among them (the trust anchor: a root, or an intermediate whose
 * issuer was not given).
 */
function chainsOf(certs: readonly Parsed[], name: string): Parsed[][] {
  const bottoms = certs.filter((c) => !certs.some((other) => issued(c, other)));
  const chains = bottoms.map((bottom) => {
    const chain = [bottom];
    for (;;) {
      const current = chain[chain.length - 1] as Parsed;
      const parent = certs.find((p) => issued(p, current) && !chain.includes(p));
      if (parent === undefined) return chain;
      chain.push(parent);
    }
  });
  // Only certificates that issue each other in a circle are on no chain.
  const left = certs.findIndex((c) => !chains.some((chain) => chain.includes(c)));
  if (left >= 0)
    throw new InvalidArgumentError(
      `${name}: certificate ${left + 1} is on no chain (certificates that issue each other in a circle)`,
    );
  return chains;
}

function authorityJson(chain: readonly Parsed[]): object {
  return {
    certChain: { certificates: chain.map((c) => ({ rawBytes: toBase64(c.der) })) },
    validFor: { start: EPOCH },
  };
}

function keysOf(input: unknown, name: string): PublicKey[] {
  if (input === undefined) return [];
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts)) throw new InvalidArgumentError(`${name} must be PEM text or a list of them`);
  return texts.flatMap((text: unknown, i) => {
    const where = typeof input === 'string' ? name : `${name}[${i}]`;
    if (typeof text !== 'string') throw new InvalidArgumentError(`${where} must be PEM text`);
    const blocks = decodePemBlocks(text);
    if (blocks.length === 0) throw new InvalidArgumentError(`${where} holds no PEM public key`);
    return blocks.map((block, j) => {
      const at = blocks.length === 1 ? where : `${where}: PEM block ${j + 1}`;
      if (block.type !== 'PUBLIC KEY' && block.type !== 'RSA PUBLIC KEY')
        throw new InvalidArgumentError(`${at} is a "${block.type}", not a PUBLIC KEY`);
      try {
        return importPublicKey(block.bytes);
      } catch (cause) {
        throw new InvalidArgumentError(`${at} is not a public key we can use`, { cause });
      }
    });
  });
}

function logJson(key: PublicKey): object {
  const der = key.toDer();
  return {
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: toBase64(der),
      keyDetails: keyDetailsOf(key),
      validFor: { start: EPOCH },
    },
    logId: { keyId: toBase64(backend().digest('sha256', der)) },
  };
}

/** The JSON members of a base root, or undefined without one. */
function baseMembers(base: TrustedRoot | undefined): Readonly<Record<string, unknown>> | undefined {
  if (base === undefined) return undefined;
  if (!isTrustedRoot(base))
    throw new InvalidArgumentError('trustedRootFromPems: base must be a trusted root from ocisign/sigstore');
  return base.json as Readonly<Record<string, unknown>>;
}

/**
 * A trusted root from PEM, for a private Sigstore instance or Kyverno's `roots` / `pubkey` fields:
 * one certificate authority per chain in `fulcio`, one Rekor log per key in `rekor`, one CT log
 * per key in `ctlog`, one timestamp authority per chain in `tsa`, and what is not given from
 * `base` (nothing, without one). All built from PEM are trusted from the Unix epoch on with no
 * end; log IDs are SHA-256 of each key's DER SubjectPublicKeyInfo.
 *
 * @throws InvalidArgumentError naming the input (`fulcio: PEM block 2 …`, `rekor[1] …`) that is not
 * PEM, holds something other than certificates or public keys, or a key cosign would refuse.
 */
export function trustedRootFromPems(pems: TrustedRootPems): TrustedRoot {
  if (typeof pems !== 'object' || pems === null)
    throw new InvalidArgumentError('trustedRootFromPems takes { fulcio, rekor?, ctlog?, tsa?, base? }');
  const base = baseMembers(pems.base);
  if (pems.fulcio === undefined && base === undefined)
    throw new InvalidArgumentError(
      'trustedRootFromPems needs fulcio (CA certificates) unless a base root gives them',
    );
  const part = <T>(given: unknown, build: () => T[], member: string): unknown[] =>
    given !== undefined ? build() : ((base?.[member] as unknown[] | undefined) ?? []);
  const doc = {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: part(pems.rekor, () => keysOf(pems.rekor, 'rekor').map(logJson), 'tlogs'),
    certificateAuthorities: part(
      pems.fulcio,
      () => chainsOf(certificatesOf(pems.fulcio, 'fulcio', true), 'fulcio').map(authorityJson),
      'certificateAuthorities',
    ),
    ctlogs: part(pems.ctlog, () => keysOf(pems.ctlog, 'ctlog').map(logJson), 'ctlogs'),
    // A TSA's chain starts with its signing certificate, which is no CA.
    timestampAuthorities: part(
      pems.tsa,
      () => chainsOf(certificatesOf(pems.tsa, 'tsa', false), 'tsa').map(authorityJson),
      'timestampAuthorities',
    ),
  };
  return readTrustedRoot(doc, 'trustedRootFromPems');
}
