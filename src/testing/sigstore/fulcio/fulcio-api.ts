/**
 * Fulcio's HTTP API v2 as the double answers it (fulcio `fulcio.proto` through grpc-gateway,
 * `pkg/server/grpc_server.go`):
 *
 * - `POST /api/v2/signingCert`: a `CreateSigningCertificateRequest` in protojson (unknown members
 *   ignored, as grpc-gateway's decoder does), the token in `credentials.oidcIdentityToken` or else
 *   in `Authorization: Bearer`; either `publicKeyRequest { publicKey { algorithm, content },
 *   proofOfPossession }` (bytes: base64) or `certificateSigningRequest` (base64 of the PEM CSR). The
 *   answer is 200 `{ signedCertificateEmbeddedSct: { chain: { certificates: [leaf, intermediate,
 *   root] } } }` (PEM). Checks in Fulcio's order: the token, the key and its proof, the algorithm,
 *   the claims the certificate needs; each refusal is a 400 (see `rejection.ts`).
 * - `GET /api/v2/trustBundle`: `{ chains: [{ certificates: [intermediate, root] }] }`.
 * - `GET /api/v2/configuration`: the issuers accepted, as `Configuration` (sigstore-js does not read
 *   it; cosign and other clients may).
 *
 * Another method on these paths is answered 501 (grpc-gateway's "Method Not Allowed"); other paths
 * are left to other handlers. Not served: the legacy v1 API (`/api/v1/signingCert`), which no
 * current client calls.
 */
import { generateKeyPairSync } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { InvalidArgumentError } from '../../../errors/base.js';
import { encodePem } from '../../../keys/pem.js';
import { pBytes, pEnum, pField, pMessage, pString, readProtoJson } from '../../../payload/protojson.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../service.js';
import type { CertificateAuthority } from './ca.js';
import { issueLeaf } from './certificate.js';
import type { CtLog } from './ct-log.js';
import { RenderError, renderExtensions, subjectAltNameExtension } from './extensions.js';
import { type FulcioFaultController, meetFault } from './faults.js';
import { type OidcIssuer, TokenError } from './oidc.js';
import {
  EmbedError,
  IdentityError,
  type OidcIssuerConfig,
  type Principal,
  principalOf,
} from './principal.js';
import { type KeyRequest, provenKey } from './proof.js';
import {
  badRequest,
  FULCIO_MESSAGES,
  FulcioRejection,
  GRPC_CODES,
  type GrpcCode,
  grpcErrorBody,
} from './rejection.js';
import { FULCIO_AUDIENCE } from './token-claims.js';

/** What the API answers from. */
export interface FulcioApiContext {
  readonly ca: CertificateAuthority;
  readonly ctLog: CtLog;
  readonly oidc: OidcIssuer;
  /** The OIDC issuers accepted, by issuer URL. */
  readonly issuers: Readonly<Record<string, OidcIssuerConfig>>;
  readonly faults: FulcioFaultController;
  readonly now: () => Date;
  readonly certificateLifetimeMs: number;
  /** Requests received per path, counted here. */
  readonly calls: Record<string, number>;
}

const SIGNING_CERT = '/api/v2/signingCert';
const TRUST_BUNDLE = '/api/v2/trustBundle';
const CONFIGURATION = '/api/v2/configuration';
const METHODS: Readonly<Record<string, string>> = {
  [SIGNING_CERT]: 'POST',
  [TRUST_BUNDLE]: 'GET',
  [CONFIGURATION]: 'GET',
};

const ignore = { unknownFields: 'ignore' } as const;
const PUBLIC_KEY = pMessage(
  'PublicKey',
  {
    algorithm: pField(pEnum(['PUBLIC_KEY_ALGORITHM_UNSPECIFIED', 'RSA_PSS', 'ECDSA', 'ED25519'])),
    content: pField(pString),
  },
  ignore,
);
const SIGNING_CERT_REQUEST = pMessage(
  'CreateSigningCertificateRequest',
  {
    credentials: pField(
      pMessage('Credentials', { oidcIdentityToken: pField(pString, { oneof: 'credentials' }) }, ignore),
    ),
    publicKeyRequest: pField(
      pMessage(
        'PublicKeyRequest',
        { publicKey: pField(PUBLIC_KEY), proofOfPossession: pField(pBytes) },
        ignore,
      ),
      { oneof: 'key' },
    ),
    certificateSigningRequest: pField(pBytes, { oneof: 'key' }),
  },
  ignore,
);

/** The issuer type each config is reported as (the public instance runs GitHub as `ci-provider`). */
const ISSUER_TYPES = { email: 'email', 'github-workflow': 'ci-provider', username: 'username' } as const;

function answer(grpc: GrpcCode, message: string): ServiceResponse {
  return { status: grpc.status, body: grpcErrorBody(grpc, message) };
}

function readRequest(body: Uint8Array) {
  // grpc-gateway reads an empty body as an empty message.
  return readProtoJson(
    body.length === 0 ? '{}' : body,
    SIGNING_CERT_REQUEST,
    'the request',
    (message, cause) => new InvalidArgumentError(message, { cause }),
  );
}

function issuerOf(token: string): string | undefined {
  const payload = token.split('.')[1] ?? '';
  try {
    const iss: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** The subject alternative name and extensions of `principal`'s certificate, or a 400 refusal. */
function certificateContents(principal: Principal): {
  subjectAltName: pkijs.Extension;
  extensions: pkijs.Extension[];
} {
  try {
    const embedded = principal.embed();
    return {
      subjectAltName: subjectAltNameExtension(embedded.subjectAltNames),
      extensions: renderExtensions(embedded.extensions),
    };
  } catch (error) {
    if (error instanceof EmbedError || error instanceof RenderError) throw badRequest(error.message);
    throw error;
  }
}

/** A fresh P-256 public key nobody asked for (the `wrong-key` fault). */
function someOtherKey(): Uint8Array {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

/** Creates the handler of Fulcio's v2 API over `context`. */
export function fulcioApi(context: FulcioApiContext): ServiceHandler {
  const { ca, ctLog, faults, calls } = context;

  function authenticate(token: string): Principal {
    try {
      const claims = context.oidc.verify(token, { audience: FULCIO_AUDIENCE, now: context.now() });
      const issuer = issuerOf(token);
      const config =
        issuer !== undefined && Object.hasOwn(context.issuers, issuer) ? context.issuers[issuer] : undefined;
      if (config === undefined)
        throw new TokenError(`failed to match issuer URL ${issuer} from token with any configured providers`);
      return principalOf(claims, config);
    } catch (error) {
      if (error instanceof TokenError || error instanceof IdentityError)
        throw badRequest(FULCIO_MESSAGES.invalidIdentityToken);
      throw error;
    }
  }

  function signingCert(request: ServiceRequest, wrongKey: boolean, forgedSct: boolean): ServiceResponse {
    let body: ReturnType<typeof readRequest>;
    try {
      body = readRequest(request.body);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw badRequest(error.message);
      throw error;
    }
    const bearer = (request.headers.authorization ?? '').replace('Bearer ', '');
    const principal = authenticate(body.credentials?.oidcIdentityToken || bearer);
    const csr = body.certificateSigningRequest;
    const keyRequest: KeyRequest =
      csr !== undefined && csr.length > 0
        ? { kind: 'csr', csr }
        : {
            kind: 'publicKey',
            content: body.publicKeyRequest?.publicKey?.content ?? '',
            proof: body.publicKeyRequest?.proofOfPossession ?? new Uint8Array(0),
          };
    const proven = provenKey(keyRequest, principal.name);
    const publicKey = wrongKey ? someOtherKey() : proven;
    const contents = certificateContents(principal);
    const now = context.now();
    const leaf = issueLeaf(
      ca,
      ctLog,
      {
        publicKey,
        ...contents,
        notBefore: now,
        notAfter: new Date(now.getTime() + context.certificateLifetimeMs),
      },
      now,
      { forgedSct },
    );
    return {
      status: 200,
      body: {
        signedCertificateEmbeddedSct: {
          chain: { certificates: [encodePem('CERTIFICATE', leaf.der), ca.intermediate.pem, ca.root.pem] },
        },
      },
    };
  }

  function configuration(): ServiceResponse {
    const issuers = Object.entries(context.issuers).map(([url, config]) => ({
      issuerUrl: url,
      audience: FULCIO_AUDIENCE,
      challengeClaim: config.type === 'email' ? 'email' : 'sub',
      spiffeTrustDomain: '',
      issuerType: ISSUER_TYPES[config.type],
      subjectDomain: config.type === 'username' ? config.subjectDomain : '',
      skipEmailVerification: false,
    }));
    return { status: 200, body: { issuers } };
  }

  return async (request) => {
    const method = Object.hasOwn(METHODS, request.path) ? METHODS[request.path] : undefined;
    if (method === undefined) return undefined;
    calls[request.path] = (calls[request.path] ?? 0) + 1;
    if (request.method !== method) return answer(GRPC_CODES.unimplemented, 'Method Not Allowed');
    const fault = meetFault(faults, request.path === SIGNING_CERT);
    if (fault === 'unavailable')
      return answer(GRPC_CODES.unavailable, 'the Fulcio double is unavailable (injected fault)');
    // Held until the test clears the fault, then answered as if it had not been met.
    if (fault === 'hang') await faults.released();
    if (fault === 'garbage')
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: 'this is not Fulcio JSON {',
      };
    if (request.path === TRUST_BUNDLE)
      return { status: 200, body: { chains: [{ certificates: [ca.intermediate.pem, ca.root.pem] }] } };
    if (request.path === CONFIGURATION) return configuration();
    try {
      return signingCert(request, fault === 'wrong-key', fault === 'invalid-sct');
    } catch (error) {
      if (error instanceof FulcioRejection) return answer(error.grpc, error.message);
      return answer(GRPC_CODES.internal, FULCIO_MESSAGES.genericCAError);
    }
  };
}
