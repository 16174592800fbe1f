/**
 * cosign's wording of a verification that found nothing it trusts, as Kyverno passes it on in rule
 * messages: `no matching signatures: <why each candidate failed>`, on one line, keeping the typed
 * `VerificationError`. Kyverno's own checks after cosign (identity, annotations) are not reworded.
 */
import { VerificationError } from '../../errors/verify.js';

/** Runs `run`; a `VerificationError` it throws comes back as cosign words it for `what`. */
export async function cosignWording<T>(
  what: 'signatures' | 'attestations',
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    const reasons = [...new Set(error.failures.map((f) => f.message))].join('; ');
    throw new VerificationError(error.digest, error.failures, `no matching ${what}: ${reasons}`);
  }
}
