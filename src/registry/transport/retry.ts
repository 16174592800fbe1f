/**
 * When and how long to wait before trying a registry request again: jittered exponential backoff on
 * 408/429/5xx and dropped connections, honouring `Retry-After`. Like go-containerregistry's retry
 * table. Only idempotent requests are retried (the caller decides which those are). The pause itself
 * is `sleep` from internal/abort.ts, which ends with a typed error when the request is aborted.
 * Also: which failed writes a convergent writer (`internal/convergent-add.ts`) tries again.
 */
import { RegistryError } from '../../errors/registry.js';

/** How often and how patiently a registry request is tried again; every field has a default. */
export interface RetryOptions {
  /** Attempts after the first. Default 3. */
  readonly retries?: number;
  /** First backoff step in ms; doubles each attempt, with full jitter. Default 200. */
  readonly baseDelayMs?: number;
  /** Longest wait between attempts, including a `Retry-After` the registry asks for. Default 10 000. */
  readonly maxDelayMs?: number;
}

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Network error codes that mean "the connection failed; the request may not have been processed". */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function isRetryableError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into ms, or undefined. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before attempt `attempt` (1-based retry number). */
export function backoffMs(attempt: number, options: RetryOptions, retryAfter?: number): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  if (retryAfter !== undefined) return Math.min(retryAfter, max);
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}

/**
 * Whether a failed write may have been transient, and so may or may not have landed: a 5xx, a
 * dropped connection or a timeout (after the transport's own retries). A convergent writer reads
 * back and tries again instead of failing.
 */
export function isTransientWriteError(error: unknown): error is RegistryError {
  return (
    error instanceof RegistryError &&
    (error.status >= 500 || error.code === 'REGISTRY_UNREACHABLE' || error.code === 'REGISTRY_TIMEOUT')
  );
}
