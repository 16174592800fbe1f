/**
 * A local Sigstore for tests: `startSigstore()` runs Fulcio, Rekor, a timestamp authority and an
 * OIDC token issuer on loopback. This signs a file keyless by talking to them over plain HTTP, as
 * any Sigstore client does — a GitHub Actions token, a Fulcio certificate for an ephemeral key, a
 * Rekor `hashedrekord` entry, an RFC 3161 timestamp — assembles the Sigstore bundle (v0.3), and
 * verifies it with `verifyBlob` and the double's trusted root: the right workflow passes, another
 * repository does not.
 *
 * Run: npm run build && node --import tsx examples/sigstore-local.ts
 */
import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { VerificationError, verifyBlob } from 'ocisign';
import { startSigstore } from 'ocisign/testing';

const sigstore = await startSigstore();
const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${url}: ${answer.status} ${await answer.text()}`);
  return answer;
};
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

// 1. The identity token a release workflow of acme/app would get.
const subject = 'repo:acme/app:ref:refs/tags/v1.2.0';
const token = sigstore.issueToken({
  subject,
  issuer: 'https://token.actions.githubusercontent.com',
  claims: { repository: 'acme/app', ref: 'refs/tags/v1.2.0', workflow: 'Release', event_name: 'push' },
});

// 2. A certificate for an ephemeral key: Fulcio wants a signature over the token's subject.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const fulcio = (await (
  await post(
    `${sigstore.fulcioUrl}/api/v2/signingCert`,
    {
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: publicKey.export({ type: 'spki', format: 'pem' }) },
        proofOfPossession: b64(sign('sha256', Buffer.from(subject), privateKey)),
      },
    },
    { authorization: `Bearer ${token}` },
  )
).json()) as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } };
const [certificatePem = ''] = fulcio.signedCertificateEmbeddedSct.chain.certificates;
const certificateDer = new X509Certificate(certificatePem).raw;

// 3. Sign the artifact, log the signature in Rekor, timestamp it.
const artifact = Buffer.from('acme-app-1.2.0.tar.gz contents\n');
const digest = createHash('sha256').update(artifact).digest();
const signature = sign('sha256', artifact, privateKey);
const logged = (await (
  await post(`${sigstore.rekorUrl}/api/v1/log/entries`, {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      signature: { content: b64(signature), publicKey: { content: b64(certificatePem) } },
      data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
    },
  })
).json()) as Record<string, RekorEntry>;
const entry = Object.values(logged)[0] as RekorEntry;
const timestamp = await post(sigstore.tsaUrl, {
  artifactHash: b64(createHash('sha256').update(signature).digest()),
  hashAlgorithm: 'sha256',
  certificates: true,
});

interface RekorEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    signedEntryTimestamp: string;
    inclusionProof: {
      logIndex: number;
      rootHash: string;
      treeSize: number;
      hashes: string[];
      checkpoint: string;
    };
  };
}

// 4. The Sigstore bundle, as `cosign sign-blob --bundle` writes it.
const proof = entry.verification.inclusionProof;
const hexToB64 = (hex: string) => b64(Buffer.from(hex, 'hex'));
const bundle = {
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  verificationMaterial: {
    certificate: { rawBytes: b64(certificateDer) },
    tlogEntries: [
      {
        logIndex: String(entry.logIndex),
        logId: { keyId: hexToB64(entry.logID) },
        kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
        integratedTime: String(entry.integratedTime),
        inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp },
        inclusionProof: {
          logIndex: String(proof.logIndex),
          rootHash: hexToB64(proof.rootHash),
          treeSize: String(proof.treeSize),
          hashes: proof.hashes.map(hexToB64),
          checkpoint: { envelope: proof.checkpoint },
        },
        canonicalizedBody: entry.body,
      },
    ],
    timestampVerificationData: {
      rfc3161Timestamps: [{ signedTimestamp: b64(new Uint8Array(await timestamp.arrayBuffer())) }],
    },
  },
  messageSignature: {
    messageDigest: { algorithm: 'SHA2_256', digest: b64(digest) },
    signature: b64(signature),
  },
};

// 5. Verify with the double's trusted root, as a keyless policy would.
const issuer = 'https://token.actions.githubusercontent.com';
const workflow = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0';
const verified = verifyBlob(artifact, {
  bundle,
  trustedRoot: sigstore.trustedRoot,
  identities: [{ subject: workflow, issuer }],
  useSignedTimestamps: true,
});
console.log(`verified keyless: ${verified.certificate?.subjectAltNames[0]?.value}`);
console.log(`  logged at index ${entry.logIndex}, timestamped by the local TSA`);
try {
  verifyBlob(artifact, {
    bundle,
    trustedRoot: sigstore.trustedRoot,
    identities: [{ subject: workflow.replace('acme/app', 'acme/other'), issuer }],
  });
} catch (error) {
  if (!(error instanceof VerificationError)) throw error;
  console.log(`another repository: ${error.failures[0]?.reason}`);
}
await sigstore.close();
