// Child process for the registry benchmark: the floor — a bare undici GET piped into a PATCH, with no
// auth, digest check or retries — so the table shows what undici itself costs in time and memory.
import { Pool } from 'undici';

const [from, to] = process.argv.slice(2);
const src = new URL(`http://${from.split('/')[0]}`);
const dst = new URL(`http://${to.split('/')[0]}`);
const a = new Pool(src.origin),
  b = new Pool(dst.origin);
const repoA = from.slice(from.indexOf('/') + 1, from.lastIndexOf(':'));
const repoB = to.slice(to.indexOf('/') + 1, to.lastIndexOf(':'));
const m = await a.request({
  path: `/v2/${repoA}/manifests/v1`,
  method: 'GET',
  headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
});
const manifest = await m.body.json();
const layer = manifest.layers[0];
const started = performance.now();
const get = await a.request({ path: `/v2/${repoA}/blobs/${layer.digest}`, method: 'GET' });
const post = await b.request({ path: `/v2/${repoB}/blobs/uploads/`, method: 'POST' });
await post.body.dump();
const loc = new URL(post.headers.location, dst.origin);
const patch = await b.request({
  path: loc.pathname + loc.search,
  method: 'PATCH',
  body: get.body,
  headers: { 'content-type': 'application/octet-stream' },
});
await patch.body.dump();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
await a.close();
await b.close();
