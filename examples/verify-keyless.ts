/**
 * Verify an image signed keyless by a GitHub Actions release workflow, with the public-good
 * Sigstore trusted root shipped in ocisign, offline: the Fulcio certificate must chain to the
 * public-good CA at the time Rekor logged the signature, carry a verified SCT, and name the
 * workflow, its repository and tag. No key anywhere.
 *
 * The signature is a real one (a public repository's release, signed with cosign through the public
 * Sigstore instance). It is third-party data, so it is not shipped with ocisign: this example reads
 * it from `../shared/vectors/keyless` beside the repository and says so plainly when it is absent.
 *
 * Run: npm run build && node --import tsx examples/verify-keyless.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RegistryClient, VerificationError, verifyImage } from 'ocisign';
import { buildSignatureImage, signatureTag } from 'ocisign/payload';
import { startRegistry } from 'ocisign/testing';

const CASE = resolve(process.cwd(), '..', 'shared', 'vectors', 'keyless', 'classic-github-actions');
if (!existsSync(CASE)) {
  console.log(`not run: the real keyless signature is not here (${CASE} is absent)`);
  process.exit(process.env.OCISIGN_REQUIRE_VECTORS === '1' ? 1 : 0);
}
const facts = JSON.parse(readFileSync(join(CASE, 'case.json'), 'utf8'));
const layer = JSON.parse(readFileSync(join(CASE, 'layer.json'), 'utf8'));
const payload = new Uint8Array(readFileSync(join(CASE, 'payload')));

// Put the `.sig` image where cosign puts it, in a throwaway registry (the image itself need not be there).
const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const repo = `${registry.host}/salrashid123/go-bazel-github-workflow`;
const digest: string = facts.imageDigest;
await client.pushBlob(repo, payload);
const sigImage = buildSignatureImage([layer]);
await client.pushBlob(repo, sigImage.config);
await client.putManifest(`${repo}:${signatureTag(digest, 'sig')}`, sigImage.manifest, sigImage.mediaType);

// Who may have signed: this workflow of this repository, at a release tag, through GitHub's OIDC issuer.
// Regexps are Go RE2 and unanchored, as in cosign: always write ^…$.
const releaseWorkflow = {
  issuer: 'https://token.actions.githubusercontent.com',
  subjectRegExp:
    '^https://github\\.com/salrashid123/go-bazel-github-workflow/\\.github/workflows/release\\.yaml@refs/tags/v[0-9.]+$',
  github: { repository: 'salrashid123/go-bazel-github-workflow', trigger: 'push' },
};
const result = await verifyImage(`${repo}@${digest}`, {
  identities: [releaseWorkflow],
  registry: client,
  formats: ['simple-signing'],
});
const cert = result.signatures[0]?.certificate;
console.log(`verified keyless: ${cert?.subjectAltNames.map((n) => n.value).join(', ')}`);
console.log(
  `  issuer ${cert?.extensions.issuerV2}, workflow "${cert?.extensions.githubWorkflowName}" at ${cert?.extensions.githubWorkflowRef}`,
);

// Someone else's workflow is refused, with the check that failed.
try {
  await verifyImage(`${repo}@${digest}`, {
    identities: [{ ...releaseWorkflow, github: { repository: 'someone-else/fork' } }],
    registry: client,
    formats: ['simple-signing'],
  });
  console.log('another repository: accepted (this is a bug)');
} catch (error) {
  if (!(error instanceof VerificationError)) throw error;
  console.log(`another repository: ${error.failures[0]?.reason}`);
}
await client.close();
await registry.close();
