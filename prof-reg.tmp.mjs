import { fork } from 'node:child_process';
import { verifyImage } from './dist/index.js';
import { importPublicKey } from './dist/keys/index.js';
import { RegistryClient } from './dist/registry/index.js';
const child = fork(new URL('./bench/verify-registry-worker.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const seeded = await new Promise((r) => child.once('message', r));
const client = new RegistryClient({ dockerConfig: false });
const key = importPublicKey(seeded.publicKey);
const format = process.env.FMT ?? 'bundle';
const ref = seeded.images[format];
const one = () => verifyImage(ref, { keys: [key], registry: client, ignoreTlog: true, formats: [format] });
for (let i = 0; i < 300; i++) await one();
const conc = Number(process.env.C ?? 16);
const c0 = process.cpuUsage(); const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 4000) { await Promise.all(Array.from({ length: conc }, one)); n += conc; }
const cpu = process.cpuUsage(c0);
console.log(format, conc, (n / ((performance.now() - t0) / 1000)).toFixed(0), '/s', ((cpu.user + cpu.system) / n).toFixed(0), 'us cpu/verif');
await client.close(); child.disconnect();
