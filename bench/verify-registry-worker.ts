/**
 * Child process of the verify benchmark: starts ocisign/testing's in-memory registry, pushes one
 * image per signature format, signs it (classic `.sig` or cosign 3 bundle, no tlog), and sends the
 * parent `{ url, host, publicKey, images }` over IPC. It then serves until the parent kills it.
 *
 * The registry runs here, on its own event loop, so the bench's process measures only the
 * verifier's side of each exchange.
 */
import { signImage } from '../src/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../src/keys/index.js';
import { RegistryClient } from '../src/registry/index.js';
import { pushExampleImage, startRegistry } from '../src/testing/index.js';

const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const { privateKey, publicKey } = await generateKeyPair();
const images: Record<string, string> = {};
for (const format of ['simple-signing', 'bundle'] as const) {
  const { reference } = await pushExampleImage(client, `${registry.host}/bench/${format}:v1`, {
    content: `verify bench, ${format}`,
  });
  await signImage(reference, { signer: createSigner(privateKey), registry: client, format });
  images[format] = reference;
}
await client.close();
process.send?.({ url: registry.url, host: registry.host, publicKey: exportPublicKeyPem(publicKey), images });
process.on('disconnect', () => void registry.close().then(() => process.exit(0)));
