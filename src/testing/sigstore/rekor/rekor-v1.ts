/**
 * The Rekor v1 REST API (sigstore/rekor `openapi.yaml`, `pkg/api/entries.go`, `tlog.go`,
 * `public_key.go`, `error.go`): `POST /api/v1/log/entries` (201 with the entry, `Location` and
 * `ETag`; 409 with `Location` for an entry already logged), `GET /api/v1/log/entries?logIndex=`,
 * `GET /api/v1/log/entries/{entryUUID}` (64 or 80 hex digits), `POST /api/v1/log/entries/retrieve`
 * (at most 10 lookups), `GET /api/v1/log` and `GET /api/v1/log/publicKey`. Errors are go-openapi's
 * `{"code","message"}`: 400 for an entry Rekor cannot process, 422 (code 6xx) for a parameter that
 * fails the OpenAPI schema, 404 with no body for an entry that is not there.
 * Deliberately not here: consistency proofs (`/api/v1/log/proof` answers 501), the deprecated
 * index search, attestation storage, inactive shards' own entries.
 */
import { toHex } from '../../../internal/bytes.js';
import { isJsonObject, own } from '../../../internal/shape.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../service.js';
import { canonicalizeProposedEntry } from './entry-kinds.js';
import {
  answerFault,
  deliverAnswer,
  type EvidenceTampering,
  meetFault,
  type RekorFaultController,
  tamperingOf,
} from './faults.js';
import { hashLeaf } from './merkle-tree.js';
import { RekorRefusal } from './refusal.js';
import { entryIdOf, type RekorV1Log, v1LogEntry, v1LogInfo } from './v1-entries.js';

const ENTRIES = '/api/v1/log/entries';
/** `SearchLogQueryHandler`'s `maxSearchQueries`. */
const MAX_SEARCH_QUERIES = 10;
const UUID_PATTERN = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/;

/** go-openapi's JSON answer: the value and a newline. */
function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): ServiceResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: `${JSON.stringify(value)}\n`,
  };
}

function refusalAnswer(refusal: RekorRefusal): ServiceResponse {
  return jsonAnswer(refusal.status, { code: refusal.code, message: refusal.message }, { ...refusal.headers });
}

/** A `NotFound` response: no body, no content type. */
const NOT_FOUND: ServiceResponse = { status: 404 };

/** go-openapi's body binding: JSON only, and present. */
function readJsonBody(
  request: ServiceRequest,
  parameter: string,
  parseFailure: 'internal' | 'parse',
): unknown {
  const type = (request.headers['content-type'] ?? 'application/octet-stream')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json')
    throw new RekorRefusal(
      415,
      `unsupported media type ${JSON.stringify(type)}, only [application/json] are allowed`,
    );
  if (request.body.length === 0) throw new RekorRefusal(422, `${parameter} in body is required`, 602);
  try {
    return JSON.parse(Buffer.from(request.body).toString('utf8'));
  } catch (error) {
    const why = (error as Error).message;
    // createLogEntry decodes the polymorphic body itself: a syntax error reaches ServeError as a 500.
    throw parseFailure === 'internal'
      ? new RekorRefusal(500, why)
      : new RekorRefusal(400, `parsing ${parameter} body from "" failed, because ${why}`);
  }
}

/** A non-negative int64 query or body parameter, validated as go-openapi validates it. */
function readLogIndex(raw: string | null, where: string): number {
  if (raw === null || raw === '') throw new RekorRefusal(422, `logIndex in ${where} is required`, 602);
  if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw new RekorRefusal(422, `logIndex in ${where} must be of type int64: ${JSON.stringify(raw)}`, 601);
  const index = Number(raw);
  if (index < 0)
    throw new RekorRefusal(422, `logIndex in ${where} should be greater than or equal to 0`, 609);
  return index;
}

/** The handler of the v1 API over `v1`, meeting the faults `faults` injects. */
export function rekorV1Handler(v1: RekorV1Log, faults: RekorFaultController): ServiceHandler {
  const byLogIndex = (logIndex: number) => v1.log.atLogIndex(logIndex);

  /** An entry by UUID (leaf hash) or entry ID (tree ID + leaf hash, which must name this tree). */
  const byEntryId = (id: string) => {
    const uuid = id.slice(-64);
    if (id.length === 80 && BigInt(`0x${id.slice(0, 16)}`) !== v1.treeId) return undefined;
    return v1.log.byUuid(uuid);
  };

  const create = (request: ServiceRequest, tamper: EvidenceTampering | undefined): ServiceResponse => {
    const entry = canonicalizeProposedEntry(readJsonBody(request, 'proposedEntry', 'internal'));
    const { entry: logged, duplicate } = v1.log.add(entry);
    const entryId = entryIdOf(v1, logged);
    const location = `${ENTRIES}/${entryId}`;
    if (duplicate)
      throw new RekorRefusal(
        409,
        `an equivalent entry already exists in the transparency log with UUID ${entryId}`,
        409,
        { location },
      );
    return jsonAnswer(201, v1LogEntry(v1, logged, tamper), { location, etag: entryId });
  };

  /** A searched proposed entry's UUID; its refusals without createLogEntry's prefix, as search words them. */
  const leafUuidOf = (proposed: unknown): string => {
    try {
      return toHex(hashLeaf(canonicalizeProposedEntry(proposed).body));
    } catch (error) {
      if (error instanceof RekorRefusal && error.status !== 422)
        throw new RekorRefusal(400, error.message.replace(/^error processing entry: /, ''));
      throw error;
    }
  };

  const search = (request: ServiceRequest, tamper: EvidenceTampering | undefined): ServiceResponse => {
    const query = readJsonBody(request, 'entry', 'parse');
    if (!isJsonObject(query))
      throw new RekorRefusal(400, 'parsing entry body from "" failed, because it is not an object');
    const list = (name: string): unknown[] => {
      const value = own(query, name);
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) throw new RekorRefusal(422, `${name} in body must be of type array`, 601);
      if (value.length > MAX_SEARCH_QUERIES)
        throw new RekorRefusal(422, `${name} in body should have at most ${MAX_SEARCH_QUERIES} items`, 611);
      return value;
    };
    const uuids = list('entryUUIDs');
    const proposed = list('entries');
    const indexes = list('logIndexes');
    for (const [i, uuid] of uuids.entries())
      if (typeof uuid !== 'string' || !UUID_PATTERN.test(uuid))
        throw new RekorRefusal(422, `entryUUIDs.${i} in body should match '${UUID_PATTERN.source}'`, 605);
    const logIndexes = indexes.map((v, i) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v))
        throw new RekorRefusal(422, `logIndexes.${i} in body must be of type integer`, 601);
      return readLogIndex(String(v), 'body');
    });
    if (uuids.length + proposed.length + indexes.length > MAX_SEARCH_QUERIES)
      throw new RekorRefusal(422, `more than max allowed ${MAX_SEARCH_QUERIES} entries in request`);
    const found = [
      ...uuids.map((uuid) => byEntryId(uuid as string)),
      ...proposed.map((p) => v1.log.byUuid(leafUuidOf(p))),
      ...logIndexes.map(byLogIndex),
    ];
    return jsonAnswer(
      200,
      found.flatMap((e) => (e === undefined ? [] : [v1LogEntry(v1, e, tamper)])),
    );
  };

  const route = (
    request: ServiceRequest,
    tamper: EvidenceTampering | undefined,
  ): ServiceResponse | undefined => {
    const { method, path } = request;
    const allow = (...methods: string[]) => {
      if (!methods.includes(method))
        throw new RekorRefusal(405, `method ${method} is not allowed, but [${methods.join(',')}] are`, 405, {
          allow: methods.join(','),
        });
    };
    if (path === '/api/v1/log') {
      allow('GET');
      return jsonAnswer(200, v1LogInfo(v1, tamper));
    }
    if (path === '/api/v1/log/publicKey') {
      allow('GET');
      const treeId = request.query.get('treeID');
      if (treeId !== null && !/^[0-9]+$/.test(treeId))
        throw new RekorRefusal(422, `treeID in query should match '^[0-9]+$'`, 605);
      if (treeId !== null && BigInt(treeId) !== v1.treeId) throw new RekorRefusal(400, 'Bad Request');
      return {
        status: 200,
        headers: { 'content-type': 'application/x-pem-file' },
        body: v1.key.publicKeyPem,
      };
    }
    if (path === '/api/v1/log/proof') {
      allow('GET');
      throw new RekorRefusal(501, 'the Rekor double serves no consistency proofs');
    }
    if (path === ENTRIES) {
      allow('GET', 'POST');
      if (method === 'POST') return create(request, tamper);
      const entry = byLogIndex(readLogIndex(request.query.get('logIndex'), 'query'));
      return entry === undefined ? NOT_FOUND : jsonAnswer(200, v1LogEntry(v1, entry, tamper));
    }
    if (path === `${ENTRIES}/retrieve` && method === 'POST') return search(request, tamper);
    if (path.startsWith(`${ENTRIES}/`) && !path.slice(ENTRIES.length + 1).includes('/')) {
      allow('GET');
      const id = path.slice(ENTRIES.length + 1);
      if (!UUID_PATTERN.test(id))
        throw new RekorRefusal(422, `entryUUID in path should match '${UUID_PATTERN.source}'`, 605);
      const entry = byEntryId(id);
      return entry === undefined ? NOT_FOUND : jsonAnswer(200, v1LogEntry(v1, entry, tamper));
    }
    return undefined;
  };

  return async (request) => {
    if (request.path !== '/api/v1/log' && !request.path.startsWith('/api/v1/log/')) return undefined;
    const met = meetFault(faults, 'v1');
    const forced = await answerFault(
      faults,
      met,
      request.method === 'POST' && request.path === ENTRIES ? 201 : 200,
    );
    if (forced !== undefined) return forced;
    try {
      return deliverAnswer(met, route(request, tamperingOf(met)));
    } catch (error) {
      if (error instanceof RekorRefusal) return refusalAnswer(error);
      throw error;
    }
  };
}
