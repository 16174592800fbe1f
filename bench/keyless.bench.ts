/**
 * Keyless verification against key verification, offline, in the same run: latency (median, p99)
 * and verifications/s of real keyless evidence from the public Sigstore instance next to real
 * key-signed cosign evidence of the same shape (bench/keyless-evidence.ts), the ratio keyless/key,
 * what the trusted root's form costs `verifyBlob`, and the first verification of a fresh process
 * (the trusted root's load) against the steady state (bench/keyless-first.ts).
 *
 * Deliberately not here: registries (bench/verify.bench.ts times verifyImage over HTTP), and
 * evidence made up for the bench.
 */
import { shippedTrustedRoot } from '../src/sigstore/index.js';
import { rekorKeysFromTrustedRoot } from '../src/verify/index.js';
import { type BenchSection, formatRate, table } from './harness.js';
import {
  type BenchVerification,
  keyClassic,
  keyDsseBundle,
  keylessBlob,
  keylessClassic,
  keylessDsseBundle,
} from './keyless-evidence.js';
import { type FirstVerificationMedians, firstVerificationMedians } from './keyless-first.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
/** Rounds over every row, interleaved, so that a busy moment of the shared machine hits all rows. */
const ROUNDS = 3;
const FRESH_PROCESSES = 5;

/**
 * Where a keyless verification's time goes, from a CPU profile (`node --cpu-prof`) of steady-state
 * `verifyBlob` (conformance v0.3, shipped root) on the machine below, 2026-12-02. Measured, not
 * recomputed by this run: re-measure when sigstore-checks.ts or @sigstore/verify changes.
 */
const WHERE_THE_TIME_GOES =
  "Where the time goes (CPU profile of steady-state `verifyBlob`, shares of its time): the certificate chain (@sigstore/verify `verifyCertificateChain`: path building, with a P-384 signature check against each candidate CA of the public-good root) ≈ 35%, reading the leaf for identities (pkijs over asn1js, `readFulcioCertificate`) ≈ 32%, the SCT ≈ 9%, the tlog entry (`checkTlog`) ≈ 9%, bundle parsing and the library's model of it ≈ 8%; identity matching and the signature itself under 1% each. The first profile (17–21 ms per verification) showed ≈ 45% spent by @sigstore/core re-encoding certificates to DER (`ASN1Obj.toDER`, a fresh 1 KiB buffer per ASN.1 node) for `X509Certificate.equals`, mostly over the trust material's CA certificates on every call. Now the trust material's certificates and each verification's leaf encode each node once (`src/sigstore/certificate-der.ts`, on those objects only) and the leaf is compared with the Rekor entry's certificate byte for byte, as Go's `Certificate.Equal` does: ≈ 2.2× faster, with re-encoding down to ≈ 10%. What is left is the libraries' parsing and the signature checks. The root itself is not reloaded: the counts in test/unit/verify/keyless/trusted-root-once.test.ts stay at one read, one conversion and one import per Rekor key however many verifications run.";

/** Every duration (ms) of one row over all rounds, and its rate in each round. */
interface Samples {
  readonly durations: number[];
  readonly rates: number[];
}

/** Latency and rate figures of one row. */
interface Figures {
  readonly median: number;
  readonly p99: number;
  readonly perSecond: number;
}

/** Runs the synchronous `fn` for about `seconds` after a short warm-up, timing every call. */
function sampleInto(samples: Samples, fn: () => unknown, seconds: number): void {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) fn();
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  let count = 0;
  while (now < end) {
    fn();
    const after = performance.now();
    samples.durations.push(after - now);
    now = after;
    count++;
  }
  samples.rates.push((count * 1000) / (now - start));
}

function at(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function figures(samples: Samples): Figures {
  const durations = [...samples.durations].sort((a, b) => a - b);
  const rates = [...samples.rates].sort((a, b) => a - b);
  return { median: at(durations, 0.5), p99: at(durations, 0.99), perSecond: at(rates, 0.5) };
}

const ms = (value: number) =>
  value < 0.1 ? `${(value * 1000).toFixed(1)} µs` : `${value.toFixed(value < 1 ? 3 : 2)} ms`;
const times = (value: number) => `${value.toFixed(1)}×`;

/** Times every row, `ROUNDS` interleaved rounds of `SECONDS` each; figures in the rows' order. */
function timeRows(rows: readonly (() => unknown)[]): Figures[] {
  const samples = rows.map(() => ({ durations: [], rates: [] }) as Samples);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, fn] of rows.entries()) sampleInto(samples[i] as Samples, fn, SECONDS);
  return samples.map(figures);
}

function firstVerificationTable(first: FirstVerificationMedians): string {
  const { whole, parts } = first;
  const row = (what: string, value: number | undefined, steady: number) => [
    what,
    value === undefined ? '—' : ms(value),
    value === undefined ? '—' : times(value / steady),
  ];
  return table(
    ['fresh process (median of each figure)', 'time', '× steady state'],
    [
      row(
        'first verifyBlob, nothing loaded (reads, parses and converts the shipped root)',
        whole.firstVerification,
        whole.steadyState,
      ),
      row('second verifyBlob', whole.secondVerification, whole.steadyState),
      row('steady state (median of the next 200 in the same process)', whole.steadyState, whole.steadyState),
      row(
        'split: shippedTrustedRoot(), first call (seeds.json read and parsed)',
        parts.readRoot,
        parts.steadyState,
      ),
      row(
        'split: trustMaterialOf(root), first call (@sigstore/verify trust material)',
        parts.convertRoot,
        parts.steadyState,
      ),
      row('split: rekorKeysFromTrustedRoot(root), first call', parts.firstRekorKeys, parts.steadyState),
      row(
        'split: first verifyBlob after those (code run for the first time)',
        parts.firstVerification,
        parts.steadyState,
      ),
    ],
  );
}

/**
 * What this run found of the Rekor keys' import: memoized per root value (the same map again), or
 * repeated by every keyless verification, and then at what cost against `steadyBlob` (ms).
 */
function rekorKeysNote(steadyBlob: number): string {
  const root = shippedTrustedRoot();
  const first = rekorKeysFromTrustedRoot(root);
  if (rekorKeysFromTrustedRoot(root) === first)
    return "The root's Rekor keys (`rekorKeysFromTrustedRoot`) are imported once per root value and then reused.";
  const runs = 200;
  const start = performance.now();
  for (let i = 0; i < runs; i++) rekorKeysFromTrustedRoot(root);
  const each = (performance.now() - start) / runs;
  return `The root's Rekor keys (\`rekorKeysFromTrustedRoot\`) are imported again by every keyless verification: ${ms(each)}, ${((each / steadyBlob) * 100).toFixed(0)}% of a steady-state \`verifyBlob\`.`;
}

/** One sentence: how much of the first verification the trusted root accounts for. */
function rootShare(first: FirstVerificationMedians): string {
  const { whole, parts } = first;
  const root = (parts.readRoot ?? 0) + (parts.convertRoot ?? 0) + (parts.firstRekorKeys ?? 0);
  return `Loading the root (read and parse, convert, Rekor keys) takes ${ms(root)} of a first verification of ${ms(whole.firstVerification)}; the rest is code running for the first time (module initialisation, JIT), which the second verification no longer pays.`;
}

export async function run(): Promise<BenchSection> {
  const keylessBundle = keylessDsseBundle();
  const keyBundle = keyDsseBundle();
  const keylessLayer = keylessClassic();
  const keyLayer = keyClassic();
  const blobShipped = keylessBlob('shipped');
  const blobParsed = keylessBlob('parsed-once');
  const blobRaw = keylessBlob('raw-json-each-time');
  const rows = [keylessBundle, keyBundle, keylessLayer, keyLayer, blobShipped, blobParsed, blobRaw];
  const measured = new Map(timeRows(rows.map((r) => r.verify)).map((f, i) => [rows[i], f]));
  const of = (row: BenchVerification) => measured.get(row) as Figures;

  const pairs: [string, BenchVerification, BenchVerification][] = [
    ['DSSE bundle with a Rekor dsse entry (judge)', keylessBundle, keyBundle],
    ['classic .sig layer (judge)', keylessLayer, keyLayer],
    ['verifyBlob message signature against the key DSSE bundle', blobShipped, keyBundle],
  ];
  const pairRows = pairs.map(([evidence, keyless, key]) => {
    const a = of(keyless);
    const b = of(key);
    return [
      evidence,
      ms(a.median),
      ms(a.p99),
      formatRate(a.perSecond),
      ms(b.median),
      ms(b.p99),
      formatRate(b.perSecond),
      times(a.median / b.median),
    ];
  });
  const detailRows = rows.map((r) => {
    const f = of(r);
    return [r.name, r.checks, ms(f.median), ms(f.p99), formatRate(f.perSecond)];
  });
  const first = await firstVerificationMedians(FRESH_PROCESSES);

  return {
    title: 'Verify: keyless against key (offline)',
    markdown: [
      `Real evidence only, judged offline, one verification at a time; ${ROUNDS} interleaved rounds of ${SECONDS} s per row, every call timed (median and p99 over all of them; verifications/s the median of the rounds). Keyless: sigstore-conformance bundles and a GitHub Actions classic \`.sig\` layer from ../shared/vectors/keyless, against the public-good root shipped with ocisign. Key: cosign's own key-signed bundle (with its public-good Rekor entry) and classic layer from ../shared/vectors/cosign.`,
      '',
      table(
        [
          'evidence',
          'keyless median',
          'keyless p99',
          'keyless verifications/s',
          'key median',
          'key p99',
          'key verifications/s',
          'keyless/key (median)',
        ],
        pairRows,
      ),
      '',
      'The classic key row checks less than its keyless peer: the real cosign capture carries no Rekor bundle, so it runs with `ignoreTlog`. Every row, what it checks:',
      '',
      table(['operation', 'checks', 'median', 'p99', 'verifications/s'], detailRows),
      '',
      `A root given as JSON text is parsed and converted on every call: parse it once (\`parseTrustedRoot\`) and pass the value, which is converted once per process. ${rekorKeysNote(of(blobShipped).median)}`,
      '',
      `First verification of a fresh process (${first.processes} processes per mode, alternating; \`verifyBlob\` with the default shipped root). The root is read, parsed and converted once per process, on first use, and never again:`,
      '',
      firstVerificationTable(first),
      '',
      rootShare(first),
      '',
      WHERE_THE_TIME_GOES,
    ].join('\n'),
  };
}
