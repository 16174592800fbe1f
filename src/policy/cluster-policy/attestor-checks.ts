/**
 * One `verifyImages` entry against one image, as Kyverno's image verifier runs it: attestor sets
 * in order (all must pass; inside a set `count` entries, default all, tried in order until enough
 * verified; several PEMs in one `publicKeys` split into entries first), then attestations (every
 * statement of the type must satisfy the conditions). Messages use Kyverno's wording and paths.
 */
import { throwIfAborted } from '../../internal/abort.js';
import type { SignatureCheck, VerificationBackend } from '../common/backend.js';
import { isConnectionError } from '../common/backend.js';
import { oneLineMessage } from '../common/json-value.js';
import type { Attestor, AttestorSet, ImageRegistryCredentials } from '../common/types.js';
import type { CachedOutcome } from '../common/verification-cache.js';
import { evaluateConditions } from './conditions.js';
import type { ImageVerification } from './types.js';

const END_PUBLIC_KEY = '-----END PUBLIC KEY-----';

/**
 * Kyverno's `ExpandStaticKeys`: a `keys` entry holding several PEM public keys becomes one entry
 * per key, each keeping the entry's other settings (`rekor`, `ctlog`, …), as Kyverno 1.19 does.
 */
export function expandStaticKeys(entries: readonly Attestor[]): Attestor[] {
  return entries.flatMap((entry) => {
    const keys = entry.keys;
    const pem = keys?.publicKeys;
    if (keys === undefined || pem === undefined) return [entry];
    const parts = pem.split(END_PUBLIC_KEY);
    if (parts.length <= 2) return [entry];
    return parts
      .slice(0, -1)
      .map((part) => ({ ...entry, keys: { ...keys, publicKeys: `${part.trim()}\n${END_PUBLIC_KEY}` } }));
  });
}

/** `count`, or every entry when it is unset or 0. */
const requiredCount = (set: AttestorSet, entries: readonly Attestor[]): number =>
  set.count !== undefined && set.count > 0 ? set.count : entries.length;

const subPath = (a: Attestor): string =>
  a.keys !== undefined
    ? '.keys'
    : a.certificates !== undefined
      ? '.certificates'
      : a.keyless !== undefined
        ? '.keyless'
        : '';

class EntryFailures extends Error {
  constructor(readonly failures: ReadonlyArray<{ path: string; error: unknown }>) {
    super(failures.map((f) => `${f.path}: ${oneLineMessage(f.error)}`).join('; '));
  }
  get isConnection(): boolean {
    return this.failures.some((f) =>
      f.error instanceof EntryFailures ? f.error.isConnection : isConnectionError(f.error),
    );
  }
}

export interface EntryCheckContext {
  readonly backend: VerificationBackend;
  readonly entry: ImageVerification;
  /** The normalized image (Kyverno's `ImageInfo.String()`). */
  readonly image: string;
  /** The pod's pull secrets as `namespace/name`. */
  readonly pullSecrets?: readonly string[];
  readonly signal: AbortSignal;
}

async function verifyAttestorSet(ctx: EntryCheckContext, set: AttestorSet, path: string): Promise<string> {
  const entries = expandStaticKeys(set.entries);
  const required = requiredCount(set, entries);
  const failures: Array<{ path: string; error: unknown }> = [];
  let verified = 0;
  for (const [i, attestor] of entries.entries()) {
    const entryPath = `${path}.entries[${i}]`;
    try {
      const digest =
        attestor.attestor !== undefined
          ? await verifyAttestorSet(ctx, attestor.attestor, `${entryPath}.attestor`)
          : (await ctx.backend.verifySignatures(signatureCheck(ctx, attestor))).digest;
      verified++;
      if (verified >= required) return digest;
    } catch (error) {
      throwIfAborted(ctx.signal, 'the verification');
      failures.push({ path: `${entryPath}${subPath(attestor)}`, error });
    }
  }
  throw new EntryFailures(failures);
}

/**
 * The registry credentials Kyverno would use for an image: the entry's `imageRegistryCredentials`
 * plus the pod's pull secrets (`namespace/name`); undefined when there are neither (the default client).
 */
export function credentialsFor(
  entry: ImageVerification,
  pullSecrets: readonly string[],
): ImageRegistryCredentials | undefined {
  const configured = entry.imageRegistryCredentials;
  if (configured === undefined && pullSecrets.length === 0) return undefined;
  return {
    ...configured,
    secrets: [...(configured?.secrets ?? []), ...pullSecrets],
  };
}

/**
 * The question for the backend about one attestor entry: the image, where its signatures live (the
 * attestor's or entry's `repository`), how to reach them (credentials), the entry type and roots.
 */
function signatureCheck(ctx: EntryCheckContext, attestor: Attestor): SignatureCheck {
  const repository = attestor.repository ?? ctx.entry.repository;
  const credentials = credentialsFor(ctx.entry, ctx.pullSecrets ?? []);
  return {
    image: ctx.image,
    attestor,
    ...(repository === undefined || repository === '' ? {} : { repository }),
    ...(credentials === undefined ? {} : { credentials }),
    type: ctx.entry.type,
    ...(ctx.entry.roots === undefined ? {} : { roots: ctx.entry.roots }),
    signal: ctx.signal,
  };
}

async function verifyAttestations(
  ctx: EntryCheckContext,
  knownDigest: string | undefined,
): Promise<CachedOutcome> {
  let digest = knownDigest;
  for (const [i, attestation] of ctx.entry.attestations.entries()) {
    const path = `.attestations[${i}]`;
    if (attestation.type === '') return { status: 'fail', message: `${path}: missing type` };
    const sets: readonly AttestorSet[] =
      attestation.attestors.length > 0 ? attestation.attestors : [{ entries: [{}] }];
    for (const [j, set] of sets.entries()) {
      const entries = expandStaticKeys(set.entries);
      const required = requiredCount(set, entries);
      const errors: string[] = [];
      let verified = 0;
      for (const [n, attestor] of entries.entries()) {
        const entryPath = `${path}.attestors[${j}].entries[${n}]${subPath(attestor)}`;
        try {
          if (attestor.attestor !== undefined)
            throw new Error('nested attestors are not supported inside attestations');
          const found = await ctx.backend.fetchAttestations({
            ...signatureCheck(ctx, attestor),
            predicateType: attestation.type,
          });
          if (found.digest !== '') digest ??= found.digest;
          const statements = found.statements.filter((s) => s.predicateType === attestation.type);
          // "attestions" is Kyverno's spelling; users grep for it.
          if (statements.length === 0)
            throw new Error(`attestions not found for predicate type ${attestation.type}`);
          for (const statement of statements) {
            if (!evaluateConditions(attestation.conditions, statement.predicate ?? {}))
              throw new Error(`attestation checks failed for ${ctx.image} and predicate ${attestation.type}`);
          }
          verified++;
          if (verified >= required) break;
        } catch (error) {
          throwIfAborted(ctx.signal, 'the verification');
          errors.push(`${entryPath}: ${oneLineMessage(error)}`);
        }
      }
      if (verified < required) {
        return {
          status: 'fail',
          message: `image attestations verification failed, verifiedCount: ${verified}, requiredCount: ${required}, error: ${errors.join('; ')}`,
        };
      }
    }
  }
  return {
    status: 'pass',
    message: `verified image attestations for ${ctx.image}`,
    ...(digest === undefined ? {} : { digest }),
  };
}

/**
 * Runs the entry's attestors and attestations for one image. Never throws for a verification
 * problem: the outcome says pass, fail, or error (connection-level failures, as Kyverno classifies
 * them). Throws only when `signal` aborts.
 */
export async function checkEntry(ctx: EntryCheckContext): Promise<CachedOutcome> {
  let digest: string | undefined;
  for (const [i, set] of ctx.entry.attestors.entries()) {
    try {
      digest = await verifyAttestorSet(ctx, set, `.attestors[${i}]`);
    } catch (error) {
      throwIfAborted(ctx.signal, 'the verification');
      const connection = error instanceof EntryFailures ? error.isConnection : isConnectionError(error);
      return {
        status: connection ? 'error' : 'fail',
        message: `failed to verify image ${ctx.image}: ${oneLineMessage(error)}`,
      };
    }
  }
  if (ctx.entry.attestations.length === 0) {
    return {
      status: 'pass',
      message: `verified image signatures for ${ctx.image}`,
      ...(digest === undefined ? {} : { digest }),
    };
  }
  return verifyAttestations(ctx, digest);
}
