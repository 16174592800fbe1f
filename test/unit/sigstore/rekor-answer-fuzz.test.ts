/**
 * Fuzzing what signing reads from a Rekor log ({@link FUZZ_RUNS} runs each), from real answers of
 * the Rekor double (v1 `LogEntry` and v2 `TransparencyLogEntry`): readV1LogEntry and readV2LogEntry
 * on edited documents and on raw bytes, and the first-use key answer. Each returns a value or
 * throws a typed OcisignError, never anything else.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigner, generateKeyPair } from '../../../src/keys/index.js';
import { readV1LogEntry, readV2LogEntry } from '../../../src/sigstore/rekor-answer.js';
import {
  prepareProposal,
  v1ProposedEntry,
  v2CreateEntryRequest,
} from '../../../src/sigstore/rekor-proposal.js';
import { startSigstore } from '../../../src/testing/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';

const runs = { numRuns: FUZZ_RUNS };
let sigstore: Awaited<ReturnType<typeof startSigstore>>;
let v1Answer: unknown;
let v2Answer: unknown;

async function propose(path: string, body: object): Promise<unknown> {
  const answer = await fetch(`${sigstore.rekorUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(201);
  return answer.json();
}

beforeAll(async () => {
  sigstore = await startSigstore();
  const { privateKey, publicKey } = await generateKeyPair();
  const artifact = new TextEncoder().encode('fuzzed artifact');
  const signature = await createSigner(privateKey).sign(artifact);
  const proposal = prepareProposal({ kind: 'hashedrekord', artifact, signature, verifier: { publicKey } });
  v1Answer = await propose('/api/v1/log/entries', v1ProposedEntry(proposal));
  v2Answer = await propose('/api/v2/log/entries', v2CreateEntryRequest(proposal));
});
afterAll(async () => {
  await sigstore?.close();
});

const encode = (doc: unknown) =>
  new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc));

describe('Rekor answers are read or refused with a typed error', () => {
  it('reads the real answers', () => {
    expect(readV1LogEntry(encode(v1Answer), 'v1').tlogEntry.kindVersion.kind).toBe('hashedrekord');
    expect(readV2LogEntry(encode(v2Answer), 'v2').kindVersion.version).toBe('0.0.2');
  });

  it(
    'edited v1 and v2 answers',
    () => {
      fc.assert(
        fc.property(mutatedDocument([v1Answer, v2Answer]), (doc) => {
          typedOrResult(() => readV1LogEntry(encode(doc), 'v1'));
          typedOrResult(() => readV2LogEntry(encode(doc), 'v2'));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'raw bytes',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          typedOrResult(() => readV1LogEntry(bytes, 'v1'));
          typedOrResult(() => readV2LogEntry(bytes, 'v2'));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
