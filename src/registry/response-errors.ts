/**
 * Turns a registry's error response into a typed error: the distribution-spec body
 * (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}`) read with a cap and a deadline, the
 * status mapped to our classes, the URL shown without query or credentials — and the registry's
 * words scrubbed of credentials (registries echo `Authorization` back) and control characters.
 *
 * A body that is not a distribution error body is ignored: the status says enough.
 */
import { NotFoundError, RegistryAuthError, RegistryError } from '../errors/registry.js';
import { fromUtf8 } from '../internal/bytes.js';
import { array, object, optional, optionalOrNull, unknownValue } from '../internal/shape.js';
import { scrubText } from './redact.js';
import { type HttpResponse, readBody, redactUrl } from './transport/http.js';

const ERROR_BODY_LIMIT = 64 * 1024;
/** Deadline for an error body when the caller gives none: it is a few hundred bytes at most. */
const ERROR_BODY_DEADLINE_MS = 10_000;
/** How much of the registry's message we repeat. */
const MESSAGE_CHARS = 200;
/** Distribution error codes are upper-case identifiers; anything else is not repeated. */
const REGISTRY_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

const errorBodyShape = object({
  errors: optionalOrNull(array(object({ code: optional(unknownValue), message: optional(unknownValue) }))),
});

/** How {@link errorFromResponse} reads and cleans the body. */
export interface ErrorBodyOptions {
  /** Removes known secrets from the registry's text (the client's SecretRedactor). */
  readonly redact?: ((text: string) => string) | undefined;
  /** Longest wait for the body. Default 10 s. */
  readonly deadlineMs?: number | undefined;
}

/** The first distribution error's code and message, when the body is one; never throws. */
export function parseErrorBody(bytes: Uint8Array): { code?: string; message?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(bytes));
  } catch {
    return {};
  }
  let first: { code?: unknown; message?: unknown } | undefined;
  try {
    first = errorBodyShape.check(doc, '').errors?.[0];
  } catch {
    return {};
  }
  const out: { code?: string; message?: string } = {};
  if (typeof first?.code === 'string' && REGISTRY_CODE.test(first.code)) out.code = first.code;
  if (typeof first?.message === 'string' && first.message !== '') out.message = first.message;
  return out;
}

/** The typed error for a response we did not expect, its body read (and released). */
export async function errorFromResponse(
  response: HttpResponse,
  action: string,
  options: ErrorBodyOptions = {},
): Promise<RegistryError> {
  let parsed: { code?: string; message?: string } = {};
  try {
    const body = await readBody(response, ERROR_BODY_LIMIT, 'error body', {
      deadlineMs: options.deadlineMs ?? ERROR_BODY_DEADLINE_MS,
    });
    parsed = parseErrorBody(body);
  } catch {
    // Too large, too slow or broken: the status says enough.
  }
  const registryCode = parsed.code;
  const said =
    parsed.message === undefined
      ? ''
      : `: ${scrubText(options.redact?.(parsed.message) ?? parsed.message, MESSAGE_CHARS)}`;
  const where = `${action} (${redactUrl(response.url)})`;
  const code = registryCode === undefined ? '' : ` ${registryCode}`;
  const status = response.status;
  if (status === 404) return new NotFoundError(`${where}: not found${code}${said}`, { registryCode });
  if (status === 401 || status === 403) {
    return new RegistryAuthError(
      `${where}: ${status === 401 ? 'authentication required' : 'access denied'}${code}${said}`,
      { status, registryCode },
    );
  }
  return new RegistryError('REGISTRY_HTTP', `${where}: HTTP ${status}${code}${said}`, {
    status,
    registryCode,
  });
}
