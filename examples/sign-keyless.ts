/**
 * Keyless signing of an image, offline: `fulcioSigner` gets a Fulcio certificate for a GitHub
 * Actions identity from the local Sigstore of `startSigstore()`, `signImage` logs the signature in
 * its Rekor and stamps it with its TSA (each answer verified before anything is pushed), and
 * `verifyImage` checks who signed: the release workflow passes, another workflow does not.
 *
 * Run: npm run build && node --import tsx examples/sign-keyless.ts
 */
import { RegistryClient, signImage, VerificationError, verifyImage } from 'ocisign';
import { fulcioSigner } from 'ocisign/sigstore';
import { pushExampleImage, startRegistry, startSigstore } from 'ocisign/testing';

const sigstore = await startSigstore();
const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const image = `${registry.host}/acme/app:v1.2.0`;
await pushExampleImage(client, image);

// In GitHub Actions, `await fulcioSigner({ trustedRoot })` finds the job's token by itself.
const signer = await fulcioSigner({
  fulcioUrl: sigstore.fulcioUrl,
  trustedRoot: sigstore.trustedRoot,
  identityToken: async () =>
    sigstore.issueToken({
      subject: 'repo:acme/app:ref:refs/tags/v1.2.0',
      issuer: 'https://token.actions.githubusercontent.com',
      claims: { repository: 'acme/app', ref: 'refs/tags/v1.2.0', workflow: 'Release', event_name: 'push' },
    }),
});
const signed = await signImage(image, {
  signer,
  registry: client,
  format: 'bundle',
  tlog: { rekorUrl: sigstore.rekorUrl, apiVersion: 2 },
  timestamp: { url: sigstore.tsaUrl },
  trustedRoot: sigstore.trustedRoot,
  onWarning: () => {},
});
const [signature] = signed.signatures;
console.log(
  `signed ${signed.digest} keyless: Rekor v2 index ${signature?.tlogEntry?.logIndex}, timestamped ${signature?.timestamp?.toISOString()}`,
);

const identity = (workflow: string) => ({
  issuer: 'https://token.actions.githubusercontent.com',
  subject: `https://github.com/acme/app/.github/workflows/${workflow}@refs/tags/v1.2.0`,
});
const verified = await verifyImage(`${image.replace(/:v1\.2\.0$/, '')}@${signed.digest}`, {
  identities: [identity('release.yml')],
  registry: client,
  trustedRoot: sigstore.trustedRoot,
});
console.log(`verified: ${verified.signatures[0]?.format} signed by the release workflow`);
try {
  await verifyImage(`${image.replace(/:v1\.2\.0$/, '')}@${signed.digest}`, {
    identities: [identity('nightly.yml')],
    registry: client,
    trustedRoot: sigstore.trustedRoot,
  });
  console.log('another workflow: verified (unexpected)');
} catch (error) {
  if (!(error instanceof VerificationError)) throw error;
  console.log(`another workflow: ${error.failures.map((f) => f.reason).join(', ')}`);
}
await client.close();
await registry.close();
await sigstore.close();
