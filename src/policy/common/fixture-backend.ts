/**
 * A `VerificationBackend` over recorded evidence instead of a registry: which keys signed which
 * image, its attestations, keyless identities, and hosts that are down or answer with an error.
 * For dry-running policies in CI and tests (`ocisign policy test --fixtures`), which Kyverno's CLI
 * cannot do. Images are keyed by Kyverno's normalized tag form (`docker.io/nginx:1.25`); digest
 * references find the image by digest.
 */
import { RegistryError } from '../../errors/registry.js';
import { own } from '../../internal/shape.js';
import { importPublicKey, publicKeyFingerprint } from '../../keys/index.js';
import type { VerificationBackend } from './backend.js';
import type { Attestor } from './types.js';
import { matchImagePattern } from './wildcard.js';

/**
 * What is recorded about one image: its digest, who signed it, its attestations and keyless
 * signatures.
 */
export interface ImageEvidence {
  readonly digest: string;
  /** Who signed the image (see `FixtureBackendOptions.signerMatches`). */
  readonly signatures?: readonly string[];
  /** Whether the signatures carry transparency-log evidence (needed unless `rekor.ignoreTlog`). */
  readonly tlog?: boolean;
  readonly attestations?: ReadonlyArray<{
    readonly type: string;
    readonly signedBy: string;
    readonly predicate: unknown;
  }>;
  /** Keyless signatures: the certificate's SAN, OIDC issuer, and the root it chains to. */
  readonly keyless?: ReadonlyArray<{
    readonly chainsTo: string;
    readonly san: string;
    readonly issuerExt: string;
    readonly tlog: boolean;
    readonly sct: boolean;
  }>;
}

/**
 * How {@link fixtureBackend} matches attestors to recorded signers, and which registries it
 * pretends are down.
 */
export interface FixtureBackendOptions {
  /**
   * Whether a `keys` attestor accepts a signer named in the evidence. Default: the signer is a PEM
   * public key and the attestor's key is the same key.
   */
  readonly signerMatches?: (attestor: Attestor, signer: string) => boolean;
  /** Registries that refuse connections (a Kyverno `error`). */
  readonly unreachableHosts?: readonly string[];
  /** Registries that answer every request with this HTTP status (a Kyverno `fail`). */
  readonly httpStatus?: Readonly<Record<string, number>>;
}

function sameKey(attestor: Attestor, signer: string): boolean {
  const pem = attestor.keys?.publicKeys;
  if (pem === undefined) return false;
  try {
    return publicKeyFingerprint(importPublicKey(pem)) === publicKeyFingerprint(importPublicKey(signer));
  } catch {
    return false;
  }
}

/** The backend, with `calls` recording every question it was asked (`signatures <image>`, …). */
export function fixtureBackend(
  images: Readonly<Record<string, ImageEvidence>>,
  options: FixtureBackendOptions = {},
): VerificationBackend & { readonly calls: string[] } {
  const calls: string[] = [];
  const signerMatches = options.signerMatches ?? sameKey;
  const reach = (image: string, what: string): ImageEvidence => {
    calls.push(`${what} ${image}`);
    const host = image.slice(0, image.indexOf('/'));
    if (options.unreachableHosts?.includes(host))
      throw new RegistryError(
        'REGISTRY_UNREACHABLE',
        `GET https://${host}/v2/: dial tcp: connection refused`,
      );
    const status = options.httpStatus === undefined ? undefined : own(options.httpStatus, host);
    if (typeof status === 'number')
      throw new RegistryError('REGISTRY_RESPONSE', `GET https://${host}/v2/: unexpected status ${status}`, {
        status,
      });
    const at = image.indexOf('@');
    const found =
      at >= 0
        ? Object.values(images).find((i) => i.digest === image.slice(at + 1))
        : (own(images, image) as ImageEvidence | undefined);
    if (found === undefined)
      throw new RegistryError('NOT_FOUND', `MANIFEST_UNKNOWN: ${image}`, { status: 404 });
    return found;
  };

  return {
    calls,
    async verifySignatures({ image, attestor }) {
      const found = reach(image, 'signatures');
      if (attestor.keys !== undefined) {
        if (!(found.signatures ?? []).some((s) => signerMatches(attestor, s)))
          throw new Error(
            'no matching signatures: invalid signature when validating ASN.1 encoded signature',
          );
        if (attestor.keys.rekor?.ignoreTlog !== true && found.tlog !== true)
          throw new Error('no matching signatures: signature not found in transparency log');
        return { digest: found.digest };
      }
      if (attestor.keyless !== undefined) {
        const k = attestor.keyless as Readonly<Record<string, unknown>>;
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const ok = (found.keyless ?? []).some(
          (sig) =>
            (text(k.roots) ?? '').includes(sig.chainsTo) &&
            sig.tlog &&
            sig.sct &&
            (text(k.subject) === undefined || matchImagePattern(text(k.subject) as string, sig.san)) &&
            (text(k.issuer) === undefined || matchImagePattern(text(k.issuer) as string, sig.issuerExt)),
        );
        if (!ok) throw new Error('no matching signatures: none of the expected identities matched');
        return { digest: found.digest };
      }
      throw new Error('no matching signatures: certificate does not chain to the Sigstore public-good roots');
    },
    async fetchAttestations({ image, attestor }) {
      const found = reach(image, 'attestations');
      const statements = (found.attestations ?? [])
        .filter((a) => attestor.keys !== undefined && signerMatches(attestor, a.signedBy))
        .map((a) => ({
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: a.type,
          predicate: a.predicate,
        }));
      if (statements.length === 0) throw new Error('no matching attestations: no valid attestations found');
      return { digest: found.digest, statements };
    },
    async resolveDigest(image) {
      return reach(image, 'digest').digest;
    },
  };
}
