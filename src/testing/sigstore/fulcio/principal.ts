/**
 * Fulcio's principals: what a verified identity token's claims become, per issuer type — the
 * string the proof of possession must sign (`Principal.Name`) and what the certificate holds
 * (`Principal.Embed`). Three of Fulcio's types:
 *
 * - `email` (fulcio `pkg/identity/email/principal.go`): the `email` claim, which must be verified
 *   (`email_verified`) and look like an address; SAN email; extensions issuer and token subject.
 * - `github-workflow`: GitHub Actions as the public instance configures it, a `ci-provider` issuer
 *   with the `github-workflow` templates of fulcio `config/identity/config.yaml`
 *   (`pkg/identity/ciprovider/principal.go`): SAN URI `{{ .url }}/{{ .job_workflow_ref }}` with
 *   `url` defaulting to `https://github.com`, and every extension from its claim or template; a
 *   missing claim fails the request with Go's message. The deprecated `pkg/identity/github`
 *   principal writes the same, except that it has no `.1.23` (deployment environment).
 * - `username` (`pkg/identity/username/principal.go`): SAN otherName `<sub>!<subjectDomain>`.
 *
 * Every principal also writes the token's raw `sub` as `.1.24` (fulcio #2307, 2026-03-31), which
 * certificates issued before then lack.
 *
 * Deliberately not here: checking the token (`oidc.ts`), encoding (`extensions.ts`).
 */
import type { FulcioExtensionField, FulcioExtensionValues, FulcioSubjectAltName } from './extensions.js';

/** How Fulcio treats tokens from one OIDC issuer (its `config.yaml` entry). */
export type OidcIssuerConfig =
  | { readonly type: 'email' }
  | { readonly type: 'github-workflow' }
  | { readonly type: 'username'; readonly subjectDomain: string };

/** What a certificate for a principal holds. */
export interface Embedded {
  readonly subjectAltNames: readonly FulcioSubjectAltName[];
  readonly extensions: FulcioExtensionValues;
}

/** A verified identity, as Fulcio's `identity.Principal`. */
export interface Principal {
  /** What the proof of possession signs: the email for email issuers, the token's `sub` otherwise. */
  readonly name: string;
  /** The certificate's names and extensions; throws {@link EmbedError} when the claims cannot fill them. */
  embed(): Embedded;
}

/** The token's claims do not make a principal (Fulcio then says the identity token is bad). */
export class IdentityError extends Error {}

/** The claims cannot fill the certificate (Fulcio's `ValidationError`: a 400 with this message). */
export class EmbedError extends Error {}

/** The GitHub issuer metadata's defaults (`default-template-values`); claims of the same name win. */
const GITHUB_DEFAULTS: Readonly<Record<string, string>> = { url: 'https://github.com', environment: '' };

const GITHUB_SAN_TEMPLATE = '{{ .url }}/{{ .job_workflow_ref }}';

/** `extension-templates` of the `github-workflow` CI provider, in `Extensions` field order. */
const GITHUB_TEMPLATES: readonly (readonly [FulcioExtensionField, string])[] = [
  ['GithubWorkflowTrigger', 'event_name'],
  ['GithubWorkflowSHA', 'sha'],
  ['GithubWorkflowName', 'workflow'],
  ['GithubWorkflowRepository', 'repository'],
  ['GithubWorkflowRef', 'ref'],
  ['BuildSignerURI', '{{ .url }}/{{ .job_workflow_ref }}'],
  ['BuildSignerDigest', 'job_workflow_sha'],
  ['RunnerEnvironment', 'runner_environment'],
  ['SourceRepositoryURI', '{{ .url }}/{{ .repository }}'],
  ['SourceRepositoryDigest', 'sha'],
  ['SourceRepositoryRef', 'ref'],
  ['SourceRepositoryIdentifier', 'repository_id'],
  ['SourceRepositoryOwnerURI', '{{ .url }}/{{ .repository_owner }}'],
  ['SourceRepositoryOwnerIdentifier', 'repository_owner_id'],
  ['BuildConfigURI', '{{ .url }}/{{ .workflow_ref }}'],
  ['BuildConfigDigest', 'workflow_sha'],
  ['BuildTrigger', 'event_name'],
  ['RunInvocationURI', '{{ .url }}/{{ .repository }}/actions/runs/{{ .run_id }}/attempts/{{ .run_attempt }}'],
  ['SourceRepositoryVisibilityAtSigning', 'repository_visibility'],
  ['DeploymentEnvironment', 'environment'],
];

/**
 * An email address as govalidator's `IsEmail` roughly takes one: a dotted local part of the usual
 * characters, `@`, dotted labels ending in a label that starts with a letter. (Quoted local parts
 * and non-ASCII letters, which govalidator also takes, are refused here.)
 */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*@([A-Za-z0-9]([A-Za-z0-9\-._~]*[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9\-._~]*[A-Za-z0-9])?\.?$/;

/** A claim as Go's `fmt.Sprintf("%v")` prints it (`mapValuesToString`: integral numbers without a point). */
function goText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goText).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, v]) => `${k}:${goText(v)}`).join(' ')}]`;
  }
  return String(value);
}

function text(claims: Readonly<Record<string, unknown>>, name: string): string {
  const value = claims[name];
  return typeof value === 'string' ? value : '';
}

/** fulcio's `applyTemplateOrReplace`: `{{ .name }}` substitutions, or the value of one claim. */
function applyTemplate(
  template: string,
  data: Readonly<Record<string, string>>,
  field: string,
  issuer: string,
): string {
  if (template.includes('{{'))
    return template.replace(/\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => {
      const value = data[key];
      if (value === undefined)
        throw new EmbedError(`template: executing "" at <.${key}>: map has no entry for key "${key}"`);
      return value;
    });
  const value = data[template];
  if (value === undefined)
    throw new EmbedError(
      `value <${template}> not present in either claims or defaults. {\n\t"ExtensionName": "${field}",\n\t"Issuer": "${issuer}"\n}`,
    );
  return value;
}

function githubPrincipal(claims: Readonly<Record<string, unknown>>): Principal {
  const issuer = text(claims, 'iss');
  const subject = text(claims, 'sub');
  return {
    name: subject,
    embed() {
      const data: Record<string, string> = { ...GITHUB_DEFAULTS };
      for (const [key, value] of Object.entries(claims)) data[key] = goText(value);
      const san = applyTemplate(GITHUB_SAN_TEMPLATE, data, 'SubjectAlternativeName', issuer);
      const values: Partial<Record<FulcioExtensionField, string>> = {};
      for (const [field, template] of GITHUB_TEMPLATES)
        values[field] = applyTemplate(template, data, field, issuer);
      return {
        subjectAltNames: [{ type: 'uri', value: san }],
        extensions: { ...values, Issuer: issuer, Subject: subject },
      };
    },
  };
}

function emailPrincipal(claims: Readonly<Record<string, unknown>>): Principal {
  const email = text(claims, 'email');
  if (email === '') throw new IdentityError('token missing email claim');
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  if (!verified) throw new IdentityError('email_verified claim was false');
  if (!EMAIL.test(email)) throw new IdentityError('email address is not valid');
  const extensions = { Issuer: text(claims, 'iss'), Subject: text(claims, 'sub') };
  return { name: email, embed: () => ({ subjectAltNames: [{ type: 'email', value: email }], extensions }) };
}

function usernamePrincipal(claims: Readonly<Record<string, unknown>>, subjectDomain: string): Principal {
  const username = text(claims, 'sub');
  if (username.includes('!')) throw new IdentityError('username cannot contain ! character');
  if (EMAIL.test(username)) throw new IdentityError('uri subject should not be an email address');
  const extensions = { Issuer: text(claims, 'iss'), Subject: username };
  return {
    name: username,
    embed: () => ({
      subjectAltNames: [{ type: 'otherName', value: `${username}!${subjectDomain}` }],
      extensions,
    }),
  };
}

/**
 * The principal of verified `claims` from an issuer configured as `config`. Throws
 * {@link IdentityError} when the claims make none (Fulcio's `PrincipalFromIDToken` failing).
 */
export function principalOf(claims: Readonly<Record<string, unknown>>, config: OidcIssuerConfig): Principal {
  if (config.type === 'email') return emailPrincipal(claims);
  if (config.type === 'username') return usernamePrincipal(claims, config.subjectDomain);
  return githubPrincipal(claims);
}
