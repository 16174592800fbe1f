/**
 * How a verification sorts what goes wrong while it looks at one candidate (a `.sig` / `.att`
 * layer, a bundle referrer): any typed ocisign error while fetching or checking that one candidate
 * — a malformed document, a digest mismatch, and also a registry error on its own fetch — makes
 * the candidate fail, with the error's message as the reason; the caller's abort or timeout, and a
 * bug (an untyped throw), end the whole verification instead. Whether the `.sig` tag itself could
 * be read is the caller's question (`isDocumentError`).
 *
 * Deliberately only the sorting: which failure reason a candidate gets beyond `malformed`, and what
 * a verification does with its failures, are decided by the caller.
 */
import { AbortedError, OcisignError, OperationTimeoutError } from '../errors/base.js';
import {
  DigestMismatchError,
  type RegistryError,
  RegistryResponseError,
  SizeLimitError,
} from '../errors/registry.js';

/**
 * Whether an error thrown while fetching or parsing one candidate fails only that candidate: one of
 * ocisign's typed errors that is not the caller's abort or timeout.
 */
export function isCandidateError(error: unknown): error is OcisignError {
  return (
    error instanceof OcisignError &&
    !(error instanceof AbortedError) &&
    !(error instanceof OperationTimeoutError)
  );
}

/**
 * Whether a registry error is about the document it served (malformed, over its size limit, not
 * matching its digest) rather than about reaching the registry: the former is a candidate that
 * fails, the latter means we could not check.
 */
export function isDocumentError(error: unknown): error is RegistryError {
  return (
    error instanceof DigestMismatchError ||
    error instanceof SizeLimitError ||
    (error instanceof RegistryResponseError && error.status === 0)
  );
}
