/**
 * `getTrustedRoot`: the Sigstore trusted root a verification should use. Offline by default (the
 * root shipped in the package); through TUF when asked (`refresh`, or a private `mirror` with its
 * initial `root.json`), with tuf-js's `Updater` verifying every piece of metadata, one deadline and
 * the caller's AbortSignal ending every request, and every answer bounded in bytes.
 *
 * Deliberately not here: verifying signatures, choosing authorities, or retrying a failed refresh.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Updater } from 'tuf-js';
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { TrustedRootError, TufUnavailableError } from '../errors/sigstore.js';
import { abortError, throwIfAborted, untilAborted } from '../internal/abort.js';
import { asBytes, fromUtf8 } from '../internal/bytes.js';
import { isJsonObject, own } from '../internal/shape.js';
import { positiveOption } from './service-options.js';
import { PUBLIC_GOOD_TUF_URL, shippedTrustedRoot, shippedTufRoot } from './shipped.js';
import { readTrustedRoot, type TrustedRoot } from './trusted-root.js';
import {
  defaultTufCacheDir,
  oneAtATime,
  prepareTufFolder,
  type TufFolder,
  tufFolderPath,
} from './tuf-cache.js';
import { boundedFetcher, loadTuf, type TufModules } from './tuf-fetcher.js';

/** Default deadline of one refresh, all requests together (public-good answers in well under a second). */
export const DEFAULT_TUF_TIMEOUT_MS = 30_000;
/**
 * Most bytes one TUF answer may have (4 MiB): public-good's largest document is a few KiB, and
 * tuf-js's own ceilings (512 KB for root.json, 5 MB for targets.json) are lowered to this.
 */
export const DEFAULT_TUF_RESPONSE_LIMIT = 4 * 1024 * 1024;

/** The TUF target that holds the trusted root. */
const TARGET = 'trusted_root.json';

/** Options of {@link getTrustedRoot}. With none, the shipped root is returned and nothing is fetched. */
export interface GetTrustedRootOptions {
  /**
   * Ask the TUF repository even when the cache could answer: the public-good repository
   * ({@link PUBLIC_GOOD_TUF_URL}, starting from the root.json shipped in the package) or `mirror`.
   * Default false: the shipped root without a mirror; with a mirror, the cache while its timestamp
   * has not expired.
   */
  readonly refresh?: boolean;
  /** A TUF repository's base URL (http or https, no credentials). Always goes through TUF. */
  readonly mirror?: string;
  /**
   * The initial TUF `root.json` (bytes or JSON text) the repository is trusted from; required
   * for a mirror other than public-good, which starts from the root shipped in the package.
   */
  readonly root?: Uint8Array | string;
  /**
   * Where verified metadata is kept between runs, one folder per repository and initial root.
   * Default: {@link defaultTufCacheDir} (`$XDG_CACHE_HOME/ocisign-tuf` or `~/.cache/ocisign-tuf`).
   */
  readonly cacheDir?: string;
  /** Deadline of the whole refresh, every request included. Default {@link DEFAULT_TUF_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Most bytes one answer may have. Default {@link DEFAULT_TUF_RESPONSE_LIMIT}. */
  readonly maxResponseBytes?: number;
  /** Cancels the refresh: every request ends, and the call rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
}

interface Plan {
  readonly mirror: string;
  readonly initialRoot: Uint8Array;
  readonly refresh: boolean;
  readonly cacheDir: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** The mirror URL without a trailing slash; credentials, queries and fragments refused. */
function mirrorUrl(mirror: string): string {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw new InvalidArgumentError(`mirror must be an http or https URL, got ${JSON.stringify(mirror)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidArgumentError(`mirror must be an http or https URL, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    throw new InvalidArgumentError('mirror must be a plain base URL: no credentials, query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** The caller's initial root, checked to be a TUF root.json before it is written anywhere. */
function initialRootOf(root: Uint8Array | string): Uint8Array {
  const bytes = asBytes(root);
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(bytes));
  } catch {
    doc = undefined;
  }
  const signed = isJsonObject(doc) ? own(doc, 'signed') : undefined;
  const signatures = isJsonObject(doc) ? own(doc, 'signatures') : undefined;
  if (!isJsonObject(signed) || own(signed, '_type') !== 'root' || !Array.isArray(signatures))
    throw new InvalidArgumentError(
      'root must be a TUF root.json: {"signed": {"_type": "root", …}, "signatures": […]}',
    );
  return bytes;
}

/** What the options ask for: undefined for the shipped root, else the TUF refresh to run. */
function planOf(options: GetTrustedRootOptions): Plan | undefined {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('getTrustedRoot options must be an object');
  const { refresh = false, mirror, root, cacheDir } = options;
  if (typeof refresh !== 'boolean') throw new InvalidArgumentError('refresh must be a boolean');
  if (mirror !== undefined && typeof mirror !== 'string')
    throw new InvalidArgumentError('mirror must be a URL string');
  if (root !== undefined && typeof root !== 'string' && !(root instanceof Uint8Array))
    throw new InvalidArgumentError('root must be the bytes or JSON text of a TUF root.json');
  if (cacheDir !== undefined && (typeof cacheDir !== 'string' || cacheDir === ''))
    throw new InvalidArgumentError('cacheDir must be a non-empty path');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InvalidArgumentError('signal must be an AbortSignal');
  const timeoutMs = positiveOption(options.timeoutMs, 'timeoutMs', DEFAULT_TUF_TIMEOUT_MS);
  const maxBytes = positiveOption(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_TUF_RESPONSE_LIMIT);
  if (mirror === undefined && !refresh) {
    if (root !== undefined)
      throw new InvalidArgumentError(
        'root is the initial TUF root.json of a mirror: pass mirror, or refresh: true',
      );
    return undefined;
  }
  const url = mirror === undefined ? PUBLIC_GOOD_TUF_URL : mirrorUrl(mirror);
  if (root === undefined && url !== PUBLIC_GOOD_TUF_URL)
    throw new InvalidArgumentError(
      `mirror ${url} needs root: the initial TUF root.json it is trusted from (only ${PUBLIC_GOOD_TUF_URL} has one shipped)`,
    );
  let initialRoot: Uint8Array;
  try {
    initialRoot = root === undefined ? shippedTufRoot() : initialRootOf(root);
  } catch (error) {
    if (error instanceof OcisignError) throw error;
    throw new TrustedRootError('could not read the shipped TUF root', { cause: error });
  }
  return {
    mirror: url,
    initialRoot,
    refresh,
    cacheDir: cacheDir ?? defaultTufCacheDir(),
    timeoutMs,
    maxBytes,
  };
}

/** tuf-js's (and the runtime's) failures as ours. */
function failure(
  error: unknown,
  plan: Plan,
  folder: string,
  signal: AbortSignal,
  modules: TufModules,
): OcisignError {
  if (error instanceof OcisignError) return error;
  if (signal.aborted) return abortError(signal, `refreshing the trusted root from ${plan.mirror}`);
  const { DownloadHTTPError, DownloadLengthMismatchError, PersistError } = modules.errors;
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof DownloadHTTPError)
    return new TufUnavailableError(`the TUF repository ${plan.mirror}: ${detail}`, {
      status: error.statusCode,
      cause: error,
    });
  if (error instanceof DownloadLengthMismatchError)
    return new TrustedRootError(`${plan.mirror} sent more bytes than its signed metadata allows`, {
      cause: error,
    });
  if (error instanceof PersistError || typeof (error as NodeJS.ErrnoException | null)?.code === 'string')
    return new TrustedRootError(`could not write the TUF cache folder ${folder}: ${detail}`, {
      cause: error,
    });
  return new TrustedRootError(`the TUF repository ${plan.mirror} did not verify: ${detail}`, {
    cause: error,
  });
}

function updaterFor(plan: Plan, folder: TufFolder, modules: TufModules, signal: AbortSignal): Updater {
  const limit = (ceiling: number) => Math.min(ceiling, plan.maxBytes);
  try {
    return new modules.tuf.Updater({
      metadataBaseUrl: plan.mirror,
      targetBaseUrl: `${plan.mirror}/targets`,
      metadataDir: folder.metadataDir,
      targetDir: folder.targetDir,
      fetcher: boundedFetcher(modules, {
        signal,
        maxBytes: plan.maxBytes,
        what: 'refreshing the trusted root',
      }),
      // Offline while an earlier refresh's timestamp has not expired; a first refresh always starts
      // with the root (tuf-js's forceCache would skip root rotation when no timestamp is cached).
      forceCache: !plan.refresh && folder.refreshedBefore,
      config: {
        rootMaxLength: limit(512_000),
        timestampMaxLength: limit(16_384),
        snapshotMaxLength: limit(2_000_000),
        targetsMaxLength: limit(5_000_000),
      },
    });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    if (folder.seeded)
      throw new InvalidArgumentError(`root is not a TUF root.json tuf-js can load: ${detail}`, { cause });
    throw new TrustedRootError(
      `the cached TUF root in ${folder.metadataDir} does not load (delete the folder): ${detail}`,
      {
        cause,
      },
    );
  }
}

async function refreshTarget(plan: Plan, metadataDir: string, signal: AbortSignal): Promise<Uint8Array> {
  const modules = await loadTuf();
  const folder = prepareTufFolder(metadataDir, plan.initialRoot);
  const updater = updaterFor(plan, folder, modules, signal);
  try {
    const info = await updater.getTargetInfo(TARGET);
    if (info === undefined)
      throw new TrustedRootError(`the TUF repository ${plan.mirror} has no ${TARGET} target`);
    const path = (await updater.findCachedTarget(info)) ?? (await updater.downloadTarget(info));
    if (statSync(path).size > plan.maxBytes)
      throw new TrustedRootError(`${TARGET} from ${plan.mirror} is larger than ${plan.maxBytes} bytes`);
    return readFileSync(path);
  } catch (error) {
    throw failure(error, plan, folder.metadataDir, signal, modules);
  }
}

/**
 * The Sigstore trusted root to verify with.
 *
 * - No options (or `refresh: false` and no `mirror`): the root shipped in the package
 *   ({@link shippedTrustedRoot}), with no network and no disk access.
 * - `refresh: true`: TUF against {@link PUBLIC_GOOD_TUF_URL}, starting from the TUF root shipped
 *   in the package (whose expiry does not matter when the repository has rotated past it).
 * - `mirror` (with `root` unless it is public-good): TUF against that repository; without
 *   `refresh`, the cache answers on its own while the timestamp it holds has not expired.
 *
 * @throws InvalidArgumentError for contradictory or malformed options (a mirror without its root);
 * TufUnavailableError when the repository cannot be reached or answers with an HTTP error;
 * TrustedRootError when its metadata does not verify or the target is not a trusted root;
 * OperationTimeoutError past `timeoutMs`; AbortedError when `signal` fires.
 */
export async function getTrustedRoot(options: GetTrustedRootOptions = {}): Promise<TrustedRoot> {
  const plan = planOf(options);
  if (plan === undefined) return shippedTrustedRoot();
  const what = `refreshing the trusted root from ${plan.mirror}`;
  throwIfAborted(options.signal, what);
  const deadline = AbortSignal.timeout(plan.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  const metadataDir = tufFolderPath(plan.cacheDir, plan.mirror, plan.initialRoot);
  const bytes = await untilAborted(
    oneAtATime(metadataDir, () => refreshTarget(plan, metadataDir, signal)),
    signal,
    what,
  );
  try {
    return readTrustedRoot(bytes, `${TARGET} from ${plan.mirror}`);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new TrustedRootError(error.message, { cause: error });
    throw error;
  }
}
