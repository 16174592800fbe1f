/**
 * The verifications bench/keyless.bench.ts times, on real artifacts only: keyless evidence from the
 * public Sigstore instance (../shared/vectors/keyless) next to key-signed evidence of the same shape
 * that real cosign wrote (../shared/vectors/cosign/real-cosign-artifacts.json). Each factory runs
 * its verification once before handing it out, so a bench can never time a failure.
 *
 * Deliberately not here: timing anything, or evidence made up for the bench.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedRoot, shippedTrustedRoot } from '../src/sigstore/index.js';
import { type ImageEvidence, verifyBlob, verifySignatureEvidence } from '../src/verify/index.js';
import { identityOf } from '../test/helpers/fulcio-certs.js';
import { readVectors, SHARED_DIR } from '../test/helpers/vectors.js';

/** One verification to time, and what it checks (for the table). */
export interface BenchVerification {
  readonly name: string;
  readonly checks: string;
  readonly verify: () => unknown;
}

/** Where a keyless verification gets its trusted root from. */
export type RootSource = 'shipped' | 'parsed-once' | 'raw-json-each-time';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = any;
const real = readVectors<Json>('cosign/real-cosign-artifacts.json');
const readCase = (id: string): Json => JSON.parse(readFileSync(join(KEYLESS, id, 'case.json'), 'utf8'));
const readBytes = (id: string, file: string) => new Uint8Array(readFileSync(join(KEYLESS, id, file)));

/** Runs `verify` once (it throws when the evidence does not verify) and returns it as a bench row. */
function checked(name: string, checks: string, verify: () => unknown): BenchVerification {
  verify();
  return { name, checks, verify };
}

/** A DSSE bundle signed keyless (sigstore-conformance happy-path-intoto-in-dsse-v3), judged offline. */
export function keylessDsseBundle(): BenchVerification {
  const id = 'conf-happy-path-intoto-in-dsse-v3';
  const c = readCase(id);
  const evidence: ImageEvidence = {
    digest: `sha256:${c.artifactSha256}`,
    bundles: [{ kind: 'bundle', source: id, bundle: readBytes(id, c.files.bundle) }],
  };
  const options = { trustedRoot: shippedTrustedRoot(), identities: [identityOf(c.verify)] };
  return checked(
    'verifySignatureEvidence, keyless DSSE bundle (conformance), shipped root',
    'chain + SCT + Rekor SET and inclusion proof + signature + identity + subject',
    () => verifySignatureEvidence(evidence, options),
  );
}

/** cosign 3's key-signed DSSE bundle with its public-good Rekor entry, judged offline. */
export function keyDsseBundle(): BenchVerification {
  const r = real.newBundleReferrer;
  const evidence: ImageEvidence = {
    digest: r.subject.digest,
    bundles: [{ kind: 'bundle', source: r.referrerManifestDigest, bundle: r.bundle }],
  };
  const options = { keys: [r.publicKeyPem], rekorPublicKeys: [r.rekorPublicKeyPem] };
  return checked(
    'verifySignatureEvidence, key-signed DSSE bundle (cosign 3), PEM keys',
    'Rekor SET and inclusion proof + signature + subject',
    () => verifySignatureEvidence(evidence, options),
  );
}

/** A classic `.sig` layer signed keyless from GitHub Actions, judged offline. */
export function keylessClassic(): BenchVerification {
  const id = 'classic-github-actions';
  const c = readCase(id);
  const layer = JSON.parse(readFileSync(join(KEYLESS, id, c.files.layer), 'utf8'));
  const evidence: ImageEvidence = {
    digest: c.imageDigest,
    classic: [{ kind: 'classic-layer', layer, payload: readBytes(id, c.files.payload) }],
  };
  const options = { trustedRoot: shippedTrustedRoot(), identities: [identityOf(c.verify)] };
  return checked(
    'verifySignatureEvidence, keyless classic .sig layer (GitHub Actions), shipped root',
    'chain + SCT + Rekor SET + signature + identity with GitHub extensions + claims',
    () => verifySignatureEvidence(evidence, options),
  );
}

/** cosign's key-signed classic `.sig` layer (the capture carries no Rekor bundle: `ignoreTlog`). */
export function keyClassic(): BenchVerification {
  const c = real.classicTagSignature;
  const evidence: ImageEvidence = {
    digest: c.subjectDigest,
    classic: [
      {
        kind: 'classic-layer',
        layer: JSON.parse(c.manifest).layers[0],
        payload: new TextEncoder().encode(c.payload),
      },
    ],
  };
  const options = { keys: [c.publicKeyPem], ignoreTlog: true };
  return checked(
    'verifySignatureEvidence, key-signed classic .sig layer (cosign), PEM key, ignoreTlog',
    'signature + claims (no Rekor entry in the capture)',
    () => verifySignatureEvidence(evidence, options),
  );
}

/** The inputs of the `verifyBlob` rows: sigstore-conformance happy-path-v0.3, a keyless message signature. */
export function blobInputs() {
  const id = 'conf-happy-path-v0.3';
  const c = readCase(id);
  return {
    artifact: readBytes(id, c.files.artifact),
    bundle: readBytes(id, c.files.bundle),
    identities: [identityOf(c.verify)],
    rootText: readFileSync(join(KEYLESS, id, c.files.trustedRoot), 'utf8'),
  };
}

const ROOT_SOURCES: Record<RootSource, string> = {
  shipped: 'default (shipped) root',
  'parsed-once': "the case's root, parsed once",
  'raw-json-each-time': "the case's root as JSON text on every call",
};

/**
 * `verifyBlob` on {@link blobInputs} with the artifact's bytes, its trusted root taken from
 * `source`: the default (shipped), the case's root parsed once, or the case's root handed over as
 * JSON text on every call.
 */
export function keylessBlob(source: RootSource): BenchVerification {
  const { artifact, bundle, identities, rootText } = blobInputs();
  const trustedRoot =
    source === 'shipped' ? undefined : source === 'parsed-once' ? parseTrustedRoot(rootText) : rootText;
  return checked(
    `verifyBlob, keyless message signature (conformance v0.3), ${ROOT_SOURCES[source]}`,
    'digest + chain + SCT + Rekor SET and inclusion proof + signature + identity',
    () => verifyBlob(artifact, { bundle, identities, ...(trustedRoot === undefined ? {} : { trustedRoot }) }),
  );
}
