/**
 * A trusted root's Rekor key counts only inside its `validFor` window. The real cosign v3.0.4 bundle
 * and a real classic keyless SET, checked against the real public-good trusted root
 * (@sigstore/tuf 4.0.2) with that window moved in memory. Boundaries as sigstore-go decides them
 * (`tlog.VerifySET`: refused when `start.After(t)` or `end.Before(t)`, so both ends are inclusive).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import { importPublicKey } from '../../../../src/keys/index.js';
import { parseBundle, parseRekorBundleAnnotation } from '../../../../src/payload/index.js';
import { rekorKeysFor, rekorKeysFromTrustedRoot } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { verifyBundleEntry, verifySet } from '../../../../src/sigstore/tlog/tlog-entry.js';
import { readVectors } from '../../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = Record<string, any>;
const r = readVectors<Json>('cosign/real-cosign-artifacts.json').newBundleReferrer;
const publicGood = readVectors<Json>('keyless/trusted-roots/public-good-sigstore-tuf-4.0.2.json');
const REKOR_V1 = 'https://rekor.sigstore.dev';

const bundle = parseBundle(r.bundle);
const entry = bundle.tlogEntries[0] as NonNullable<(typeof bundle.tlogEntries)[0]>;
const envelope = bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>;
const expected = {
  signature: envelope.signatures[0]?.sig as string,
  key: importPublicKey(r.publicKeyPem),
  payload: envelope.payload,
};
/** The entry's integrated time, seconds since the epoch (2026-08-12T20:53:28Z). */
const T = Number(entry.integratedTime);
const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The public-good root with the Rekor v1 log's entry replaced by one per window given. */
function rootWithRekorWindows(...windows: Json[]): Json {
  const root = structuredClone(publicGood);
  const index = root.tlogs.findIndex((t: Json) => t.baseUrl === REKOR_V1);
  const rekor = root.tlogs[index];
  root.tlogs.splice(
    index,
    1,
    ...windows.map((validFor) => ({ ...rekor, publicKey: { ...rekor.publicKey, validFor } })),
  );
  return root;
}
const check = (root: Json, e = entry) => verifyBundleEntry(e, expected, rekorKeysFromTrustedRoot(root));

describe('a bundle entry against the Rekor key window of a trusted root', () => {
  const FROM_2021 = '2021-01-12T11:53:27Z';

  it('start is inclusive: the real root and a window from the integrated time pass, one from a second later fails', () => {
    expect(check(publicGood)).toEqual({ ok: true, message: 'ok' });
    expect(check(rootWithRekorWindows({ start: at(T) })).ok).toBe(true);
    expect(check(rootWithRekorWindows({ start: '2026-08-12T22:53:28+02:00' })).ok).toBe(true);
    expect(check(rootWithRekorWindows({ start: at(T + 1) }))).toEqual({
      ok: false,
      message: `the trusted root's Rekor key for log c0d23d6ad406973f… is valid from ${at(T + 1)} on (no end), not at the entry's integrated time 2026-08-12T20:53:28Z (${T})`,
    });
    // Nanoseconds count, as in sigstore-go (start.After(t)).
    expect(check(rootWithRekorWindows({ start: '2026-08-12T20:53:28.000000001Z' })).ok).toBe(false);
  });

  it('end is inclusive (sigstore-go refuses only when end.Before(t)): ending at the time passes, before it fails', () => {
    expect(check(rootWithRekorWindows({ start: FROM_2021, end: at(T) })).ok).toBe(true);
    expect(check(rootWithRekorWindows({ start: FROM_2021, end: '2026-08-12T20:53:28.000000001Z' })).ok).toBe(
      true,
    );
    const ended = check(rootWithRekorWindows({ start: FROM_2021, end: at(T - 1) }));
    expect(ended.ok).toBe(false);
    expect(ended.message).toContain(`is valid from ${FROM_2021} to ${at(T - 1)}, not at`);
    expect(check(rootWithRekorWindows({ start: FROM_2021, end: '2026-08-12T20:53:27.999Z' })).ok).toBe(false);
  });

  it('a key listed twice (rotation): only the entry whose window holds the time counts, in either order', () => {
    const before = { start: FROM_2021, end: at(T - 1) };
    const from = { start: at(T) };
    expect(check(rootWithRekorWindows(before, from)).ok).toBe(true);
    expect(check(rootWithRekorWindows(from, before)).ok).toBe(true);
    const result = check(rootWithRekorWindows(before, { start: at(T + 60) }));
    expect(result.ok).toBe(false);
    expect(result.message).toContain(
      `is valid from ${FROM_2021} to ${at(T - 1)}, or from ${at(T + 60)} on (no end), not at`,
    );
  });

  it('only signed times are judged: a valid inclusion proof does not rescue an out-of-window SET, a proof alone is not judged', () => {
    const late = rootWithRekorWindows({ start: at(T + 1) });
    expect(entry.inclusionProof).toBeDefined();
    expect(check(late).ok).toBe(false);
    // As sigstore-go and @sigstore/verify: without a SET the integrated time is unsigned.
    const { inclusionPromise: _promise, ...proofOnly } = entry;
    expect(check(late, proofOnly).ok).toBe(true);
    // And a window moved to hold a forged time does not make the SET verify.
    const forged = { ...entry, integratedTime: String(T + 1) };
    expect(check(late, forged).message).toMatch(/signed entry timestamp does not verify/);
  });

  it('a Rekor key given directly has no window: refused through an expired root, accepted given directly or besides it', () => {
    const expired = rootWithRekorWindows({ start: FROM_2021, end: at(T - 1) });
    expect(check(expired).ok).toBe(false);
    const direct = rekorKeysFor({ rekorPublicKeys: [r.rekorPublicKeyPem] });
    expect(verifyBundleEntry(entry, expected, direct as NonNullable<typeof direct>).ok).toBe(true);
    const both = rekorKeysFor({ trustedRoot: expired, rekorPublicKeys: [r.rekorPublicKeyPem] });
    expect(verifyBundleEntry(entry, expected, both as NonNullable<typeof both>).ok).toBe(true);
  });
});

describe('a classic signature SET against the Rekor key window', () => {
  // A real keyless .sig layer from GitHub Actions (2026-02-27), SET by the public-good Rekor key.
  const layer = readVectors<Json>('keyless/classic-github-actions/layer.json');
  const rekor = parseRekorBundleAnnotation(layer.annotations['dev.sigstore.cosign/bundle']);
  const payload = rekor.payload as { body: string; integratedTime: number; logIndex: number; logID: string };
  const set = rekor.signedEntryTimestamp as Uint8Array;
  const t = payload.integratedTime;

  it('verifies inside the window, boundaries included, and fails outside it', () => {
    expect(verifySet(payload, set, rekorKeysFromTrustedRoot(publicGood))).toEqual({
      ok: true,
      message: 'ok',
    });
    expect(verifySet(payload, set, rekorKeysFromTrustedRoot(rootWithRekorWindows({ start: at(t) }))).ok).toBe(
      true,
    );
    expect(
      verifySet(
        payload,
        set,
        rekorKeysFromTrustedRoot(rootWithRekorWindows({ start: at(t - 9), end: at(t) })),
      ).ok,
    ).toBe(true);
    const late = verifySet(
      payload,
      set,
      rekorKeysFromTrustedRoot(rootWithRekorWindows({ start: at(t + 1) })),
    );
    expect(late).toEqual({
      ok: false,
      message: `the trusted root's Rekor key for log c0d23d6ad406973f… is valid from ${at(t + 1)} on (no end), not at the entry's integrated time ${at(t)} (${t})`,
    });
    const ended = rootWithRekorWindows({ start: '2021-01-12T11:53:27Z', end: at(t - 1) });
    expect(verifySet(payload, set, rekorKeysFromTrustedRoot(ended)).ok).toBe(false);
  });
});

describe('validFor in a trusted root', () => {
  it('is required with its start, as sigstore-go requires it (InvalidArgumentError naming the member)', () => {
    const noValidFor = structuredClone(publicGood);
    delete noValidFor.tlogs[0].publicKey.validFor;
    expect(() => rekorKeysFromTrustedRoot(noValidFor)).toThrow(InvalidArgumentError);
    expect(() => rekorKeysFromTrustedRoot(noValidFor)).toThrow(
      /trustedRoot\.tlogs\[0\]\.publicKey\.validFor\.start/,
    );
    const endOnly = rootWithRekorWindows({ end: '2030-01-01T00:00:00Z' });
    expect(() => rekorKeysFromTrustedRoot(endOnly)).toThrow(/validFor\.start must be set/);
  });

  it.each([
    ['not RFC 3339', 'yesterday'],
    ['a lower-case t', '2021-01-12t11:53:27Z'],
    ['no zone', '2021-01-12T11:53:27'],
    ['month 13', '2021-13-12T11:53:27Z'],
    ['30 February', '2021-02-30T11:53:27Z'],
    ['a leap second', '2021-01-12T11:53:60Z'],
    ['ten fractional digits', '2021-01-12T11:53:27.0000000001Z'],
    ['year 0', '0000-12-31T23:59:59Z'],
    ['a number', 1610452407],
  ])('is refused when a time is %s', (_, start) => {
    const root = rootWithRekorWindows({ start });
    expect(() => rekorKeysFromTrustedRoot(root)).toThrow(InvalidArgumentError);
    expect(() => rekorKeysFromTrustedRoot(JSON.stringify(root))).toThrow(/validFor\/start/);
  });

  it('is read from the text of a trusted root as from its object, to the millisecond', () => {
    const keys = rekorKeysFromTrustedRoot(
      JSON.stringify(
        rootWithRekorWindows({ start: '2021-01-12T11:53:27Z', end: '2022-10-31T23:59:59.999Z' }),
      ),
    );
    expect(keys.get(r.rekorLogIdHex)).toEqual([
      {
        publicKey: expect.anything(),
        validFor: { start: new Date('2021-01-12T11:53:27Z'), end: new Date('2022-10-31T23:59:59.999Z') },
      },
    ]);
  });
});
