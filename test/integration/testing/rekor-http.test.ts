/**
 * The Rekor double over HTTP on loopback, with the clients we must interoperate with: @sigstore/sign's
 * `RekorWitness` logs hashedrekord, dsse and intoto entries on the v1 API and hashedrekord and dsse
 * on the v2 API; the bundles it builds verify with @sigstore/verify and with ocisign's verifier
 * against a trusted root naming the double's logs; a duplicate is fetched back through the 409's
 * Location; each fault reaches the client as an error or a timeout.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bundle, bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, MessageSignatureBundleBuilder, RekorWitness, type Signer } from '@sigstore/sign';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { importPublicKey } from '../../../src/keys/import.js';
import { parseBundle, type TlogEntry } from '../../../src/payload/bundle.js';
import { loggedVerifiers } from '../../../src/sigstore/tlog/rekor-body.js';
import { rekorKeysFromTrustedRoot } from '../../../src/sigstore/tlog/rekor-keys.js';
import { entryMatches, verifyTlogEntry } from '../../../src/sigstore/tlog/tlog-entry.js';
import { createRekor, type Rekor } from '../../../src/testing/sigstore/rekor/index.js';
import { serveOnLoopback } from '../../../src/testing/sigstore/service.js';
import { selfSignedCert } from '../../helpers/certs.js';
import { trustedRootOf, trustMaterialWithKey } from '../../helpers/sigstore-doubles.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const HINT = 'test-key';

/** A key signer; `fixed` signs once and returns that signature again (to meet Rekor's duplicate check). */
function keySigner(fixed = false): Signer {
  let signature: Buffer | undefined;
  return {
    async sign(data: Buffer) {
      signature = fixed && signature !== undefined ? signature : sign('sha256', data, keys.privateKey);
      return { signature, key: { $case: 'publicKey', publicKey: publicKeyPem, hint: HINT } };
    },
  };
}

function certificateSigner(key: KeyObject, certificate: string): Signer {
  return {
    async sign(data: Buffer) {
      return { signature: sign('sha256', data, key), key: { $case: 'x509Certificate', certificate } };
    },
  };
}

async function served(rekor: Rekor) {
  const service = await serveOnLoopback([rekor.handler]);
  const root = trustedRootOf({ tlogs: [rekor.v1.tlog(service.url), rekor.v2.tlog(service.url)] });
  const material = trustMaterialWithKey(root, HINT, keys.publicKey);
  const verifyWithSigstore = (bundle: Bundle, artifact: Buffer, timestamps: number) =>
    new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: timestamps }).verify(
      toSignedEntity(bundle, artifact),
    );
  return { service, ourKeys: rekorKeysFromTrustedRoot(root), verifyWithSigstore };
}

/** The bundle's first tlog entry as ocisign reads bundles (`parseBundle` of its JSON). */
function tlogEntryOf(bundle: Bundle): TlogEntry {
  const [entry] = parseBundle(JSON.stringify(bundleToJSON(bundle))).tlogEntries;
  if (entry === undefined) throw new Error('the bundle has no tlog entry');
  return entry;
}
const artifact = () => Buffer.from(`release ${Math.random()}\n`);

describe('the Rekor double over HTTP', async () => {
  const rekor = createRekor();
  const { service, ourKeys, verifyWithSigstore } = await served(rekor);
  const dir = mkdtempSync(join(tmpdir(), 'rekor-http-'));
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const v1 = (options: object = {}) =>
    new RekorWitness({ rekorBaseURL: service.url, retry: false, ...options });

  it('v1: a @sigstore/sign message-signature bundle verifies with @sigstore/verify and with ocisign', async () => {
    const data = artifact();
    const bundle = await new MessageSignatureBundleBuilder({ signer: keySigner(), witnesses: [v1()] }).create(
      { data },
    );
    expect(() => verifyWithSigstore(bundle, data, 1)).not.toThrow();
    const signature =
      bundle.content.$case === 'messageSignature'
        ? bundle.content.messageSignature.signature
        : Buffer.alloc(0);
    const expected = {
      signature: signature.toString('base64'),
      key: importPublicKey(publicKeyPem),
      payload: data,
    };
    expect(verifyTlogEntry(tlogEntryOf(bundle), ourKeys, (body) => entryMatches(body, expected))).toEqual({
      ok: true,
      message: 'ok',
    });
  });

  it('v1: DSSE bundles logged as dsse and as intoto verify with @sigstore/verify', async () => {
    for (const entryType of ['dsse', 'intoto'] as const) {
      const data = Buffer.from(
        JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', n: Math.random() }),
      );
      const builder = new DSSEBundleBuilder({ signer: keySigner(), witnesses: [v1({ entryType })] });
      const bundle = await builder.create({ data, type: 'application/vnd.in-toto+json' });
      expect(bundle.verificationMaterial.tlogEntries[0]?.kindVersion?.kind).toBe(entryType);
      expect(() => verifyWithSigstore(bundle, data, 1), entryType).not.toThrow();
      expect(verifyTlogEntry(tlogEntryOf(bundle), ourKeys, () => ({ ok: true, message: 'ok' })).ok).toBe(
        true,
      );
    }
  });

  it('v1: a duplicate answers 409 and @sigstore/sign fetches the entry from its Location', async () => {
    const data = artifact();
    const signer = keySigner(true);
    const first = await new MessageSignatureBundleBuilder({ signer, witnesses: [v1()] }).create({ data });
    await expect(
      new MessageSignatureBundleBuilder({ signer, witnesses: [v1()] }).create({ data }),
    ).rejects.toThrow(/error creating tlog entry/);
    const again = await new MessageSignatureBundleBuilder({
      signer,
      witnesses: [v1({ fetchOnConflict: true })],
    }).create({ data });
    expect(tlogEntryOf(again).logIndex).toBe(tlogEntryOf(first).logIndex);
    expect(() => verifyWithSigstore(again, data, 1)).not.toThrow();
  });

  it('v2: @sigstore/sign logs hashedrekord and dsse entries it reads back; ocisign verifies their proofs', async () => {
    const { keyPath, certPath } = selfSignedCert(dir, 'signer', { subject: '/CN=rekor double test' });
    const signer = certificateSigner(createPrivateKey(readFileSync(keyPath)), readFileSync(certPath, 'utf8'));
    const witness = new RekorWitness({ rekorBaseURL: service.url, retry: false, majorApiVersion: 2 });
    const message = await new MessageSignatureBundleBuilder({ signer, witnesses: [witness] }).create({
      data: artifact(),
    });
    const data = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
    const dsse = await new DSSEBundleBuilder({ signer, witnesses: [witness] }).create({
      data,
      type: 'application/vnd.in-toto+json',
    });
    const certDer = new Uint8Array(Buffer.from(certificateDerOf(readFileSync(certPath, 'utf8')), 'base64'));
    for (const [bundle, kind] of [
      [message, 'hashedrekord'],
      [dsse, 'dsse'],
    ] as const) {
      const entry = tlogEntryOf(bundle);
      expect([entry.kindVersion.kind, entry.kindVersion.version, entry.integratedTime]).toEqual([
        kind,
        '0.0.2',
        '0',
      ]);
      expect(entry.inclusionPromise).toBeUndefined();
      const about =
        kind === 'hashedrekord' ? certificateLogged(certDer) : () => ({ ok: true, message: 'ok' });
      expect(verifyTlogEntry(entry, ourKeys, about)).toEqual({ ok: true, message: 'ok' });
    }
  });

  it('serves what it logged over plain HTTP', async () => {
    const bundle = await new MessageSignatureBundleBuilder({ signer: keySigner(), witnesses: [v1()] }).create(
      { data: artifact() },
    );
    const body = Buffer.from(tlogEntryOf(bundle).canonicalizedBody, 'base64');
    const uuid = createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), body]))
      .digest('hex');
    const answer = await fetch(`${service.url}/api/v1/log/entries/${uuid}`);
    expect(answer.status).toBe(200);
    const values = Object.values((await answer.json()) as Record<string, { body: string }>);
    expect(values.map((v) => v.body)).toEqual([tlogEntryOf(bundle).canonicalizedBody]);
    const key = await fetch(`${service.url}/api/v1/log/publicKey`);
    expect([key.headers.get('content-type'), await key.text()]).toEqual([
      'application/x-pem-file',
      rekor.v1.publicKeyPem,
    ]);
  });

  it('faults reach the client: 503, garbage and slow answers fail @sigstore/sign; a hang times the client out', async () => {
    const builder = (options: object = {}) =>
      new MessageSignatureBundleBuilder({ signer: keySigner(), witnesses: [v1(options)] });
    for (const fault of ['unavailable', 'garbage'] as const) {
      rekor.faults.inject(fault, { times: 1 });
      await expect(builder().create({ data: artifact() }), fault).rejects.toThrow(
        /error creating tlog entry/,
      );
    }
    rekor.faults.inject('slow', { times: 1, delayMs: 1500 });
    await expect(builder({ timeout: 200 }).create({ data: artifact() })).rejects.toThrow();
    rekor.faults.inject('hang');
    const hung = fetch(`${service.url}/api/v1/log`, { signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow(/aborted|timeout/i);
    rekor.faults.clear();
    expect((await fetch(`${service.url}/api/v1/log`)).status).toBe(200);
  });
});

describe('the checkpoint signer name', async () => {
  // sigstore-js matches a checkpoint's signer name against the trusted root's baseUrl for the log.
  const rekor = createRekor({ hostname: 'rekor.elsewhere.example' });
  const { service, ourKeys, verifyWithSigstore } = await served(rekor);
  afterAll(() => service.close());

  it('must appear in the trusted root’s baseUrl for @sigstore/verify (ocisign does not compare it)', async () => {
    const data = artifact();
    const witness = new RekorWitness({ rekorBaseURL: service.url, retry: false });
    const bundle = await new MessageSignatureBundleBuilder({
      signer: keySigner(),
      witnesses: [witness],
    }).create({ data });
    expect(() => verifyWithSigstore(bundle, data, 1)).toThrow(/checkpoint/);
    expect(verifyTlogEntry(tlogEntryOf(bundle), ourKeys, () => ({ ok: true, message: 'ok' })).ok).toBe(true);
  });
});

function certificateDerOf(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function certificateLogged(der: Uint8Array) {
  return (body: Parameters<typeof loggedVerifiers>[0]) => {
    const read = loggedVerifiers(body);
    return read.ok && read.verifiers.length === 1 && Buffer.from(read.verifiers[0] as Uint8Array).equals(der)
      ? { ok: true, message: 'ok' }
      : { ok: false, message: 'the entry names another certificate' };
  };
}
