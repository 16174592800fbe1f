/**
 * Offline transparency-log evidence: a Rekor signed entry timestamp (SET) checked against the caller's
 * Rekor keys — a trusted root's key only when the entry's integrated time lies in its `validFor`
 * window — and the logged entry, read through its kind's own schema (`rekor-body.ts`), checked to
 * be about this signature, this key or certificate and these bytes. No network. Every check answers `{ ok,
 * message }`: malformed evidence (a body that is not JSON, a proof index that is not an integer) is
 * a failed check, never an exception.
 */
import { PayloadFormatError } from '../../errors/payload.js';
import { fromBase64, fromUtf8, toBase64, toHex, utf8 } from '../../internal/bytes.js';
import { array, type Infer, object, optional, readShape, refine, string } from '../../internal/shape.js';
import { backend } from '../../keys/backend/select.js';
import { importPublicKey } from '../../keys/import.js';
import type { PublicKey } from '../../keys/key-objects.js';
import { verifySignatureSync } from '../../keys/verify.js';
import type { TlogEntry } from '../../payload/bundle.js';
import { preAuthEncoding } from '../../payload/dsse.js';
import { encodeGoJson } from '../../payload/go-json.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from './merkle.js';
import { loggedVerifiers, pemVerifierDer, type RekorBody, readRekorBody, unknownKind } from './rekor-body.js';
import { type RekorKey, type RekorKeys, validAt } from './rekor-keys.js';

/** The outcome of one transparency-log check; `message` says why it failed. */
export interface TlogCheck {
  readonly ok: boolean;
  readonly message: string;
}

/** RFC 3339 to the second, or to the millisecond when it has one. */
function rfc3339(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? `${ms / 1000} s after the epoch`
    : date.toISOString().replace('.000Z', 'Z');
}

/** Why no key of a log may verify an entry integrated at `integratedTime`: their windows. */
function outsideWindows(logID: string, keys: readonly RekorKey[], integratedTime: number): string {
  const windows = keys.map((k) =>
    k.validFor === undefined
      ? 'always'
      : `from ${rfc3339(k.validFor.start.getTime())} ${k.validFor.end === undefined ? 'on (no end)' : `to ${rfc3339(k.validFor.end.getTime())}`}`,
  );
  return `the trusted root's Rekor key for log ${logID.slice(0, 16)}… is valid ${windows.join(', or ')}, not at the entry's integrated time ${rfc3339(integratedTime * 1000)} (${integratedTime})`;
}

/**
 * Verifies a SET (base64 or bytes): ECDSA over RFC 8785 JSON of `{body, integratedTime, logID, logIndex}`,
 * with a key of the entry's log whose validity window holds its integrated time (start and end
 * inclusive, as sigstore-go's `VerifySET` and @sigstore/verify's `filterTLogAuthorities` decide).
 */
export function verifySet(
  entry: { body: string; integratedTime: number; logIndex: number; logID: string },
  set: string | Uint8Array,
  rekorKeys: RekorKeys,
): TlogCheck {
  const logKeys = rekorKeys.get(entry.logID);
  if (logKeys === undefined || logKeys.length === 0)
    return { ok: false, message: `the log ${entry.logID.slice(0, 16)}… is not in the trusted root` };
  const usable = logKeys.filter((k) => validAt(k, entry.integratedTime));
  if (usable.length === 0)
    return { ok: false, message: outsideWindows(entry.logID, logKeys, entry.integratedTime) };
  // For these four fields (strings and integers, ASCII keys) RFC 8785 is sorted, compact JSON.
  const canonical = utf8(
    encodeGoJson({
      body: entry.body,
      integratedTime: entry.integratedTime,
      logID: entry.logID,
      logIndex: entry.logIndex,
    }),
  );
  const signature = typeof set === 'string' ? fromBase64(set) : set;
  if (signature === undefined || !usable.some((k) => verifySignatureSync(k.publicKey, canonical, signature)))
    return { ok: false, message: 'the signed entry timestamp does not verify with the trusted Rekor key' };
  return { ok: true, message: 'ok' };
}

function pemKeyMatches(pemBase64: unknown, key: PublicKey): boolean {
  const pem = typeof pemBase64 === 'string' ? fromBase64(pemBase64) : undefined;
  if (pem === undefined) return false;
  try {
    return importPublicKey(fromUtf8(pem)).equals(key);
  } catch {
    return false;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return toHex(backend().digest('sha256', bytes));
}

/**
 * What a key signature's entry must be about: the signature (base64), the signed bytes, and `key`
 * — or the `certificate` (DER) its layer carries, which cosign's `comparePublicKey` then compares.
 */
export interface ExpectedEntry {
  readonly signature: string;
  readonly key: PublicKey;
  readonly payload: Uint8Array;
  readonly certificate?: Uint8Array | undefined;
  /**
   * For a DSSE envelope's signature: its payload type. A Rekor v2 `hashedrekord` logs the digest of
   * the bytes signed — the envelope's PAE (rekor-v2 spec §6.1.4, as sigstore-go and sigstore-python
   * upload DSSE since rekor-tiles dropped its dsse kind).
   */
  readonly payloadType?: string | undefined;
}

const V2_HASHES: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

/** Whether a Rekor v2 verifier (`publicKey.rawBytes` or `x509Certificate.rawBytes`) is the expected one. */
function v2VerifierMatches(
  verifier:
    | {
        x509Certificate?: { rawBytes?: string | undefined } | undefined;
        publicKey?: { rawBytes?: string | undefined } | undefined;
      }
    | undefined,
  expected: ExpectedEntry,
): boolean {
  if (expected.certificate !== undefined) {
    const der = fromBase64(verifier?.x509Certificate?.rawBytes ?? '');
    return der !== undefined && Buffer.from(der).equals(expected.certificate);
  }
  const der = fromBase64(verifier?.publicKey?.rawBytes ?? '');
  if (der === undefined || der.length === 0) return false;
  try {
    return importPublicKey(der).equals(expected.key);
  } catch {
    return false;
  }
}

/** Whether a logged verifier (base64 PEM) is the expected certificate, or else key. */
function verifierMatches(pemBase64: unknown, expected: ExpectedEntry): boolean {
  if (expected.certificate === undefined) return pemKeyMatches(pemBase64, expected.key);
  const der = typeof pemBase64 === 'string' ? pemVerifierDer(pemBase64) : undefined;
  return der !== undefined && Buffer.from(der).equals(expected.certificate);
}

/** Is this Rekor entry body about `signature` (base64) by its signer over `payload`? hashedrekord and dsse. */
export function entryMatches(body: RekorBody, expected: ExpectedEntry): TlogCheck {
  if (body.type === 'hashedrekord/0.0.1') {
    const spec = body.spec;
    if (spec.signature?.content !== expected.signature)
      return { ok: false, message: 'the Rekor entry is for another signature' };
    if (!verifierMatches(spec.signature?.publicKey?.content, expected)) {
      const which =
        expected.certificate === undefined ? 'public key' : "verifier than the layer's certificate";
      return { ok: false, message: `the Rekor entry names another ${which}` };
    }
    if (spec.data?.hash?.algorithm !== 'sha256' || spec.data?.hash?.value !== sha256Hex(expected.payload))
      return { ok: false, message: 'the Rekor entry is for other content' };
    return { ok: true, message: 'ok' };
  }
  if (body.type === 'hashedrekord/0.0.2') {
    const spec = body.spec.hashedRekordV002;
    if (spec?.signature?.content !== expected.signature)
      return { ok: false, message: 'the Rekor entry is for another signature' };
    if (!v2VerifierMatches(spec.signature.verifier, expected))
      return { ok: false, message: 'the Rekor entry names another verifier' };
    const algorithm = V2_HASHES[spec.data?.algorithm ?? ''];
    const signed =
      expected.payloadType === undefined
        ? expected.payload
        : preAuthEncoding(expected.payloadType, expected.payload);
    if (algorithm === undefined || spec.data?.digest !== toBase64(backend().digest(algorithm, signed)))
      return { ok: false, message: 'the Rekor entry is for other content' };
    return { ok: true, message: 'ok' };
  }
  if (body.type === 'dsse/0.0.1') {
    const spec = body.spec;
    const signatures = spec.signatures ?? [];
    if (
      !signatures.some((s) => s.signature === expected.signature && verifierMatches(s.verifier, expected))
    ) {
      return { ok: false, message: 'the Rekor entry is for another signature or key' };
    }
    if (spec.payloadHash?.algorithm !== 'sha256' || spec.payloadHash?.value !== sha256Hex(expected.payload))
      return { ok: false, message: 'the Rekor entry is for another payload' };
    return { ok: true, message: 'ok' };
  }
  return unknownKind(body, 'a signature is checked against (hashedrekord, or dsse v0.0.1)');
}

/**
 * Is this Rekor entry about a classic `.att` layer, as cosign's `VerifyBundle` decides for an
 * attestation (`pkg/cosign/verify.go`: `comparePublicKey`, `bundleHash`; `compareSigs` skips
 * attestations, whose signature annotation is empty)? Its one verifier must be the signer's
 * (`signer` says, given its DER) and the hash it logged — dsse `envelopeHash`, intoto
 * `content.hash`, hashedrekord `data.hash` — the SHA-256 of `blob`, the envelope as the layer
 * stores it (cosign uploads those bytes). dsse and intoto v0.0.2 entries must log one signature.
 */
export function attestationEntryMatches(
  body: RekorBody,
  blob: Uint8Array,
  signer: (der: Uint8Array) => boolean,
): TlogCheck {
  let logged: { readonly algorithm?: string | undefined; readonly value?: string | undefined } | undefined;
  if (body.type === 'dsse/0.0.1') logged = body.spec.envelopeHash;
  else if (body.type === 'intoto/0.0.1' || body.type === 'intoto/0.0.2') logged = body.spec.content?.hash;
  else if (body.type === 'hashedrekord/0.0.1') logged = body.spec.data?.hash;
  else return unknownKind(body, 'cosign logs an attestation as (dsse, intoto)');
  const read = loggedVerifiers(body);
  if (!read.ok) return read;
  const [verifier, ...more] = read.verifiers;
  if (verifier === undefined || more.length > 0)
    return { ok: false, message: 'the Rekor entry logs more than one signature' };
  if (!signer(verifier)) return { ok: false, message: 'the Rekor entry names another signer' };
  if (logged?.algorithm !== 'sha256' || logged.value !== sha256Hex(blob))
    return { ok: false, message: 'the Rekor entry is for another envelope' };
  return { ok: true, message: 'ok' };
}

/** A non-negative decimal integer, as protojson writes an int64. */
const uint = refine(string, (v) =>
  /^(0|[1-9]\d{0,18})$/.test(v) ? undefined : 'a non-negative decimal integer',
);
/** A {@link TlogEntry} as `parseBundle` makes it: checked again, as callers may build their own. */
const tlogEntryShape = object({
  logIndex: uint,
  logId: object({ keyId: string }),
  kindVersion: object({ kind: string, version: string }),
  integratedTime: uint,
  inclusionPromise: optional(object({ signedEntryTimestamp: string })),
  inclusionProof: optional(
    object({
      logIndex: uint,
      rootHash: string,
      treeSize: uint,
      hashes: array(string),
      checkpoint: object({ envelope: string }),
    }),
  ),
  canonicalizedBody: string,
});

/**
 * A tlog entry (a bundle's, or one built from a classic layer's annotation): its `kindVersion`
 * must be its body's (sigstore-go refuses one that is not), the body must be about what `about`
 * says, and every piece of inclusion evidence present must verify — the signed entry timestamp,
 * and the inclusion proof with its checkpoint — and at least one must be present.
 */
export function verifyTlogEntry(
  entry: TlogEntry,
  rekorKeys: RekorKeys,
  about: (body: RekorBody) => TlogCheck,
): TlogCheck {
  let e: Infer<typeof tlogEntryShape>;
  try {
    e = readShape(entry, tlogEntryShape, 'the tlog entry', (m) => new PayloadFormatError(m));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const read = readRekorBody(e.canonicalizedBody);
  if (!read.ok) return read;
  if (read.body.kind !== e.kindVersion.kind || read.body.apiVersion !== e.kindVersion.version)
    return { ok: false, message: "the tlog entry's kindVersion does not match its body" };
  const match = about(read.body);
  if (!match.ok) return match;
  return verifyEntryInclusion(e, rekorKeys);
}

/** A bundle's tlog entry for a key signature: {@link verifyTlogEntry} with {@link entryMatches}. */
export function verifyBundleEntry(
  entry: TlogEntry,
  expected: ExpectedEntry,
  rekorKeys: RekorKeys,
): TlogCheck {
  return verifyTlogEntry(entry, rekorKeys, (body) => entryMatches(body, expected));
}

/**
 * The inclusion evidence of one tlog entry, whatever it is about: its signed entry timestamp (a
 * key of its log valid at the integrated time) and its inclusion proof with a signed checkpoint,
 * each verified when present, and at least one present.
 */
function verifyEntryInclusion(e: Infer<typeof tlogEntryShape>, rekorKeys: RekorKeys): TlogCheck {
  if (e.inclusionPromise === undefined && e.inclusionProof === undefined)
    return {
      ok: false,
      message: 'the tlog entry has neither a signed entry timestamp nor an inclusion proof',
    };
  if (e.inclusionPromise !== undefined) {
    const keyId = fromBase64(e.logId.keyId);
    const set = fromBase64(e.inclusionPromise.signedEntryTimestamp);
    if (keyId === undefined || set === undefined)
      return { ok: false, message: 'the tlog entry has a malformed log ID or signed entry timestamp' };
    const checked = verifySet(
      {
        body: e.canonicalizedBody,
        integratedTime: Number(e.integratedTime),
        logIndex: Number(e.logIndex),
        logID: toHex(keyId),
      },
      set,
      rekorKeys,
    );
    if (!checked.ok) return checked;
  }
  const proof = e.inclusionProof;
  if (proof !== undefined) {
    const root = fromBase64(proof.rootHash);
    const hashes = proof.hashes.map(fromBase64);
    const body = fromBase64(e.canonicalizedBody) as Uint8Array;
    if (root === undefined || hashes.some((h) => h === undefined))
      return { ok: false, message: 'the inclusion proof has a hash that is not base64' };
    // Rekor v1 is sharded: the proof uses the shard-local index, the SET the global one.
    const [index, size] = [BigInt(proof.logIndex), BigInt(proof.treeSize)];
    if (!verifyInclusion(leafHash(body), index, size, hashes as Uint8Array[], root))
      return { ok: false, message: 'the inclusion proof does not lead to the root hash' };
    const checkpoint = verifyCheckpoint(proof.checkpoint.envelope, size, root, rekorKeys);
    if (!checkpoint.ok) return checkpoint;
  }
  return { ok: true, message: 'ok' };
}
