/**
 * The claims of an identity token the double issues for `{ subject, issuer, claims? }`: the
 * registered ones (`iss`, `sub`, `aud` = `sigstore`, `iat`, `exp`), then what the issuer's type
 * carries — for an email issuer `email` (= the subject) and `email_verified: true`; for GitHub
 * Actions every claim Fulcio reads from an Actions token (fulcio `config/identity/config.yaml`,
 * github-workflow templates), each derived from the ones given so that a token made from
 * `{ repository, ref }` alone is consistent — and last the caller's `claims`, which win (a claim
 * set to `undefined` is left out, to make a token that lacks it).
 *
 * Deliberately not here: signing (`oidc.ts`), checking.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../../errors/base.js';
import type { OidcIssuerConfig } from './principal.js';

/** The audience Fulcio accepts (its `client-id` for every issuer). */
export const FULCIO_AUDIENCE = 'sigstore';

/** What `tokenClaims` (and so `issueToken`) is asked for. */
export interface IssueTokenRequest {
  /** The `sub` claim: an email, a username, or an Actions subject (`repo:owner/repo:ref:refs/heads/main`). */
  readonly subject: string;
  /** The `iss` claim, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string;
  /** More claims, or replacements (GitHub Actions: `workflow`, `repository`, `sha`, `ref`, `event_name`, …). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The `aud` claim (default `sigstore`). */
  readonly audience?: string | readonly string[];
  /** `iat` (default: the double's clock). */
  readonly issuedAt?: Date;
  /** `exp` − `iat`, in seconds (default 600; negative makes a token that has already expired). */
  readonly expiresInSeconds?: number;
}

/** Ten minutes: how long a token lives unless asked otherwise. */
const DEFAULT_TOKEN_LIFETIME_S = 600;

/** The Actions subject's repository: `repo:<owner>/<repo>:…`. */
const ACTIONS_SUBJECT = /^repo:([^/:]+\/[^:]+):/;

function given(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : undefined;
}

/** The claims of a GitHub Actions token, each from `claims` when given, else derived. */
function githubClaims(subject: string, claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const repository =
    given(claims, 'repository') ?? ACTIONS_SUBJECT.exec(subject)?.[1] ?? 'ocisign-test/example';
  const ref = given(claims, 'ref') ?? 'refs/heads/main';
  const sha = given(claims, 'sha') ?? createHash('sha1').update(`${repository}@${ref}`).digest('hex');
  const workflowRef = given(claims, 'workflow_ref') ?? `${repository}/.github/workflows/release.yml@${ref}`;
  return {
    repository,
    repository_owner: repository.split('/')[0],
    repository_id: '1',
    repository_owner_id: '1',
    repository_visibility: 'public',
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha,
    workflow: 'Release',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    event_name: 'push',
    runner_environment: 'github-hosted',
    run_id: '1',
    run_number: '1',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '1',
  };
}

/**
 * The claims of the token `request` asks for, from an issuer Fulcio treats as `config` (undefined:
 * an issuer Fulcio does not know, whose token gets only the registered claims and `claims`).
 * Throws {@link InvalidArgumentError} for a request that is not one.
 */
export function tokenClaims(
  request: IssueTokenRequest,
  config: OidcIssuerConfig | undefined,
  now: Date,
): Record<string, unknown> {
  if (typeof request !== 'object' || request === null)
    throw new InvalidArgumentError('issueToken takes { subject, issuer, claims? }');
  const { subject, issuer, claims = {} } = request;
  if (typeof subject !== 'string' || typeof issuer !== 'string')
    throw new InvalidArgumentError('issueToken: subject and issuer must be strings');
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new InvalidArgumentError('issueToken: claims must be an object');
  const issuedAt = request.issuedAt ?? now;
  const lifetime = request.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_S;
  if (!(issuedAt instanceof Date) || Number.isNaN(issuedAt.getTime()) || !Number.isFinite(lifetime))
    throw new InvalidArgumentError('issueToken: issuedAt must be a Date and expiresInSeconds a number');
  const iat = Math.floor(issuedAt.getTime() / 1000);
  const typed =
    config?.type === 'email'
      ? { email: subject, email_verified: true }
      : config?.type === 'github-workflow'
        ? githubClaims(subject, claims)
        : {};
  const out: Record<string, unknown> = {
    iss: issuer,
    sub: subject,
    aud: request.audience ?? FULCIO_AUDIENCE,
    iat,
    nbf: iat,
    exp: iat + lifetime,
    ...typed,
    ...claims,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}
