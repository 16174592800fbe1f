/** The Rekor v1 REST API of the double: paths, status codes, headers and JSON shapes as Rekor's. */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fromHex, toBase64, utf8 } from '../../../../src/internal/bytes.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from '../../../../src/sigstore/tlog/merkle.js';
import { rekorKeysFromPublicKeys } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { createRekor, type Rekor } from '../../../../src/testing/sigstore/rekor/index.js';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import {
  callService,
  jsonOf,
  signedHashedRekordV1,
  type V1LogEntryValue as V1Value,
} from '../../../helpers/sigstore-doubles.js';

const TREE_ID = 1193050959916656506n;
const OFFSET = 1000;
const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
let rekor: Rekor;

beforeEach(() => {
  rekor = createRekor({ v1: { treeId: TREE_ID, logIndexOffset: OFFSET } });
});

function call(
  method: string,
  path: string,
  options: { body?: unknown; query?: string; contentType?: string | null } = {},
): Promise<ServiceResponse> {
  const { body, query, contentType = 'application/json' } = options;
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
  return callService(rekor.handler, method, path, { body, query, headers });
}

/** The one member of a `LogEntry`: its entry ID and value. */
function onlyMember(logEntry: Record<string, V1Value>): [string, V1Value] {
  const members = Object.entries(logEntry);
  if (members.length !== 1 || members[0] === undefined) throw new Error('not one member');
  return members[0];
}

const proposal = (text?: string) => signedHashedRekordV1(signer, text);

async function create(proposed: object = proposal()) {
  const answer = await call('POST', '/api/v1/log/entries', { body: proposed });
  expect(answer.status).toBe(201);
  const [entryId, value] = onlyMember(jsonOf(answer));
  return { answer, entryId, value };
}

describe('POST /api/v1/log/entries', () => {
  it('answers 201 with the LogEntry, Location and ETag, as Rekor', async () => {
    await create();
    const { answer, entryId, value } = await create();
    expect(answer.headers).toMatchObject({
      'content-type': 'application/json',
      location: `/api/v1/log/entries/${entryId}`,
      etag: entryId,
    });
    expect(String(answer.body).endsWith('}\n')).toBe(true);
    expect(Object.keys(value)).toEqual(['body', 'integratedTime', 'logID', 'logIndex', 'verification']);
    expect(Object.keys(value.verification)).toEqual(['inclusionProof', 'signedEntryTimestamp']);
    expect(Object.keys(value.verification.inclusionProof)).toEqual([
      'checkpoint',
      'hashes',
      'logIndex',
      'rootHash',
      'treeSize',
    ]);
    const body = Buffer.from(value.body, 'base64');
    const uuid = Buffer.from(leafHash(body)).toString('hex');
    expect(entryId).toBe(`${TREE_ID.toString(16).padStart(16, '0')}${uuid}`);
    expect(value.logID).toBe(rekor.v1.logIdHex);
    expect(value.logID).toBe(sha256(rekor.v1.publicKeyDer).toString('hex'));
    expect(Math.abs(value.integratedTime - Date.now() / 1000)).toBeLessThan(5);
    // The SET and `logIndex` carry the virtual index; the proof the shard-local one.
    expect(value.logIndex).toBe(OFFSET + 1);
    const proof = value.verification.inclusionProof;
    expect([proof.logIndex, proof.treeSize]).toEqual([1, 2]);
    expect(proof.hashes).toHaveLength(1);
    expect(proof.hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    const root = fromHex(proof.rootHash) as Uint8Array;
    expect(
      verifyInclusion(
        leafHash(body),
        1n,
        2n,
        proof.hashes.map((h) => fromHex(h) as Uint8Array),
        root,
      ),
    ).toBe(true);
    expect(proof.checkpoint).toMatch(
      new RegExp(
        `^127\\.0\\.0\\.1 - ${TREE_ID}\\n2\\n${toBase64(root).replaceAll('+', '\\+')}\\n\\n\u2014 127\\.0\\.0\\.1 \\S+\\n$`,
      ),
    );
    const keys = rekorKeysFromPublicKeys([rekor.v1.publicKeyPem]);
    expect(verifyCheckpoint(proof.checkpoint, 2n, root, keys)).toEqual({ ok: true, message: 'ok' });
    expect(rekor.entries().map((e) => [e.api, e.index, e.uuid])).toEqual([
      ['v1', 0, rekor.entries()[0]?.uuid],
      ['v1', 1, uuid],
    ]);
  });

  it('answers a duplicate 409 with the existing entry’s Location, and logs nothing', async () => {
    const proposed = proposal();
    const { entryId } = await create(proposed);
    const again = await call('POST', '/api/v1/log/entries', { body: proposed });
    expect(again.status).toBe(409);
    expect(again.headers?.location).toBe(`/api/v1/log/entries/${entryId}`);
    expect(jsonOf(again)).toEqual({
      code: 409,
      message: `an equivalent entry already exists in the transparency log with UUID ${entryId}`,
    });
    expect(rekor.entries()).toHaveLength(1);
  });

  it('refuses as go-openapi does: bad signature 400, unknown kind 422, wrong media type 415, no body 422', async () => {
    const bad = proposal();
    bad.spec.signature.content = toBase64(sign('sha256', utf8('other'), signer.privateKey));
    const refused = await call('POST', '/api/v1/log/entries', { body: bad });
    expect(refused.status).toBe(400);
    expect(jsonOf(refused).code).toBe(400);
    expect(jsonOf(refused).message).toMatch(/^error processing entry: verifying signature/);
    const unknown = await call('POST', '/api/v1/log/entries', { body: { ...proposal(), kind: 'nonsense' } });
    expect([unknown.status, jsonOf(unknown)]).toEqual([
      422,
      { code: 422, message: 'invalid kind value: "nonsense"' },
    ]);
    expect(
      (await call('POST', '/api/v1/log/entries', { body: proposal(), contentType: 'text/plain' })).status,
    ).toBe(415);
    expect((await call('POST', '/api/v1/log/entries', { body: proposal(), contentType: null })).status).toBe(
      415,
    );
    const empty = await call('POST', '/api/v1/log/entries');
    expect([empty.status, jsonOf(empty).code]).toEqual([422, 602]);
    expect((await call('POST', '/api/v1/log/entries', { body: '{' })).status).toBe(500);
    const method = await call('PUT', '/api/v1/log/entries', { body: proposal() });
    expect([method.status, method.headers?.allow]).toEqual([405, 'GET,POST']);
    expect(rekor.entries()).toHaveLength(0);
  });
});

describe('reading entries', () => {
  it('GET ?logIndex= takes the virtual index; outside the shard it is 404 with no body', async () => {
    const first = await create();
    await create();
    const byIndex = await call('GET', '/api/v1/log/entries', { query: `logIndex=${OFFSET}` });
    expect(byIndex.status).toBe(200);
    const [id, value] = onlyMember(jsonOf(byIndex));
    expect(id).toBe(first.entryId);
    // Served later, the proof is for the tree as it is now.
    expect(value.verification.inclusionProof.treeSize).toBe(2);
    for (const index of [OFFSET - 1, OFFSET + 2]) {
      const missing = await call('GET', '/api/v1/log/entries', { query: `logIndex=${index}` });
      expect([missing.status, missing.body, missing.headers]).toEqual([404, undefined, undefined]);
    }
    const invalid: [string, number][] = [
      ['', 602],
      ['logIndex=-1', 609],
      ['logIndex=abc', 601],
    ];
    for (const [query, code] of invalid) {
      const answer = await call('GET', '/api/v1/log/entries', { query });
      expect([answer.status, jsonOf(answer).code], query).toEqual([422, code]);
    }
  });

  it('GET /entries/{entryUUID} takes the UUID or the entry ID of this tree', async () => {
    const { entryId } = await create();
    const uuid = entryId.slice(16);
    for (const id of [entryId, uuid, uuid.toUpperCase()]) {
      const answer = await call('GET', `/api/v1/log/entries/${id}`);
      expect(answer.status, id).toBe(200);
      expect(Object.keys(jsonOf(answer))).toEqual([entryId]);
    }
    const otherTree = `${(TREE_ID + 1n).toString(16).padStart(16, '0')}${uuid}`;
    expect((await call('GET', `/api/v1/log/entries/${otherTree}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/log/entries/${'0'.repeat(64)}`)).status).toBe(404);
    const invalid = await call('GET', '/api/v1/log/entries/xyz');
    expect([invalid.status, jsonOf(invalid).code]).toEqual([422, 605]);
  });

  it('POST /entries/retrieve finds by UUID, proposed entry and index, at most 10 lookups', async () => {
    const a = proposal();
    const first = await create(a);
    const second = await create();
    const answer = await call('POST', '/api/v1/log/entries/retrieve', {
      body: {
        entryUUIDs: [second.entryId, '0'.repeat(64)],
        entries: [a],
        logIndexes: [OFFSET + 1, OFFSET + 7],
      },
    });
    expect(answer.status).toBe(200);
    expect(jsonOf(answer).map((e: object) => Object.keys(e)[0])).toEqual([
      second.entryId,
      first.entryId,
      second.entryId,
    ]);
    const tooMany = await call('POST', '/api/v1/log/entries/retrieve', {
      body: { entryUUIDs: Array(6).fill(first.entryId), logIndexes: Array(5).fill(OFFSET) },
    });
    expect([tooMany.status, jsonOf(tooMany).message]).toEqual([
      422,
      'more than max allowed 10 entries in request',
    ]);
    const badKind = await call('POST', '/api/v1/log/entries/retrieve', {
      body: { entries: [{ ...a, kind: 'x' }] },
    });
    expect(badKind.status).toBe(422);
    const bad = proposal();
    bad.spec.data.hash.value = sha256(utf8('else')).toString('hex');
    const unverified = await call('POST', '/api/v1/log/entries/retrieve', { body: { entries: [bad] } });
    expect(unverified.status).toBe(400);
    expect(jsonOf(unverified).message).toMatch(/^verifying signature/);
    expect(jsonOf(await call('POST', '/api/v1/log/entries/retrieve', { body: {} }))).toEqual([]);
  });
});

describe('the log', () => {
  it('GET /api/v1/log: root, size, signed tree head and tree ID of the active shard', async () => {
    const empty = jsonOf(await call('GET', '/api/v1/log'));
    expect(empty).toMatchObject({
      treeSize: 0,
      rootHash: sha256(new Uint8Array()).toString('hex'),
      treeID: String(TREE_ID),
    });
    const { value } = await create();
    const info = jsonOf(await call('GET', '/api/v1/log'));
    expect(Object.keys(info)).toEqual(['rootHash', 'treeSize', 'signedTreeHead', 'treeID']);
    expect([info.treeSize, info.rootHash]).toEqual([1, value.verification.inclusionProof.rootHash]);
    const keys = rekorKeysFromPublicKeys([rekor.v1.publicKeyPem]);
    expect(verifyCheckpoint(info.signedTreeHead, 1n, fromHex(info.rootHash) as Uint8Array, keys).ok).toBe(
      true,
    );
  });

  it('GET /api/v1/log/publicKey: the PEM, for this tree only', async () => {
    const answer = await call('GET', '/api/v1/log/publicKey');
    expect([answer.status, answer.headers?.['content-type'], answer.body]).toEqual([
      200,
      'application/x-pem-file',
      rekor.v1.publicKeyPem,
    ]);
    expect((await call('GET', '/api/v1/log/publicKey', { query: `treeID=${TREE_ID}` })).status).toBe(200);
    const other = await call('GET', '/api/v1/log/publicKey', { query: 'treeID=5' });
    expect([other.status, jsonOf(other)]).toEqual([400, { code: 400, message: 'Bad Request' }]);
    expect(rekor.v1.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('leaves other paths to other services', async () => {
    const request = { method: 'GET', query: new URLSearchParams(), headers: {}, body: new Uint8Array() };
    expect(await rekor.handler({ ...request, path: '/api/v1/logs' })).toBeUndefined();
    expect(await rekor.handler({ ...request, path: '/api/v1/signingCert' })).toBeUndefined();
  });
});
