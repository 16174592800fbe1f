/**
 * How the Fulcio double refuses a request: as Fulcio's gRPC server does (fulcio
 * `pkg/server/error.go`, the client-facing messages) seen through grpc-gateway, which answers
 * `{ "code": <gRPC code>, "message": "…", "details": [] }` with the HTTP status of the code
 * (grpc-gateway `runtime/errors.go` `HTTPStatusFromCode`). Fulcio refuses everything a client got
 * wrong — the token included — with `InvalidArgument`, so with 400: it never answers 401.
 *
 * Deliberately not here: deciding when to refuse.
 */

/** The client-facing messages of fulcio `pkg/server/error.go`. */
export const FULCIO_MESSAGES = {
  invalidSignature: 'The signature supplied in the request could not be verified',
  invalidPublicKey: 'The public key supplied in the request could not be parsed',
  invalidCSR: 'The certificate signing request could not be parsed',
  insecurePublicKey: 'The public key supplied in the request is insecure',
  invalidIdentityToken: 'There was an error processing the identity token',
  genericCAError: 'error communicating with CA backend',
} as const;

/** The gRPC codes the double answers with, and the HTTP status grpc-gateway gives each. */
export const GRPC_CODES = {
  invalidArgument: { code: 3, status: 400 },
  unimplemented: { code: 12, status: 501 },
  internal: { code: 13, status: 500 },
  unavailable: { code: 14, status: 503 },
} as const;

/** One of {@link GRPC_CODES}. */
export type GrpcCode = (typeof GRPC_CODES)[keyof typeof GRPC_CODES];

/** A refusal: thrown inside the double, answered as grpc-gateway's error body. */
export class FulcioRejection extends Error {
  constructor(
    readonly grpc: GrpcCode,
    message: string,
  ) {
    super(message);
  }
}

/** An `InvalidArgument` refusal (HTTP 400) with `message`. */
export function badRequest(message: string): FulcioRejection {
  return new FulcioRejection(GRPC_CODES.invalidArgument, message);
}

/** grpc-gateway's error body for a code and message (`google.rpc.Status`, unpopulated `details` emitted). */
export function grpcErrorBody(grpc: GrpcCode, message: string): object {
  return { code: grpc.code, message, details: [] };
}
