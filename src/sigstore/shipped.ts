/**
 * The public-good Sigstore trust that ships inside the package: @sigstore/tuf's `seeds.json`, which
 * holds the TUF `root.json` of https://tuf-repo-cdn.sigstore.dev and the `trusted_root.json` target
 * it delivered when that package was released. Read from disk once, when first asked for, with no
 * network and no writes.
 *
 * Deliberately not here: checking that either is still current. The seeds' TUF root expired on
 * 2026-06-22, so the shipped trusted root is "trusted as installed": refreshing it is TUF's job
 * (`getTrustedRoot({ refresh: true })`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../errors/base.js';
import { TrustedRootError } from '../errors/sigstore.js';
import { fromBase64 } from '../internal/bytes.js';
import { object, readShape, record, string } from '../internal/shape.js';
import { readTrustedRoot, type TrustedRoot } from './trusted-root.js';

/** The public-good Sigstore TUF repository: `getTrustedRoot`'s default mirror. */
export const PUBLIC_GOOD_TUF_URL = 'https://tuf-repo-cdn.sigstore.dev';

/** The seeds file's shape: per mirror URL, its initial root.json and targets, base64. */
const seedsShape = record(object({ 'root.json': string, targets: record(string) }));

interface Seed {
  /** The TUF root.json the repository is reached with, as shipped. */
  readonly tufRoot: Uint8Array;
  readonly trustedRoot: TrustedRoot;
}

let seed: Seed | undefined;

function decode(text: string | undefined, what: string): Uint8Array {
  const bytes = text === undefined ? undefined : fromBase64(text);
  if (bytes === undefined) throw new TrustedRootError(`${what} in @sigstore/tuf's seeds.json is not base64`);
  return bytes;
}

function readSeed(): Seed {
  let text: string;
  try {
    // @sigstore/tuf has no exports map: its data file resolves like any file of the package.
    text = readFileSync(createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json'), 'utf8');
  } catch (cause) {
    throw new TrustedRootError("could not read @sigstore/tuf's seeds.json: is @sigstore/tuf installed?", {
      cause,
    });
  }
  const makeError = (message: string, cause?: unknown) => new TrustedRootError(message, { cause });
  let seeds: ReturnType<typeof seedsShape.check>;
  try {
    seeds = readShape(JSON.parse(text) as unknown, seedsShape, "@sigstore/tuf's seeds.json", makeError);
  } catch (cause) {
    if (cause instanceof TrustedRootError) throw cause;
    throw makeError("@sigstore/tuf's seeds.json is not JSON", cause);
  }
  const entry = seeds[PUBLIC_GOOD_TUF_URL];
  if (entry === undefined)
    throw makeError(`@sigstore/tuf's seeds.json has no seed for ${PUBLIC_GOOD_TUF_URL}`);
  const what = `the trusted_root.json target of ${PUBLIC_GOOD_TUF_URL} in @sigstore/tuf's seeds.json`;
  try {
    return {
      tufRoot: decode(entry['root.json'], 'root.json'),
      trustedRoot: readTrustedRoot(decode(entry.targets['trusted_root.json'], 'trusted_root.json'), what),
    };
  } catch (cause) {
    if (cause instanceof InvalidArgumentError) throw makeError(cause.message, cause);
    throw cause;
  }
}

function shippedSeed(): Seed {
  seed ??= readSeed();
  return seed;
}

/**
 * The public-good trusted root shipped with the package (@sigstore/tuf's seeds), read once per
 * process and then returned as the same frozen value. No network, no disk writes. It is the root
 * as it was when @sigstore/tuf was released: "trusted as installed" (see docs/sigstore.md).
 *
 * @throws TrustedRootError when the seeds cannot be read (a broken installation).
 */
export function shippedTrustedRoot(): TrustedRoot {
  return shippedSeed().trustedRoot;
}

/** The TUF root.json of {@link PUBLIC_GOOD_TUF_URL} shipped in the seeds: where a refresh starts. */
export function shippedTufRoot(): Uint8Array {
  return shippedSeed().tufRoot;
}
