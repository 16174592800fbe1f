/**
 * The in-memory content of the test registry: blobs by digest (with per-repository membership, so
 * mounts mean something), manifests and tags per repository, and open uploads. No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import { isJsonObject, own } from '../../internal/shape.js';
import { sha256Digest } from '../../payload/digest.js';

/** The bytes as a JSON object, or undefined when they are not JSON or not an object. */
export function jsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const doc: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return isJsonObject(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** A manifest as pushed: its bytes and the Content-Type it was pushed with. */
export interface StoredManifest {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

interface Repository {
  readonly manifests: Map<string, StoredManifest>;
  readonly tags: Map<string, string>;
  readonly blobs: Set<string>;
}

export class RegistryStore {
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #repositories = new Map<string, Repository>();
  readonly #uploads = new Map<string, { repository: string; chunks: Uint8Array[]; size: number }>();

  #repo(name: string): Repository {
    let repo = this.#repositories.get(name);
    if (repo === undefined) {
      repo = { manifests: new Map(), tags: new Map(), blobs: new Set() };
      this.#repositories.set(name, repo);
    }
    return repo;
  }

  hasRepository(name: string): boolean {
    return this.#repositories.has(name);
  }

  getBlob(repository: string, digest: string): Uint8Array | undefined {
    return this.#repositories.get(repository)?.blobs.has(digest) ? this.#blobs.get(digest) : undefined;
  }

  putBlob(repository: string, bytes: Uint8Array): string {
    const digest = sha256Digest(bytes);
    this.#blobs.set(digest, bytes);
    this.#repo(repository).blobs.add(digest);
    return digest;
  }

  mountBlob(repository: string, digest: string, from: string): boolean {
    if (this.getBlob(from, digest) === undefined) return false;
    this.#repo(repository).blobs.add(digest);
    return true;
  }

  deleteBlob(repository: string, digest: string): boolean {
    return this.#repositories.get(repository)?.blobs.delete(digest) ?? false;
  }

  startUpload(repository: string): string {
    const id = randomUUID();
    this.#uploads.set(id, { repository, chunks: [], size: 0 });
    return id;
  }

  upload(id: string): { repository: string; size: number } | undefined {
    return this.#uploads.get(id);
  }

  appendUpload(id: string, chunk: Uint8Array): number {
    const upload = this.#uploads.get(id);
    if (upload === undefined) return -1;
    upload.chunks.push(chunk);
    upload.size += chunk.length;
    return upload.size;
  }

  /** Completes an upload; returns the digest, or undefined when it does not match `expected`. */
  finishUpload(id: string, expected: string): string | undefined {
    const upload = this.#uploads.get(id);
    if (upload === undefined) return undefined;
    this.#uploads.delete(id);
    const bytes = new Uint8Array(Buffer.concat(upload.chunks));
    const digest = sha256Digest(bytes);
    if (digest !== expected) return undefined;
    return this.putBlob(upload.repository, bytes);
  }

  getManifest(repository: string, reference: string): (StoredManifest & { digest: string }) | undefined {
    const repo = this.#repositories.get(repository);
    if (repo === undefined) return undefined;
    const digest = reference.includes(':') ? reference : repo.tags.get(reference);
    const manifest = digest === undefined ? undefined : repo.manifests.get(digest);
    return manifest === undefined || digest === undefined ? undefined : { ...manifest, digest };
  }

  putManifest(repository: string, reference: string, manifest: StoredManifest): string {
    const digest = sha256Digest(manifest.bytes);
    const repo = this.#repo(repository);
    repo.manifests.set(digest, manifest);
    if (!reference.includes(':')) repo.tags.set(reference, digest);
    return digest;
  }

  deleteManifest(repository: string, digest: string): boolean {
    const repo = this.#repositories.get(repository);
    if (repo === undefined || !repo.manifests.delete(digest)) return false;
    for (const [tag, target] of repo.tags) if (target === digest) repo.tags.delete(tag);
    return true;
  }

  tags(repository: string): string[] {
    return [...(this.#repositories.get(repository)?.tags.keys() ?? [])].sort();
  }

  /** Manifests in a repository whose `subject` is `digest`. */
  referrers(
    repository: string,
    digest: string,
  ): Array<{ digest: string; manifest: StoredManifest; doc: Record<string, unknown> }> {
    const repo = this.#repositories.get(repository);
    if (repo === undefined) return [];
    const out: Array<{ digest: string; manifest: StoredManifest; doc: Record<string, unknown> }> = [];
    for (const [d, manifest] of repo.manifests) {
      const doc = jsonObject(manifest.bytes);
      const subject = doc === undefined ? undefined : own(doc, 'subject');
      if (doc !== undefined && isJsonObject(subject) && own(subject, 'digest') === digest)
        out.push({ digest: d, manifest, doc });
    }
    return out;
  }
}
