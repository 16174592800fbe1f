/**
 * `npm run demo`: the reference workflow, step by step, as far as ocisign has come. Today that is the
 * key step (cosign generate-key-pair, sign, verify, offline); registry, KMS and policy steps join
 * as their layers land.
 */
import {
  createSigner,
  encryptCosignPrivateKey,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKey,
  verifySignature,
} from 'ocisign/keys';

console.log('ocisign demo — step 1 of the reference workflow: keys');
const { privateKey, publicKey } = await generateKeyPair();
const password = 'demo';
const cosignKey = await encryptCosignPrivateKey(privateKey, password);
console.log(`generated cosign.key (${cosignKey.split('\n')[0]}) and cosign.pub:`);
console.log(exportPublicKeyPem(publicKey));
const loaded = await importPrivateKey(cosignKey, { password });
const payload = new TextEncoder().encode('hello from ocisign');
const signature = await createSigner(loaded).sign(payload);
console.log(
  `signed ${payload.length} bytes; verifies with cosign.pub: ${await verifySignature(publicKey, payload, signature)}`,
);
console.log(
  'next steps (registry push, cosign-format signing, KMS keys, Kyverno policies) arrive with their layers.',
);
