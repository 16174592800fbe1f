/**
 * The registry fixture of shared/vectors/kyverno/policies/cases.json through ocisign's
 * `fixtureBackend`: KEY_A, KEY_B, KEY_C, KEY_X are fresh P-256 keys whose base64 bodies replace the
 * placeholders in the policies. The vectors' digests are fake, so these admission cases cannot run
 * against a real registry; real-registry tests live in test/integration/policy.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  fixtureBackend as backendFor,
  type FixtureBackendOptions,
  type ImageEvidence,
} from '../../src/policy/index.js';

export type FixtureImage = ImageEvidence;
export type RegistryOverrides = Pick<FixtureBackendOptions, 'unreachableHosts' | 'httpStatus'>;

/** KEY_A, KEY_B, KEY_C, KEY_X: name → base64 SubjectPublicKeyInfo body. */
export function fixtureKeys(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['KEY_A', 'KEY_B', 'KEY_C', 'KEY_X']) {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    out[name] = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }
  return out;
}

/** The vectors name signers (KEY_A); an attestor accepts the signer whose key body its PEM holds. */
export function fixtureBackend(
  images: Readonly<Record<string, ImageEvidence>>,
  keys: Readonly<Record<string, string>>,
  overrides: RegistryOverrides = {},
) {
  return backendFor(images, {
    ...overrides,
    signerMatches: (attestor, signer) => {
      const body = keys[signer];
      return body !== undefined && attestor.keys?.publicKeys?.includes(body) === true;
    },
  });
}
