/**
 * A `VerificationBackend` over recorded evidence instead of a registry: which keys signed which
 * image, its attestations, keyless signatures (their certificates' names and extensions, the root
 * they chain to, their Rekor, CT and TSA evidence), and hosts that are down or answer with an error.
 * For dry-running policies in CI and tests (`ocisign policy test --fixtures`), which Kyverno's CLI
 * cannot do. Images are keyed by Kyverno's normalized tag form (`docker.io/nginx:1.25`); digest
 * references find the image by digest. Keyless and certificate attestors are judged with the same
 * plan and Kyverno matcher as `registryBackend` (`certificate-attestor.ts`, `keyless-match.ts`).
 */
import { PolicyUnsupportedError } from '../../errors/policy.js';
import { RegistryError } from '../../errors/registry.js';
import { own } from '../../internal/shape.js';
import { importPublicKey, type PublicKey, publicKeyFingerprint } from '../../keys/index.js';
import type { VerificationBackend } from './backend.js';
import { type CertificatePlan, certificatePlan, certificatePublicKey } from './certificate-attestor.js';
import { judgeRecordedKeyless, type KeylessSignatureEvidence } from './fixture-keyless.js';
import type { Attestor } from './types.js';

/**
 * What is recorded about one image: its digest, who signed it, its attestations and keyless
 * signatures.
 */
export interface ImageEvidence {
  readonly digest: string;
  /** Who signed the image with a key (see `FixtureBackendOptions.signerMatches`). */
  readonly signatures?: readonly string[];
  /** Whether the key signatures carry transparency-log evidence (needed unless `rekor.ignoreTlog`). */
  readonly tlog?: boolean;
  /** Attestations: signed by a key (`signedBy`) or keyless (`keyless`). */
  readonly attestations?: ReadonlyArray<{
    readonly type: string;
    readonly signedBy?: string;
    readonly keyless?: KeylessSignatureEvidence;
    readonly predicate: unknown;
  }>;
  /** Keyless signatures: each one's certificate and evidence. */
  readonly keyless?: readonly KeylessSignatureEvidence[];
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

function keyOf(text: string): PublicKey | undefined {
  try {
    return importPublicKey(text);
  } catch {
    return undefined;
  }
}

function sameKey(attestor: Attestor, signer: string): boolean {
  const pem = attestor.keys?.publicKeys;
  if (pem === undefined) return false;
  const [a, b] = [keyOf(pem), keyOf(signer)];
  return a !== undefined && b !== undefined && publicKeyFingerprint(a) === publicKeyFingerprint(b);
}

/** Whether a recorded signer's key is the public key of `certificates.cert`. */
function certificateKeySigned(cert: string, signer: string): boolean {
  const key = keyOf(signer);
  return key !== undefined && publicKeyFingerprint(certificatePublicKey(cert)) === publicKeyFingerprint(key);
}

const NOT_SIGNED = 'no matching signatures: invalid signature when validating ASN.1 encoded signature';

function refuseNotary(type: string): void {
  if (type === 'Notary')
    throw new PolicyUnsupportedError(
      'type: Notary is not supported by ocisign (it verifies cosign signatures and Sigstore bundles)',
    );
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
    async verifySignatures(check) {
      const { image, attestor } = check;
      refuseNotary(check.type);
      const found = reach(image, 'signatures');
      if (attestor.keys !== undefined) {
        if (!(found.signatures ?? []).some((s) => signerMatches(attestor, s))) throw new Error(NOT_SIGNED);
        if (attestor.keys.rekor?.ignoreTlog !== true && found.tlog !== true)
          throw new Error('no matching signatures: signature not found in transparency log');
        return { digest: found.digest };
      }
      const plan = certificatePlan(check, false);
      if (plan.mode === 'bare-key') {
        if (!(found.signatures ?? []).some((s) => certificateKeySigned(plan.cert, s)))
          throw new Error(NOT_SIGNED);
        if (!plan.evidence.ignoreTlog && found.tlog !== true)
          throw new Error('no matching signatures: signature not found in transparency log');
        return { digest: found.digest };
      }
      judgeRecordedKeyless(
        (found.keyless ?? []).map((keyless) => ({ keyless })),
        plan,
        false,
      );
      return { digest: found.digest };
    },
    async fetchAttestations(check) {
      const { image, attestor, predicateType } = check;
      refuseNotary(check.type);
      const found = reach(image, 'attestations');
      const recorded = found.attestations ?? [];
      const plan: CertificatePlan | undefined =
        attestor.keys === undefined ? certificatePlan(check, true) : undefined;
      const signed =
        plan === undefined
          ? recorded.filter((a) => a.signedBy !== undefined && signerMatches(attestor, a.signedBy))
          : plan.mode === 'bare-key'
            ? recorded.filter((a) => a.signedBy !== undefined && certificateKeySigned(plan.cert, a.signedBy))
            : judgeRecordedKeyless(
                recorded.flatMap((a) =>
                  a.keyless === undefined || a.type !== predicateType ? [] : [{ ...a, keyless: a.keyless }],
                ),
                plan,
                true,
              );
      const statements = signed.map((a) => ({
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
