// Child process for the registry benchmark: copies one image between two registries with the built
// RegistryClient (plain node, no TypeScript loader, so peak RSS is ours), then prints JSON timings.
import { RegistryClient } from '../dist/registry/index.js';

const [from, to] = process.argv.slice(2);
const client = new RegistryClient({ dockerConfig: false });
const started = performance.now();
const source = await client.getManifest(from);
const fromRepo = from.slice(0, from.lastIndexOf(':'));
const target = to.slice(0, to.lastIndexOf(':'));
let bytes = 0;
for (const descriptor of [source.manifest.config, ...source.manifest.layers]) {
  await client.copyBlob(fromRepo, target, descriptor);
  bytes += descriptor.size;
}
await client.putManifest(to, source.bytes, source.mediaType);
const seconds = (performance.now() - started) / 1000;
await client.close();
process.stdout.write(JSON.stringify({ seconds, bytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
