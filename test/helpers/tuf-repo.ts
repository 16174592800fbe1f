/**
 * A real TUF repository on 127.0.0.1 for tests: @tufjs/models builds and signs root, targets,
 * snapshot and timestamp metadata with one P-256 key, node:http serves them (no mocks), with or
 * without consistent snapshots. `publish` puts out a new version of the targets with the same key,
 * so a client can refresh; `rotateRoot` signs a new root version; `hang`, `answers` and `requests`
 * make a stalled or hostile mirror and show what a client asked for.
 */
import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Key,
  Metadata,
  MetaFile,
  Root,
  Signature,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from '@tufjs/models';

const sha256hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** A TUF expiry `days` from now (negative: in the past), to the second. */
const expires = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
const SPEC = '1.0.31';

/** A canned answer for one path: a status, a body, and whether to send it without Content-Length. */
export interface Answer {
  readonly status?: number;
  readonly body?: Uint8Array;
  readonly chunked?: boolean;
}

export class LocalTufRepo {
  /** Every request path, in order. */
  readonly requests: string[] = [];
  /** Never answer (a stalled mirror). */
  hang = false;
  /** Answers that replace the repository's own, by path. */
  readonly answers = new Map<string, Answer>();
  /** The initial root.json (version 1), as a client is given it. */
  readonly rootJson: Uint8Array;
  readonly consistentSnapshot: boolean;

  readonly #files = new Map<string, Uint8Array>();
  readonly #privateKey: KeyObject;
  readonly #key: Key;
  #rootVersion = 1;
  #version = 0;
  #server: Server | undefined;

  constructor(options: { consistentSnapshot?: boolean; rootExpiresInDays?: number } = {}) {
    this.consistentSnapshot = options.consistentSnapshot ?? false;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    this.#key = new Key({
      keyID: sha256hex(Buffer.from(pem)),
      keyType: 'ecdsa',
      scheme: 'ecdsa-sha2-nistp256',
      keyVal: { public: pem },
    });
    this.rootJson = this.#signRoot(options.rootExpiresInDays ?? 365);
  }

  #sign<T extends Root | Targets | Snapshot | Timestamp>(signed: T): Uint8Array {
    const metadata = new Metadata(signed);
    metadata.sign(
      (data) =>
        new Signature({
          keyID: this.#key.keyID,
          sig: createSign('sha256').update(data).sign(this.#privateKey).toString('hex'),
        }),
    );
    return Buffer.from(JSON.stringify(metadata.toJSON()));
  }

  #signRoot(expiresInDays: number): Uint8Array {
    const root = new Root({
      version: this.#rootVersion,
      specVersion: SPEC,
      expires: expires(expiresInDays),
      consistentSnapshot: this.consistentSnapshot,
    });
    for (const role of ['root', 'targets', 'snapshot', 'timestamp']) root.addKey(this.#key, role);
    const bytes = this.#sign(root);
    this.#files.set(`/${this.#rootVersion}.root.json`, bytes);
    return bytes;
  }

  /** Signs root version N+1 with the same key (a client rotates to it). */
  rotateRoot(expiresInDays = 365): void {
    this.#rootVersion += 1;
    this.#signRoot(expiresInDays);
  }

  /** Publishes a new version of the targets (and snapshot and timestamp) holding exactly `targets`. */
  publish(targets: Record<string, Uint8Array | string>): void {
    const v = ++this.#version;
    const signedTargets = new Targets({ version: v, specVersion: SPEC, expires: expires(365) });
    for (const [name, content] of Object.entries(targets)) {
      const bytes = Buffer.from(content);
      const hash = sha256hex(bytes);
      signedTargets.addTarget(new TargetFile({ path: name, length: bytes.length, hashes: { sha256: hash } }));
      this.#files.set(this.consistentSnapshot ? `/targets/${hash}.${name}` : `/targets/${name}`, bytes);
    }
    const targetsBytes = this.#sign(signedTargets);
    const snapshotBytes = this.#sign(
      new Snapshot({
        version: v,
        specVersion: SPEC,
        expires: expires(365),
        meta: {
          'targets.json': new MetaFile({
            version: v,
            length: targetsBytes.length,
            hashes: { sha256: sha256hex(targetsBytes) },
          }),
        },
      }),
    );
    const timestampBytes = this.#sign(
      new Timestamp({
        version: v,
        specVersion: SPEC,
        expires: expires(1),
        snapshotMeta: new MetaFile({
          version: v,
          length: snapshotBytes.length,
          hashes: { sha256: sha256hex(snapshotBytes) },
        }),
      }),
    );
    const prefix = this.consistentSnapshot ? `${v}.` : '';
    this.#files.set(`/${prefix}targets.json`, targetsBytes);
    this.#files.set(`/${prefix}snapshot.json`, snapshotBytes);
    this.#files.set('/timestamp.json', timestampBytes);
  }

  /** Serves the repository on 127.0.0.1; resolves to its base URL. */
  async listen(): Promise<string> {
    this.#server = createServer((req, res) => {
      const path = req.url ?? '/';
      this.requests.push(path);
      if (this.hang) return;
      const answer = this.answers.get(path);
      const body = answer?.body ?? this.#files.get(path);
      res.statusCode = answer?.status ?? (body === undefined ? 404 : 200);
      if (body !== undefined && answer?.chunked !== true) res.setHeader('content-length', body.length);
      res.end(body);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
