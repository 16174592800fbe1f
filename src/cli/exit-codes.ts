/**
 * The CLI's exit codes, documented in docs/cli.md. cosign exits 1 for every error; CI jobs need to
 * tell "not signed" from "registry down", so we keep them apart.
 */
import { OcisignError } from '../errors/index.js';

export const ExitCode = {
  ok: 0,
  /** A signature or attestation did not verify, or a policy denied a resource. */
  verificationFailed: 1,
  /** Unknown command or flag, missing argument. */
  usage: 2,
  /** Bad input: key file, password, policy, resource, reference. */
  badInput: 3,
  /** A registry or KMS could not be reached or refused the request. */
  unavailable: 4,
} as const;

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const VERIFICATION = new Set(['VERIFICATION_FAILED', 'CLAIM_MISMATCH']);
// TIMEOUT and ABORTED: the --timeout deadline (the CLI's only abort) passed while waiting.
const UNAVAILABLE =
  /^(REGISTRY_|KMS_UNAVAILABLE|KMS_ACCESS_DENIED|TUF_UNAVAILABLE$|REKOR_UNAVAILABLE$|TSA_UNAVAILABLE$|FULCIO_UNAVAILABLE$|NOT_FOUND|DIGEST_MISMATCH|SIZE_LIMIT|TIMEOUT$|ABORTED$)/;

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof OcisignError) {
    if (VERIFICATION.has(error.code)) return ExitCode.verificationFailed;
    if (UNAVAILABLE.test(error.code)) return ExitCode.unavailable;
    return ExitCode.badInput;
  }
  // JSON.parse of a file the user named (trusted root, fixtures).
  if (error instanceof SyntaxError) return ExitCode.badInput;
  if (
    (error as NodeJS.ErrnoException)?.code === 'ENOENT' ||
    (error as NodeJS.ErrnoException)?.code === 'EACCES'
  )
    return ExitCode.badInput;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return ExitCode.usage;
  return ExitCode.unavailable;
}
