/**
 * Turns a registry's error response into a typed error: the distribution-spec body
 * (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}`) read with a cap, the status mapped to our
 * classes, the URL shown without query or credentials.
 */
import { NotFoundError, RegistryAuthError, RegistryError } from '../errors/registry.js';
import { fromUtf8 } from '../internal/bytes.js';
import { type HttpResponse, readBody, redactUrl } from './transport/http.js';

const ERROR_BODY_LIMIT = 64 * 1024;

export async function errorFromResponse(response: HttpResponse, action: string): Promise<RegistryError> {
  let registryCode: string | undefined;
  let detail = '';
  try {
    const body = await readBody(response, ERROR_BODY_LIMIT, 'error body');
    const parsed = JSON.parse(fromUtf8(body)) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = parsed.errors?.[0];
    if (typeof first?.code === 'string') registryCode = first.code;
    if (typeof first?.message === 'string') detail = `: ${first.message.slice(0, 200)}`;
  } catch {
    // Not a distribution error body (or too large): the status says enough.
  }
  const where = `${action} (${redactUrl(response.url)})`;
  const code = registryCode === undefined ? '' : ` ${registryCode}`;
  const status = response.status;
  if (status === 404) return new NotFoundError(`${where}: not found${code}${detail}`, { registryCode });
  if (status === 401 || status === 403) {
    return new RegistryAuthError(
      `${where}: ${status === 401 ? 'authentication required' : 'access denied'}${code}${detail}`,
      { status, registryCode },
    );
  }
  return new RegistryError('REGISTRY_HTTP', `${where}: HTTP ${status}${code}${detail}`, {
    status,
    registryCode,
  });
}
