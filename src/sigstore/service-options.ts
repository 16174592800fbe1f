/**
 * The options every Sigstore service client checks the same way: a positive bound (a deadline, a
 * byte limit) with its default, and a service's base URL — plain http(s), no credentials, query or
 * fragment, so nothing secret reaches a message.
 */
import { InvalidArgumentError } from '../errors/base.js';

/** `value`, or `fallback` when it is not given; InvalidArgumentError naming `name` when not positive. */
export function positiveOption(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * `value` as a base URL with a trailing slash, once it is a plain http(s) URL; InvalidArgumentError
 * naming `name` otherwise. `shown` is what the message says of an unparseable value (nothing by default).
 */
export function serviceBaseUrl(value: unknown, name: string, shown = ''): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new InvalidArgumentError(`${name} must be an http or https URL${shown}`);
  }
  if (typeof value !== 'string' || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new InvalidArgumentError(`${name} must be an http or https URL, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    throw new InvalidArgumentError(`${name} must be a plain base URL: no credentials, query or fragment`);
  return new URL(url.href.endsWith('/') ? url.href : `${url.href}/`);
}
