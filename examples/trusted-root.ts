/**
 * Sigstore trusted roots: the public-good root shipped with the package (offline, no network),
 * and a root for a private Sigstore instance built from PEM — its Fulcio CA chain and a Rekor key
 * — turned into the trust material @sigstore/verify checks certificates with.
 *
 * Run: npm run build && node --import tsx examples/trusted-root.ts
 */
import { X509Certificate } from 'node:crypto';
import { exportPublicKeyPem, generateKeyPair } from 'ocisign/keys';
import { getTrustedRoot, trustedRootFromPems, trustMaterialOf } from 'ocisign/sigstore';

// No options: the root shipped in the package, "trusted as installed". `refresh: true` would ask
// the public-good TUF repository instead, `mirror` (with its initial root.json) a private one.
const root = await getTrustedRoot();
console.log(
  `public-good: ${root.certificateAuthorities.length} CAs, ${root.tlogs.length} Rekor logs, ` +
    `${root.ctlogs.length} CT logs, ${root.timestampAuthorities.length} TSA`,
);
for (const log of root.tlogs)
  console.log(
    `  Rekor ${log.baseUrl} (${log.publicKey.keyDetails}) from ${log.publicKey.validFor?.start?.toISOString()}`,
  );

// A private instance, as its operator hands it out: the CA chain as PEM (public-good's current
// Fulcio chain stands in for it here) and the Rekor log's public key (a fresh one here).
const current = root.certificateAuthorities.at(-1);
const fulcio = (current?.certChain.certificates ?? [])
  .map((c) => new X509Certificate(c.rawBytes).toString())
  .reverse() // any order: the chain is sorted root-last
  .join('');
const { publicKey: rekorKey } = await generateKeyPair({ algorithm: 'ecdsa-p256' });
const own = trustedRootFromPems({ fulcio, rekor: exportPublicKeyPem(rekorKey) });
const logId = Buffer.from(own.tlogs[0]?.logId?.keyId ?? []).toString('hex');
console.log(
  `private root: ${own.certificateAuthorities.length} CA (${own.certificateAuthorities[0]?.certChain.certificates.length} certificates), ` +
    `${own.tlogs.length} Rekor log ${logId.slice(0, 16)}… (SHA-256 of its key), trusted from ${own.tlogs[0]?.publicKey.validFor?.start?.toISOString()}`,
);

const material = trustMaterialOf(own); // once per root: build a @sigstore/verify Verifier from it
console.log(
  `trust material ready: ${material.certificateAuthorities.length} CA, ${material.tlogs.length} Rekor log`,
);
