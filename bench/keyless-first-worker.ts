/**
 * One fresh process of the keyless bench's first-verification rows (forked by
 * bench/keyless-first.ts): nothing of the trusted root is loaded yet when it starts timing. In
 * `whole` mode the first `verifyBlob` (default shipped root) pays for everything; in `parts` mode
 * the root is read and converted by hand first, so the first verification's remaining cost (code
 * run for the first time) shows on its own. Sends the times, in milliseconds, to the parent.
 *
 * Deliberately not here: timing steady state beyond a short run (keyless.bench.ts does that).
 */
import { shippedTrustedRoot, trustMaterialOf } from '../src/sigstore/index.js';
import { rekorKeysFromTrustedRoot, verifyBlob } from '../src/verify/index.js';
import { blobInputs } from './keyless-evidence.js';

/** What one process measured. */
export interface FirstVerificationTimes {
  readonly mode: 'whole' | 'parts';
  /** `parts` only: reading and parsing the shipped root (seeds.json). */
  readonly readRoot?: number;
  /** `parts` only: converting it to @sigstore/verify's trust material. */
  readonly convertRoot?: number;
  /** `parts` only: importing its Rekor keys for the first time. */
  readonly firstRekorKeys?: number;
  readonly firstVerification: number;
  readonly secondVerification: number;
  /** Median of the next verifications in the same process. */
  readonly steadyState: number;
}

const STEADY_RUNS = 200;

function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const mode = process.argv[2] === 'parts' ? 'parts' : 'whole';
const { artifact, bundle, identities } = blobInputs();
const verify = () => verifyBlob(artifact, { bundle, identities });
let parts = {};
if (mode === 'parts') {
  let root: ReturnType<typeof shippedTrustedRoot> | undefined;
  const readRoot = timed(() => {
    root = shippedTrustedRoot();
  });
  const convertRoot = timed(() => trustMaterialOf(root as NonNullable<typeof root>));
  const firstRekorKeys = timed(() => rekorKeysFromTrustedRoot(root));
  parts = { readRoot, convertRoot, firstRekorKeys };
}
const firstVerification = timed(verify);
const secondVerification = timed(verify);
const steady = Array.from({ length: STEADY_RUNS }, () => timed(verify)).sort((a, b) => a - b);
const times: FirstVerificationTimes = {
  mode,
  ...parts,
  firstVerification,
  secondVerification,
  steadyState: steady[Math.floor(STEADY_RUNS / 2)] as number,
};
process.send?.(times);
