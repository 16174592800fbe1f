/**
 * The bytes cosign signs: a simple-signing payload and its .sig image, then the cosign 3 form — an
 * in-toto statement in a DSSE envelope inside a Sigstore bundle, pushed as an OCI referrer.
 *
 * Run: npm run build && node --import tsx examples/payload.ts
 */
import { createSigner, generateKeyPair, publicKeyHint, verifySignature } from 'ocisign/keys';
import {
  buildSignatureImage,
  bundleReferrerManifest,
  COSIGN_SIGN_PREDICATE_TYPE,
  createBundle,
  dockerReference,
  encodeCosignSignStatement,
  encodeSimpleSigningPayload,
  IN_TOTO_PAYLOAD_TYPE,
  parseBundle,
  signatureLayerDescriptor,
  signatureTag,
  signDsse,
  verifyDsseEnvelope,
} from 'ocisign/payload';

const digest = 'sha256:63a8f958ba90aaf70d073648346c80b0069d47c0844e28edcabef0ab48c062f9';
const { privateKey, publicKey } = await generateKeyPair();
const signer = createSigner(privateKey);

// Classic format: payload, signature, .sig image.
const payload = encodeSimpleSigningPayload({
  dockerReference: dockerReference(`ubuntu@${digest}`),
  manifestDigest: digest,
  annotations: { env: 'prod' },
});
console.log(new TextDecoder().decode(payload));
const signature = await signer.sign(payload);
const image = buildSignatureImage([
  signatureLayerDescriptor({ payload, signature: Buffer.from(signature).toString('base64') }),
]);
console.log(
  `${signatureTag(digest)}: config ${image.config.length} bytes, manifest ${image.manifest.length} bytes`,
);
console.log(`classic signature verifies: ${await verifySignature(publicKey, payload, signature)}`);

// cosign 3 format: statement → DSSE → bundle → referrer manifest.
const statement = encodeCosignSignStatement(digest, { env: 'prod' });
const envelope = await signDsse(signer, IN_TOTO_PAYLOAD_TYPE, statement);
const bundle = createBundle({ publicKeyHint: publicKeyHint(publicKey), dsseEnvelope: envelope });
const referrer = bundleReferrerManifest({
  bundle,
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1234, digest },
  predicateType: COSIGN_SIGN_PREDICATE_TYPE,
});
console.log(
  `bundle referrer ${referrer.manifestDescriptor.digest.slice(0, 19)}… (${referrer.manifest.length} bytes)`,
);
const parsed = parseBundle(bundle);
console.log(
  `bundle signature verifies: ${verifyDsseEnvelope(parsed.dsseEnvelope ?? envelope, publicKey).length === 1}`,
);
