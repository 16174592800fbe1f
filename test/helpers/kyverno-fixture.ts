/**
 * A `VerificationBackend` over the registry fixture of shared/vectors/kyverno/policies/cases.json:
 * which keys signed which image (by digest), attestations, keyless identities, unreachable hosts
 * and HTTP errors. The vectors' digests are fake, so these admission cases cannot run against a
 * real registry; the engine code they exercise is the same. Real-registry tests live in
 * test/integration/policy.
 */
import { generateKeyPairSync } from 'node:crypto';
import { RegistryError } from '../../src/errors/index.js';
import type { VerificationBackend } from '../../src/policy/index.js';
import { matchImagePattern } from '../../src/policy/index.js';

export interface FixtureImage {
  readonly digest: string;
  readonly signatures?: readonly string[];
  readonly tlog?: boolean;
  readonly attestations?: ReadonlyArray<{ type: string; signedBy: string; predicate: unknown }>;
  readonly keyless?: ReadonlyArray<{
    chainsTo: string;
    san: string;
    issuerExt: string;
    tlog: boolean;
    sct: boolean;
  }>;
}

export interface RegistryOverrides {
  readonly unreachableHosts?: readonly string[];
  readonly httpStatus?: Readonly<Record<string, number>>;
}

/** KEY_A, KEY_B, KEY_C, KEY_X as fresh P-256 keys: name → base64 SubjectPublicKeyInfo body. */
export function fixtureKeys(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['KEY_A', 'KEY_B', 'KEY_C', 'KEY_X']) {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    out[name] = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }
  return out;
}

export function fixtureBackend(
  images: Readonly<Record<string, FixtureImage>>,
  keys: Readonly<Record<string, string>>,
  overrides: RegistryOverrides = {},
): VerificationBackend & { readonly calls: string[] } {
  const calls: string[] = [];
  const reach = (image: string, what: string): FixtureImage => {
    calls.push(`${what} ${image}`);
    const host = image.slice(0, image.indexOf('/'));
    if (overrides.unreachableHosts?.includes(host))
      throw new RegistryError(
        'REGISTRY_UNREACHABLE',
        `GET https://${host}/v2/: dial tcp: connection refused`,
      );
    const status = overrides.httpStatus?.[host];
    if (status !== undefined)
      throw new RegistryError('REGISTRY_RESPONSE', `GET https://${host}/v2/: unexpected status ${status}`, {
        status,
      });
    const at = image.indexOf('@');
    const found =
      at >= 0 ? Object.values(images).find((i) => i.digest === image.slice(at + 1)) : images[image];
    if (found === undefined)
      throw new RegistryError('NOT_FOUND', `MANIFEST_UNKNOWN: ${image}`, { status: 404 });
    return found;
  };
  const keyName = (pem: string | undefined): string | undefined =>
    Object.entries(keys).find(([, body]) => pem?.includes(body))?.[0];

  return {
    calls,
    async verifySignatures({ image, attestor }) {
      const found = reach(image, 'signatures');
      if (attestor.keys !== undefined) {
        const name = keyName(attestor.keys.publicKeys);
        if (name === undefined || !(found.signatures ?? []).includes(name))
          throw new Error(
            'no matching signatures: invalid signature when validating ASN.1 encoded signature',
          );
        if (attestor.keys.rekor?.ignoreTlog !== true && found.tlog !== true)
          throw new Error('no matching signatures: signature not found in transparency log');
        return { digest: found.digest };
      }
      if (attestor.keyless !== undefined) {
        const k = attestor.keyless as Record<string, string | undefined>;
        const ok = (found.keyless ?? []).some(
          (sig) =>
            (k.roots ?? '').includes(sig.chainsTo) &&
            sig.tlog &&
            sig.sct &&
            (k.subject === undefined || matchImagePattern(k.subject, sig.san)) &&
            (k.issuer === undefined || matchImagePattern(k.issuer, sig.issuerExt)),
        );
        if (!ok) throw new Error('no matching signatures: none of the expected identities matched');
        return { digest: found.digest };
      }
      throw new Error('no matching signatures: certificate does not chain to the Sigstore public-good roots');
    },
    async fetchAttestations({ image, attestor }) {
      const found = reach(image, 'attestations');
      const name = keyName(attestor.keys?.publicKeys);
      const statements = (found.attestations ?? [])
        .filter((a) => name !== undefined && a.signedBy === name)
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
