/**
 * OIDC identity tokens for keyless signing: where a CI job's token comes from, as cosign's and
 * sigstore-js's providers find it — the `SIGSTORE_ID_TOKEN` variable (cosign
 * `pkg/providers/envvar`; GitLab's `id_tokens`), else the GitHub Actions token endpoint
 * (`ACTIONS_ID_TOKEN_REQUEST_URL` with `audience=sigstore`, the bearer
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, the answer `{ "value": "<jwt>" }`: cosign
 * `pkg/providers/github`, @sigstore/sign `identity/ci.ts`) — and the claim a Fulcio proof of
 * possession signs (sigstore `pkg/oauthflow` `SubjectFromUnverifiedToken`: the `email` when the
 * token has one, which must then be verified, else `sub`).
 *
 * A token is a bearer credential: no message here ever holds one, nor the request token, nor
 * anything the endpoint answered. Tokens are read, never verified: Fulcio verifies them.
 *
 * Deliberately not here: interactive browser flows, talking to Fulcio (`fulcio-client.ts`).
 */
import { InvalidArgumentError } from '../errors/base.js';
import { IdentityTokenError } from '../errors/sigstore.js';
import { throwIfAborted } from '../internal/abort.js';
import { fromUtf8 } from '../internal/bytes.js';
import { isJsonObject, own } from '../internal/shape.js';
import { type ServiceErrors, serviceRequest } from './service-http.js';
import { positiveOption } from './service-options.js';

/** The audience Fulcio accepts (its `client-id` on the public instance), asked of GitHub. */
export const SIGSTORE_AUDIENCE = 'sigstore';

/** Deadline of the GitHub token request: as long as a TSA request (10 s); the endpoint answers in well under one. */
export const DEFAULT_IDENTITY_TOKEN_TIMEOUT_MS = 10_000;

/** Most bytes the token endpoint may answer (64 KiB): a JWT is one or two KiB. */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

/** Options of {@link identityTokenFromEnvironment}. */
export interface IdentityTokenFromEnvironmentOptions {
  /** The variables to read. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Cancels the GitHub token request: the call rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Deadline of the GitHub token request. Default {@link DEFAULT_IDENTITY_TOKEN_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

const JWT_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Whether `text` has the form of a compact JWS (three base64url segments, the last possibly empty). */
function looksLikeJwt(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 3 &&
    JWT_SEGMENT.test(parts[0] ?? '') &&
    JWT_SEGMENT.test(parts[1] ?? '') &&
    /^[A-Za-z0-9_-]*$/.test(parts[2] ?? '')
  );
}

/** The token's claims, unverified; IdentityTokenError (without the token) when they cannot be read. */
function unverifiedClaims(token: string): Record<string, unknown> {
  if (typeof token !== 'string' || !looksLikeJwt(token))
    throw new IdentityTokenError('the identity token is not a JWT (three base64url parts)');
  let claims: unknown;
  try {
    claims = JSON.parse(fromUtf8(Buffer.from(token.split('.')[1] as string, 'base64url')));
  } catch {
    throw new IdentityTokenError('the identity token’s claims are not JSON');
  }
  if (!isJsonObject(claims))
    throw new IdentityTokenError('the identity token’s claims are not a JSON object');
  return claims;
}

/** `email_verified` as Go's `stringAsBool` reads it; undefined for a value it refuses. */
function emailVerified(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return false;
  if (value === true || value === 'true' || value === 'True') return true;
  if (value === false || value === 'false' || value === 'False') return false;
  return undefined;
}

/**
 * The string a Fulcio proof of possession signs for `token`: its `email` claim when it has one
 * (which `email_verified` must confirm), else its `sub` — what cosign, sigstore-go and sigstore-js
 * sign, and what Fulcio checks for email issuers (`email`) and all others (`sub`).
 *
 * @throws IdentityTokenError when the token is not a JWT, its email is not verified, or it names
 * no subject. The message never holds the token.
 */
export function proofOfPossessionSubject(token: string): string {
  const claims = unverifiedClaims(token);
  const email = own(claims, 'email');
  const sub = own(claims, 'sub');
  if (email !== undefined && email !== null && typeof email !== 'string')
    throw new IdentityTokenError('the identity token’s email claim is not a string');
  if (typeof email === 'string' && email !== '') {
    const verified = emailVerified(own(claims, 'email_verified'));
    if (verified === undefined)
      throw new IdentityTokenError('the identity token’s email_verified claim is not a boolean');
    if (!verified) throw new IdentityTokenError('the identity token’s email is not verified by its issuer');
    return email;
  }
  if (typeof sub !== 'string' || sub === '')
    throw new IdentityTokenError('the identity token has no subject (sub) claim');
  return sub;
}

/** The GitHub token URL with `audience=sigstore`, and its origin (all that messages show of it). */
function githubTokenUrl(requestUrl: string): { url: string; origin: string } {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    throw new IdentityTokenError('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new IdentityTokenError('ACTIONS_ID_TOKEN_REQUEST_URL is not an http or https URL');
  url.searchParams.append('audience', SIGSTORE_AUDIENCE);
  return { url: url.href, origin: url.origin };
}

/** Asks the GitHub Actions endpoint for a token with audience `sigstore`. */
async function githubActionsToken(
  requestUrl: string,
  requestToken: string,
  options: IdentityTokenFromEnvironmentOptions,
): Promise<string> {
  const { url, origin } = githubTokenUrl(requestUrl);
  const what = `requesting an identity token from GitHub Actions (${origin})`;
  const timeoutMs = positiveOption(options.timeoutMs, 'timeoutMs', DEFAULT_IDENTITY_TOKEN_TIMEOUT_MS);
  throwIfAborted(options.signal, what);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  // Messages name the endpoint by its origin only: its path and query are the job's.
  const errors: ServiceErrors = {
    answerName: 'token answer',
    unavailable: (message, details) =>
      new IdentityTokenError(message.replaceAll(url, origin), { status: details.status ?? 0 }),
    response: (message) => new IdentityTokenError(message.replaceAll(url, origin)),
  };
  const answer = await serviceRequest(
    url,
    { method: 'GET', headers: { accept: 'application/json', authorization: `Bearer ${requestToken}` } },
    { signal, maxBytes: MAX_TOKEN_ANSWER_BYTES, what },
    errors,
  );
  if (answer.status !== 200)
    throw new IdentityTokenError(
      `the GitHub Actions token endpoint (${origin}) answered HTTP ${answer.status}` +
        (answer.status === 401 || answer.status === 403
          ? ': does the job have `permissions: id-token: write`?'
          : ''),
      { status: answer.status },
    );
  let value: unknown;
  try {
    const doc: unknown = JSON.parse(fromUtf8(answer.body));
    value = isJsonObject(doc) ? own(doc, 'value') : undefined;
  } catch {
    throw new IdentityTokenError(`the GitHub Actions token endpoint (${origin}) did not answer JSON`, {
      status: answer.status,
    });
  }
  if (typeof value !== 'string' || !looksLikeJwt(value))
    throw new IdentityTokenError(
      `the GitHub Actions token endpoint (${origin}) answered no token (a JWT in "value")`,
      { status: answer.status },
    );
  return value;
}

/**
 * The OIDC identity token of the environment, as cosign finds one in CI: `SIGSTORE_ID_TOKEN` when
 * set (GitLab: `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore`), else a fresh token from the GitHub
 * Actions endpoint for audience `sigstore` (the job needs `permissions: id-token: write`). Each
 * call asks GitHub again: its tokens live minutes, and a long-running signer renews with them.
 *
 * @throws IdentityTokenError when neither source is there (the message names both), the variable
 * does not hold a JWT, or the endpoint cannot be reached, refuses (`status`) or answers no token;
 * OperationTimeoutError past `timeoutMs`; AbortedError when `signal` fires. No message holds a
 * token.
 */
export async function identityTokenFromEnvironment(
  options: IdentityTokenFromEnvironmentOptions = {},
): Promise<string> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('identityTokenFromEnvironment options must be an object');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InvalidArgumentError('signal must be an AbortSignal');
  const env = options.env ?? process.env;
  if (typeof env !== 'object' || env === null) throw new InvalidArgumentError('env must be an object');
  const variable = env.SIGSTORE_ID_TOKEN?.trim();
  if (variable !== undefined && variable !== '') {
    if (!looksLikeJwt(variable)) throw new IdentityTokenError('SIGSTORE_ID_TOKEN does not hold a JWT');
    return variable;
  }
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (requestUrl !== undefined && requestUrl !== '' && requestToken !== undefined && requestToken !== '')
    return githubActionsToken(requestUrl, requestToken, options);
  throw new IdentityTokenError(
    'no identity token: set SIGSTORE_ID_TOKEN, or run in GitHub Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN), or pass identityToken',
  );
}
