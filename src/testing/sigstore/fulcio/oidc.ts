/**
 * The OIDC token issuer of the Sigstore double: one ECDSA P-256 key held in this process that signs
 * identity tokens (compact JWS, ES256; GitHub Actions signs RS256, which changes nothing a client
 * sees) for any issuer URL, and the check Fulcio runs on a token (go-oidc v3
 * `IDTokenVerifier.Verify`, as fulcio `pkg/identity/authorize.go` calls it): a JWS of three
 * unpadded base64url parts, signed by this issuer's key (`kid`, when present, naming it), the
 * audience listing the client ID, `exp` present and not past, `nbf` (if any) not more than a
 * minute ahead. `iat` is not checked, as go-oidc does not.
 *
 * There is no discovery document or JWKS endpoint: Fulcio's double holds the issuer in-process, and
 * no client of Fulcio ever reads them.
 *
 * Deliberately not here: which claims a token carries (`token-claims.ts`), which issuers Fulcio
 * accepts and what their claims mean (`principal.ts`).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { isJsonObject } from '../../../internal/shape.js';
import { encodePem } from '../../../keys/pem.js';

/** How far ahead of now a token's `nbf` may be (go-oidc's leeway). */
const NOT_BEFORE_LEEWAY_MS = 60_000;

/** Why a token was refused, in go-oidc's words; Fulcio answers every one the same way. */
export class TokenError extends Error {}

/** What a token's check needs besides the token. */
export interface TokenCheck {
  /** The client ID the audience must list (Fulcio's is `sigstore`). */
  readonly audience: string;
  readonly now: Date;
}

/** An OIDC issuer: signs tokens, and checks them as Fulcio does. */
export interface OidcIssuer {
  /** The issuer key's public half, PEM. */
  readonly publicKeyPem: string;
  /** The `kid` of its tokens. */
  readonly keyId: string;
  /** `claims` signed as a compact JWS: header `{ alg: 'ES256', kid, typ: 'JWT' }`. */
  sign(claims: Readonly<Record<string, unknown>>): string;
  /** The claims of a token this issuer signed and that passes `check`; else throws {@link TokenError}. */
  verify(token: string, check: TokenCheck): Record<string, unknown>;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function encodePart(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** An unpadded base64url part, strictly (go-jose's `RawURLEncoding`). */
function decodePart(part: string, what: string): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (!BASE64URL.test(part) || bytes.toString('base64url') !== part)
    throw new TokenError(`oidc: malformed jwt: illegal base64 data in the ${what}`);
  return bytes;
}

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodePart(part, what).toString('utf8'));
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError(`oidc: malformed jwt: the ${what} is not JSON`);
  }
  if (!isJsonObject(value)) throw new TokenError(`oidc: malformed jwt: the ${what} is not a JSON object`);
  return value;
}

/** A NumericDate claim in milliseconds, undefined when absent (go-oidc's `jsonTime`). */
function timeClaim(claims: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TokenError(`oidc: failed to unmarshal claims: ${name} is not a number`);
  return value * 1000;
}

function audienceOf(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = claims.aud;
  if (aud === undefined) return [];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[];
  throw new TokenError('oidc: failed to unmarshal claims: aud is not a string or an array of strings');
}

/** Creates an issuer with a fresh P-256 key. */
export function createOidcIssuer(): OidcIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyId = randomBytes(8).toString('hex');
  const publicKeyDer = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return {
    publicKeyPem: encodePem('PUBLIC KEY', publicKeyDer),
    keyId,
    sign(claims) {
      const signingInput = `${encodePart({ alg: 'ES256', kid: keyId, typ: 'JWT' })}.${encodePart(claims)}`;
      const signature = sign('sha256', Buffer.from(signingInput), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${signingInput}.${signature.toString('base64url')}`;
    },
    verify(token, check) {
      if (typeof token !== 'string' || token.split('.').length !== 3)
        throw new TokenError('oidc: malformed jwt, token must have 3 parts');
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const protectedHeader = jsonPart(header, 'header');
      const claims = jsonPart(payload, 'payload');
      const audience = audienceOf(claims);
      if (!audience.includes(check.audience))
        throw new TokenError(`oidc: expected audience "${check.audience}" got ${JSON.stringify(audience)}`);
      const now = check.now.getTime();
      const expiry = timeClaim(claims, 'exp') ?? 0;
      if (expiry < now)
        throw new TokenError(`oidc: token is expired (Token Expiry: ${new Date(expiry).toISOString()})`);
      const notBefore = timeClaim(claims, 'nbf');
      if (notBefore !== undefined && now + NOT_BEFORE_LEEWAY_MS < notBefore)
        throw new TokenError('oidc: current time before the nbf (not before) time');
      if (protectedHeader.alg !== 'ES256')
        throw new TokenError(
          `oidc: id token signed with unsupported algorithm, expected ["ES256"] got ${JSON.stringify(protectedHeader.alg)}`,
        );
      const kid = protectedHeader.kid;
      const signed =
        (kid === undefined || kid === keyId) &&
        verify(
          'sha256',
          Buffer.from(`${header}.${payload}`),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          decodePart(signature, 'signature'),
        );
      if (!signed) throw new TokenError('failed to verify signature: failed to verify id token signature');
      return claims;
    },
  };
}
