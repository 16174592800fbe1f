/**
 * The Rekor v2 (rekor-tiles) write API behind grpc-gateway: `POST /api/v2/log/entries` with a
 * `CreateEntryRequest` → 201 and the `TransparencyLogEntry` as protojson with unpopulated fields
 * emitted (`internal/server/http.go`): int64s as strings, bytes as base64, `integratedTime` "0",
 * `inclusionPromise` null (no SET), an inclusion proof with its checkpoint, `logId` the note key ID.
 * A duplicate is 409 (gRPC `AlreadyExists`) with `x-log-index`; errors are gRPC statuses as JSON,
 * `{"code","message","details":[]}`. `GET /api/v2/checkpoint` and the tile paths answer 501 as the
 * rekor-tiles server does (production serves them from the tile bucket). Deliberately not here:
 * tiles, witnesses, the log-freezing mode.
 */
import { toBase64 } from '../../../internal/bytes.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../service.js';
import { checkpointBody, signNote } from './checkpoint.js';
import {
  answerFault,
  deliverAnswer,
  type EvidenceTampering,
  meetFault,
  type RekorFaultController,
  tamperingOf,
} from './faults.js';
import type { LogKey } from './log-key.js';
import { RekorRefusal } from './refusal.js';
import type { LoggedEntry, TransparencyLog } from './transparency-log.js';
import { notTheRoot } from './v1-entries.js';
import { canonicalizeCreateEntryRequest } from './v2-kinds.js';
import { parseCreateEntryRequest } from './v2-request.js';

/** A Rekor v2 log: its entries, key, origin and note key ID. */
export interface RekorV2Log {
  readonly log: TransparencyLog;
  readonly key: LogKey;
  /** The checkpoint origin, also the note signer name. */
  readonly origin: string;
  /** The C2SP note key ID (32 bytes): the log ID and, first four bytes, the checkpoint key hint. */
  readonly keyId: Uint8Array;
  /** Log `dsseRequestV002`s (rekor-tiles before #744) rather than refuse them (after). */
  readonly acceptDsse: boolean;
  /** The key a `wrongCheckpoint` fault signs with. */
  readonly strangerKey: LogKey;
}

const GRPC_ALREADY_EXISTS = 6;
const GRPC_UNIMPLEMENTED = 12;

function statusAnswer(refusal: RekorRefusal): ServiceResponse {
  return {
    status: refusal.status,
    headers: { 'content-type': 'application/json', ...refusal.headers },
    body: JSON.stringify({ code: refusal.code, message: refusal.message, details: [] }),
  };
}

/** The `TransparencyLogEntry` (protojson, unpopulated fields emitted) for `entry` in the tree as it is now. */
export function v2LogEntry(
  v2: RekorV2Log,
  entry: LoggedEntry,
  tamper?: EvidenceTampering,
): Record<string, unknown> {
  const size = v2.log.size;
  const realRoot = v2.log.root(size);
  const root = tamper === 'wrongProof' ? notTheRoot(realRoot) : realRoot;
  const signer = tamper === 'wrongCheckpoint' ? v2.strangerKey : v2.key;
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: toBase64(v2.keyId) },
    kindVersion: { kind: entry.kind, version: entry.apiVersion },
    integratedTime: '0',
    inclusionPromise: null,
    inclusionProof: {
      logIndex: String(entry.logIndex),
      rootHash: toBase64(root),
      treeSize: String(size),
      hashes: v2.log.inclusionProof(entry.index, size).map(toBase64),
      checkpoint: { envelope: signNote(checkpointBody(v2.origin, size, root), v2.origin, signer, v2.keyId) },
    },
    canonicalizedBody: toBase64(entry.body),
  };
}

/** The handler of the v2 API over `v2`, meeting the faults `faults` injects. */
export function rekorV2Handler(v2: RekorV2Log, faults: RekorFaultController): ServiceHandler {
  const create = (request: ServiceRequest, tamper: EvidenceTampering | undefined): ServiceResponse => {
    const parsed = parseCreateEntryRequest(request.body);
    const { entry, duplicate } = v2.log.add(
      canonicalizeCreateEntryRequest(parsed, { acceptDsse: v2.acceptDsse }),
    );
    if (duplicate)
      throw new RekorRefusal(
        409,
        `an equivalent entry already exists in the transparency log with index ${entry.logIndex}`,
        GRPC_ALREADY_EXISTS,
        { 'x-log-index': String(entry.logIndex) },
      );
    return {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(v2LogEntry(v2, entry, tamper)),
    };
  };

  const route = (
    request: ServiceRequest,
    tamper: EvidenceTampering | undefined,
  ): ServiceResponse | undefined => {
    const { method, path } = request;
    const only = (expected: string) => {
      if (method !== expected) throw new RekorRefusal(405, 'Method Not Allowed', GRPC_UNIMPLEMENTED);
    };
    if (path === '/api/v2/log/entries') {
      only('POST');
      return create(request, tamper);
    }
    if (path === '/api/v2/checkpoint' || path.startsWith('/api/v2/tile/')) {
      only('GET');
      const method =
        path === '/api/v2/checkpoint'
          ? 'GetCheckpoint'
          : path.startsWith('/api/v2/tile/entries/')
            ? 'GetEntryBundle'
            : 'GetTile';
      throw new RekorRefusal(501, `method ${method} not implemented`, GRPC_UNIMPLEMENTED);
    }
    return undefined;
  };

  return async (request) => {
    if (!request.path.startsWith('/api/v2/')) return undefined;
    const met = meetFault(faults, 'v2');
    const forced = await answerFault(faults, met, request.method === 'POST' ? 201 : 200);
    if (forced !== undefined) return forced;
    // Rekor v2 has no SET to get wrong.
    const tamper = tamperingOf(met);
    try {
      return deliverAnswer(met, route(request, tamper === 'wrongSet' ? undefined : tamper));
    } catch (error) {
      if (error instanceof RekorRefusal) return statusAnswer(error);
      throw error;
    }
  };
}
