// Child process for the registry benchmark: the same bare pipe as undici-pipe-worker.mjs, on node:http,
// to show what the runtime itself needs in memory for a streamed copy (no auth, checks or retries).
import http from 'node:http';

const [from, to] = process.argv.slice(2);
const [srcHost, ...srcRest] = from.split('/');
const [dstHost, ...dstRest] = to.split('/');
const repoA = srcRest.join('/').split(':')[0];
const repoB = dstRest.join('/').split(':')[0];
const agentA = new http.Agent({ keepAlive: true }),
  agentB = new http.Agent({ keepAlive: true });
const req = (host, opts, body) =>
  new Promise((res, rej) => {
    const [h, p] = host.split(':');
    const r = http.request({ host: h, port: p, agent: host === srcHost ? agentA : agentB, ...opts }, res);
    r.on('error', rej);
    if (body === undefined) r.end();
    else if (body.pipe) body.pipe(r);
    else r.end(body);
  });
const read = (res) =>
  new Promise((ok) => {
    const c = [];
    res.on('data', (d) => c.push(d));
    res.on('end', () => ok(Buffer.concat(c)));
  });
const m = JSON.parse(
  await read(
    await req(srcHost, {
      path: `/v2/${repoA}/manifests/v1`,
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    }),
  ),
);
const layer = m.layers[0];
const t = performance.now();
const get = await req(srcHost, { path: `/v2/${repoA}/blobs/${layer.digest}` });
const post = await req(dstHost, { path: `/v2/${repoB}/blobs/uploads/`, method: 'POST' });
await read(post);
const loc = new URL(post.headers.location, `http://${dstHost}`);
const patch = await req(
  dstHost,
  {
    path: loc.pathname + loc.search,
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
  },
  get,
);
await read(patch);
process.stdout.write(
  JSON.stringify({
    seconds: (performance.now() - t) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
agentA.destroy();
agentB.destroy();
