/** Content digests: computing them, and checking bytes against them as they stream by. */
import { createHash, type Hash } from 'node:crypto';
import { DigestMismatchError } from '../errors/registry.js';
import { checkDigest } from '../internal/reference.js';

/** Digest algorithms the registry client computes and checks. */
export type DigestAlgorithmName = 'sha256' | 'sha512';

export function digestAlgorithmOf(digest: string): DigestAlgorithmName {
  return checkDigest(digest).startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** `sha256:<hex>` (or sha512) of some bytes. */
export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithmName = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Hashes chunks as they pass and checks the total against an expected digest and size. */
export class DigestVerifier {
  readonly #hash: Hash;
  readonly #expected: string;
  readonly #size: number | undefined;
  #length = 0;

  constructor(expected: string, size?: number) {
    this.#expected = expected;
    this.#size = size;
    this.#hash = createHash(digestAlgorithmOf(expected));
  }

  update(chunk: Uint8Array): void {
    this.#length += chunk.length;
    if (this.#size !== undefined && this.#length > this.#size) {
      throw new DigestMismatchError(
        `Content for ${this.#expected} is longer than its declared ${this.#size} bytes`,
      );
    }
    this.#hash.update(chunk);
  }

  get length(): number {
    return this.#length;
  }

  /** Throws DigestMismatchError unless everything seen hashes to the expected digest. */
  verify(): void {
    if (this.#size !== undefined && this.#length !== this.#size) {
      throw new DigestMismatchError(
        `Content for ${this.#expected} is ${this.#length} bytes, its descriptor says ${this.#size}`,
      );
    }
    const actual = `${this.#expected.split(':')[0]}:${this.#hash.digest('hex')}`;
    if (actual !== this.#expected)
      throw new DigestMismatchError(
        `Content does not match its digest: expected ${this.#expected}, got ${actual}`,
      );
  }
}
