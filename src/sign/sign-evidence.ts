/**
 * The evidence a signature gets from Sigstore services before anything is pushed: an RFC 3161
 * timestamp over the signature bytes (as cosign stamps them) and the transparency-log entry, each
 * verified by its client before it is returned. Nothing is stored without its evidence: a service
 * down or answering something that does not verify fails the call before the first push.
 *
 * Retries: an upload whose answer was lost (the log unavailable, the connection broken) is sent
 * again, up to three times; Rekor v1 answers a repeated entry with 409 and the entry it already
 * has, so a retried signature is never logged twice. A Rekor v2 log refuses the repeat
 * (`RekorRejectedError`): the signing fails rather than log twice.
 *
 * Trust: the caller's trusted root (or `rekorPublicKeys`) when given, used strictly; else the
 * public-good root shipped with ocisign when it names the service; else the service's own key,
 * trusted on first use with a warning (`sigstore/instance-keys.ts`).
 *
 * Deliberately not here: the options' form (`evidence-options.ts`), where evidence is stored
 * (`sign-image.ts`, `attest.ts`).
 */
import { InvalidArgumentError } from '../errors/base.js';
import { RekorUnavailableError } from '../errors/sigstore.js';
import type { TlogEntry } from '../payload/bundle.js';
import { parseDsseEnvelope, preAuthEncoding } from '../payload/dsse.js';
import type { RekorBundle } from '../payload/signature-layer.js';
import { rekorKeyFromLog, tsaRootFromTsa } from '../sigstore/instance-keys.js';
import { type RekorProposal, uploadToRekor } from '../sigstore/rekor-client.js';
import { shippedTrustedRoot } from '../sigstore/shipped.js';
import { isTrustedRoot, parseTrustedRoot, type TrustedRoot } from '../sigstore/trusted-root.js';
import { requestTimestamp, type VerifiedTimestamp } from '../sigstore/tsa-client.js';
import type { SigstoreEvidenceOptions, TimestampOptions, TlogUploadOptions } from './evidence-options.js';

/** Where the evidence will be stored: a classic layer's annotations, or a bundle. */
export type EvidenceStorage = 'layer' | 'bundle';

/** What one signature is stored with. */
export interface SignatureEvidence {
  /** The log entry, for a bundle's `tlogEntries`. */
  readonly tlogEntry?: TlogEntry;
  /** The classic `dev.sigstore.cosign/bundle` value (Rekor v1 only). */
  readonly rekorBundle?: RekorBundle;
  /** The verified timestamp. */
  readonly timestamp?: VerifiedTimestamp;
}

/** One signature's claim to the services. */
export interface EvidenceRequest {
  /**
   * What to log. A `dsse` proposal goes to Rekor v1 as a `dsse` entry and to Rekor v2 as a
   * `hashedrekord` over the envelope's PAE (rekor-v2 spec §6.1.4: rekor-tiles has no dsse kind).
   */
  readonly proposal: RekorProposal;
  /** The bytes the TSA stamps: the raw signature (a DSSE envelope's signature for envelopes). */
  readonly signature: Uint8Array;
  readonly storage: EvidenceStorage;
}

/** Gathers the evidence of each signature of one signing call. */
export type EvidenceGatherer = (request: EvidenceRequest) => Promise<SignatureEvidence>;

/** The call's context. */
export interface EvidenceContext {
  readonly signal?: AbortSignal | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
  /** The storages the call will use, to refuse a combination before anything is signed. */
  readonly storages: readonly EvidenceStorage[];
}

const UPLOAD_ATTEMPTS = 3;
const RETRY_PAUSE_MS = 200;

function callerRoot(trustedRoot: unknown): TrustedRoot | undefined {
  if (trustedRoot === undefined) return undefined;
  return isTrustedRoot(trustedRoot) ? trustedRoot : parseTrustedRoot(trustedRoot);
}

function sameService(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, '');
  return a !== '' && norm(a) === norm(b);
}

function checkCombination(
  tlog: TlogUploadOptions | undefined,
  options: SigstoreEvidenceOptions,
  ctx: EvidenceContext,
) {
  if (tlog === undefined) return;
  if (typeof tlog !== 'object' || tlog === null || typeof tlog.rekorUrl !== 'string')
    throw new InvalidArgumentError('tlog must be { rekorUrl: string, … }');
  if ((tlog.apiVersion ?? 1) !== 2) return;
  if (ctx.storages.includes('layer'))
    throw new InvalidArgumentError(
      'a Rekor v2 entry can be stored only in a bundle (format: "bundle"): it has no SET for the classic bundle annotation, as cosign 3 requires',
    );
  if (options.timestamp === undefined)
    throw new InvalidArgumentError(
      'a Rekor v2 entry proves no signing time: pass timestamp: { url } (a TSA) with tlog apiVersion 2',
    );
}

interface LogTrust {
  readonly trustedRoot?: TrustedRoot;
  readonly rekorPublicKeys?: NonNullable<TlogUploadOptions['rekorPublicKeys']>;
}

async function logTrust(
  tlog: TlogUploadOptions,
  root: TrustedRoot | undefined,
  ctx: EvidenceContext,
): Promise<LogTrust> {
  if (root !== undefined || tlog.rekorPublicKeys !== undefined)
    return {
      ...(root === undefined ? {} : { trustedRoot: root }),
      ...(tlog.rekorPublicKeys === undefined ? {} : { rekorPublicKeys: tlog.rekorPublicKeys }),
    };
  const shipped = shippedTrustedRoot();
  if (shipped.tlogs.some((t) => sameService(t.baseUrl, tlog.rekorUrl))) return { trustedRoot: shipped };
  if ((tlog.apiVersion ?? 1) === 2)
    throw new InvalidArgumentError(
      `no trusted root names the Rekor v2 log at ${tlog.rekorUrl}: pass trustedRoot or tlog.rekorPublicKeys`,
    );
  const pem = await rekorKeyFromLog(tlog.rekorUrl, { signal: ctx.signal ?? AbortSignal.timeout(10_000) });
  ctx.onWarning?.(
    `the Rekor log at ${tlog.rekorUrl} is in no trusted root: its answers are checked against the key it serves itself (pass trustedRoot to pin it)`,
  );
  return { rekorPublicKeys: [pem] };
}

async function timestampTrust(
  timestamp: TimestampOptions,
  root: TrustedRoot | undefined,
  ctx: EvidenceContext,
): Promise<TrustedRoot> {
  if (root !== undefined) return root;
  const shipped = shippedTrustedRoot();
  if (
    shipped.timestampAuthorities.some(
      (t) => sameService(t.uri, timestamp.url) || (timestamp.url.startsWith(t.uri) && t.uri !== ''),
    )
  )
    return shipped;
  const own = await tsaRootFromTsa(timestamp.url, { signal: ctx.signal ?? AbortSignal.timeout(10_000) });
  ctx.onWarning?.(
    `the TSA at ${timestamp.url} is in no trusted root: its timestamps are checked against the chain it serves itself (pass trustedRoot to pin it)`,
  );
  return own;
}

/** The proposal as the log's API takes it: on v2 a DSSE envelope is a hashedrekord over its PAE. */
function proposalFor(proposal: RekorProposal, tlog: TlogUploadOptions): RekorProposal {
  if (proposal.kind !== 'dsse' || (tlog.apiVersion ?? 1) !== 2) return proposal;
  const envelope = parseDsseEnvelope(proposal.envelope);
  const [signature, ...more] = envelope.signatures;
  if (signature === undefined || more.length > 0)
    throw new InvalidArgumentError('a DSSE envelope logged in Rekor v2 must carry exactly one signature');
  return {
    kind: 'hashedrekord',
    artifact: preAuthEncoding(envelope.payloadType, envelope.payload),
    signature: signature.sig,
    verifier: proposal.verifier,
  };
}

async function uploadWithRetry(
  proposal: RekorProposal,
  tlog: TlogUploadOptions,
  trust: LogTrust,
  signal: AbortSignal | undefined,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await uploadToRekor(proposal, {
        rekorUrl: tlog.rekorUrl,
        ...(tlog.apiVersion === undefined ? {} : { apiVersion: tlog.apiVersion }),
        ...(tlog.timeoutMs === undefined ? {} : { timeoutMs: tlog.timeoutMs }),
        ...trust,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (!(error instanceof RekorUnavailableError) || attempt >= UPLOAD_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
    }
  }
}

/**
 * The gatherer of one signing call, or undefined when it asks for no service. Checks the options
 * and resolves the trust material once, before anything is signed.
 *
 * @throws InvalidArgumentError for a combination no verifier would accept (Rekor v2 with classic
 * layers, or without a timestamp) or malformed options; RekorUnavailableError / TsaUnavailableError
 * when a service trusted on first use cannot be reached.
 */
export async function evidenceGatherer(
  options: SigstoreEvidenceOptions,
  ctx: EvidenceContext,
): Promise<EvidenceGatherer | undefined> {
  const { tlog, timestamp } = options;
  if (tlog === undefined && timestamp === undefined) return undefined;
  checkCombination(tlog, options, ctx);
  if (
    timestamp !== undefined &&
    (typeof timestamp !== 'object' || timestamp === null || typeof timestamp.url !== 'string')
  )
    throw new InvalidArgumentError('timestamp must be { url: string, … }');
  const root = callerRoot(options.trustedRoot);
  const tsaRoot = timestamp === undefined ? undefined : await timestampTrust(timestamp, root, ctx);
  const rekorTrust = tlog === undefined ? undefined : await logTrust(tlog, root, ctx);
  const signal = ctx.signal;
  return async (request) => {
    const stamped =
      timestamp === undefined || tsaRoot === undefined
        ? undefined
        : await requestTimestamp(request.signature, {
            tsaUrl: timestamp.url,
            trustedRoot: tsaRoot,
            ...(timestamp.timeoutMs === undefined ? {} : { timeoutMs: timestamp.timeoutMs }),
            ...(signal === undefined ? {} : { signal }),
          });
    const logged =
      tlog === undefined || rekorTrust === undefined
        ? undefined
        : await uploadWithRetry(proposalFor(request.proposal, tlog), tlog, rekorTrust, signal);
    return {
      ...(logged === undefined ? {} : { tlogEntry: logged.tlogEntry }),
      ...(logged?.rekorBundle === undefined ? {} : { rekorBundle: logged.rekorBundle }),
      ...(stamped === undefined ? {} : { timestamp: stamped }),
    };
  };
}
