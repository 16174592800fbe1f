/**
 * Keeping credentials out of every message the registry layer builds from what a registry said.
 * Registries echo requests back in error bodies (the `Authorization` header, a form with a refresh
 * token), so text from a response is scrubbed twice before it reaches a message: every secret this
 * client has used or received is replaced literally (in the encodings it travelled in), and
 * credential-shaped text — `Basic …`/`Bearer …` values, JWTs, `password=…`, `"token":"…"` — is
 * replaced by pattern, for secrets we never saw (another client's, a proxy's). Control characters
 * are removed too, so a registry cannot forge lines or terminal colours in a log.
 *
 * It does not make a message safe to show in every sense: it removes credentials and control
 * characters, nothing else. It never logs and never stores anything but the secrets it is given.
 */

/** How many received secrets (tokens a token service handed out) a redactor remembers: they rotate, so the oldest are let go. */
const MAX_SECRETS = 512;
/**
 * How many configured secrets (passwords, tokens the caller gave) it remembers, apart from the
 * received ones so that a stream of token refreshes can never push a password out; a separate cap
 * only because a credential provider may hand out a new token per call for the process's lifetime.
 */
const MAX_CONFIGURED_SECRETS = 256;
/** Secrets shorter than this are not searched for literally (they would match ordinary words). */
const MIN_SECRET_LENGTH = 4;

const REDACTED = '[REDACTED]';

/** `Basic …`, `Bearer …` header values (as headers spell them, 8+ token characters) and JWTs. */
const AUTH_VALUE = /\b(Basic|Bearer|BASIC|BEARER|basic|bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}/g;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** `password=…` (forms, queries) and `"password": "…"` (JSON) for the usual secret names. */
const SECRET_NAMES =
  'password|passwd|secret|token|access_token|refresh_token|id_token|identitytoken|registrytoken|auth';
const FORM_SECRET = new RegExp(`\\b(${SECRET_NAMES})=[^&\\s"']+`, 'gi');
const JSON_SECRET = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** Replaces control and bidi characters with a space and cuts `text` to `max` characters. */
export function sanitizeText(text: string, max = 200): string {
  const clean = text.replace(CONTROL, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Replaces credential-shaped text (header values, JWTs, `password=…`, `"token":"…"`). */
export function scrubCredentialShapes(text: string): string {
  return text
    .replace(AUTH_VALUE, `$1$2${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(FORM_SECRET, `$1=${REDACTED}`)
    .replace(JSON_SECRET, `$1"${REDACTED}"`);
}

/**
 * Text a registry chose, fit for a message: credential-shaped values replaced, control characters
 * removed, cut to `max` characters. (Secrets this client knows need its {@link SecretRedactor}.)
 */
export function scrubText(text: string, max: number): string {
  return sanitizeText(scrubCredentialShapes(text), max);
}

/**
 * The secrets one client knows — configured passwords and tokens, tokens a token service handed out
 * — and {@link SecretRedactor.scrub}, which removes them (and anything credential-shaped) from text.
 */
export class SecretRedactor {
  /** Secrets the caller configured (passwords, registry and identity tokens). */
  readonly #configured = new Set<string>();
  /** Secrets a token service handed out. */
  readonly #received = new Set<string>();

  /**
   * Remembers a secret, with the forms it travels in: as is, URL-encoded, base64. `configured`
   * secrets (the caller's own credentials) are kept apart from received tokens, so that no number of
   * token refreshes makes the redactor forget a password.
   */
  add(secret: string | undefined, configured = false): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    for (const form of [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      Buffer.from(secret, 'utf8').toString('base64'),
    ])
      this.#remember(form, configured);
  }

  /** Remembers configured username/password credentials: the password and the Basic `user:pass` base64. */
  addBasic(username: string, password: string): void {
    this.add(password, true);
    const pair = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    this.#remember(pair, true);
    // Unpadded, as some servers print it.
    this.#remember(pair.replace(/=+$/, ''), true);
  }

  #remember(form: string, configured: boolean): void {
    const set = configured ? this.#configured : this.#received;
    if (form.length < MIN_SECRET_LENGTH || set.has(form)) return;
    set.add(form);
    if (set.size > (configured ? MAX_CONFIGURED_SECRETS : MAX_SECRETS)) {
      const oldest = set.values().next().value;
      if (oldest !== undefined) set.delete(oldest);
    }
  }

  /** `text` without any known secret, credential-shaped value or control character. */
  scrub(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.#configured, ...this.#received].sort((a, b) => b.length - a.length))
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return scrubText(out, Number.POSITIVE_INFINITY);
  }
}
