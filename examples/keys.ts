/**
 * Keys in cosign's formats: generate a key pair, save it as cosign.key / cosign.pub would be, load it
 * back with the password, sign a payload and verify the signature.
 *
 * Run: npm run build && node --import tsx examples/keys.ts
 */
import {
  createSigner,
  encryptCosignPrivateKey,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  publicKeyHint,
  verifySignature,
} from 'ocisign/keys';

const password = process.env.COSIGN_PASSWORD ?? 'example-password';

// What `cosign generate-key-pair` writes: an encrypted private key and a PKIX public key.
const { privateKey, publicKey } = await generateKeyPair({ algorithm: 'ecdsa-p256' });
const cosignKey = await encryptCosignPrivateKey(privateKey, password);
const cosignPub = exportPublicKeyPem(publicKey);
console.log(cosignKey.split('\n')[0]);
console.log(cosignPub.trim());

// Later, somewhere else: load the key with its password and sign.
const signer = createSigner(await importPrivateKey(cosignKey, { password }));
const payload = new TextEncoder().encode(
  '{"critical":{"identity":{"docker-reference":"index.docker.io/library/app"}}}',
);
const signature = await signer.sign(payload);

// A verifier holds only cosign.pub.
const trusted = importPublicKey(cosignPub);
console.log(`key hint: ${publicKeyHint(trusted)}`);
console.log(`signature verifies: ${await verifySignature(trusted, payload, signature)}`);
console.log(`tampered payload verifies: ${await verifySignature(trusted, payload.subarray(1), signature)}`);
