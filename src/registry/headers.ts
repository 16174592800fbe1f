/**
 * Registry response headers, read defensively: `Link` pagination (RFC 8288), `Docker-Content-Digest`
 * and `Content-Type`. A hostile value is ignored (or, where the caller needs it, reported as
 * undefined for the caller to refuse) — never a TypeError, never a super-linear scan.
 *
 * `Content-Length` lives with the body reader (transport/http.ts); `WWW-Authenticate` with auth
 * (auth/challenge.ts); `Retry-After` with the retry table (transport/retry.ts).
 */
import { checkDigest } from '../internal/reference.js';
import { type HttpResponse, header, parseUrl } from './transport/http.js';

/**
 * The `rel="next"` target of a `Link` header, resolved against the current URL — only when it stays
 * on the current origin (a registry cannot send our credentials elsewhere with a Link).
 */
export function nextLink(link: string | undefined, current: URL): URL | undefined {
  if (link === undefined) return undefined;
  let i = 0;
  while (i < link.length) {
    const open = link.indexOf('<', i);
    if (open < 0) return undefined;
    const close = link.indexOf('>', open + 1);
    if (close < 0) return undefined;
    let end = close + 1;
    let quoted = false;
    while (end < link.length && (quoted || link[end] !== ',')) {
      if (link[end] === '"') quoted = !quoted;
      end++;
    }
    if (relIsNext(link.slice(close + 1, end))) {
      const next = parseUrl(link.slice(open + 1, close), current);
      return next !== undefined && next.origin === current.origin ? next : undefined;
    }
    i = end + 1;
  }
  return undefined;
}

/** Whether link parameters (`; rel="next"; title=…`) name the `next` relation. */
function relIsNext(params: string): boolean {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    return value.toLowerCase().split(/\s+/).includes('next');
  }
  return false;
}

/** The `Docker-Content-Digest` header when it is a digest we can check (sha256/sha512), else undefined. */
export function contentDigest(response: Pick<HttpResponse, 'headers'>): string | undefined {
  const value = header(response, 'docker-content-digest')?.trim();
  if (value === undefined || value.length > 200) return undefined;
  try {
    return checkDigest(value);
  } catch {
    return undefined;
  }
}

/** The media type of `Content-Type`, without parameters; undefined when absent or empty. */
export function contentType(response: Pick<HttpResponse, 'headers'>): string | undefined {
  const value = header(response, 'content-type');
  if (value === undefined) return undefined;
  // What `value.split(';')[0]` is, without the array (one per manifest and blob read).
  const semi = value.indexOf(';');
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  return type === '' ? undefined : type;
}
