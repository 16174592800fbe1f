/**
 * Checking content against its digest and size as it streams by (`DigestVerifier`), so that no
 * caller sees bytes that do not match. Computing a digest of whole bytes is the payload layer's
 * `computeDigest` (`payload/digest.ts`).
 */
import { createHash, type Hash } from 'node:crypto';
import { DigestMismatchError } from '../errors/registry.js';
import { computeDigest, type DigestAlgorithmName, digestAlgorithmOf } from '../payload/digest.js';

/** Hashes chunks as they pass and checks the total against an expected digest and size. */
export class DigestVerifier {
  readonly #hash: Hash;
  readonly #algorithm: DigestAlgorithmName;
  readonly #expected: string;
  readonly #size: number | undefined;
  #length = 0;

  constructor(expected: string, size?: number) {
    this.#expected = expected;
    this.#size = size;
    this.#algorithm = digestAlgorithmOf(expected);
    this.#hash = createHash(this.#algorithm);
  }

  /**
   * Checks whole bytes at once (a payload, a manifest): what {@link DigestVerifier.update} and
   * {@link DigestVerifier.verify} would say, with one one-shot hash instead of a streaming one.
   */
  static check(bytes: Uint8Array, expected: string, size?: number): void {
    if (size !== undefined && bytes.length > size)
      throw new DigestMismatchError(`Content for ${expected} is longer than its declared ${size} bytes`);
    if (size !== undefined && bytes.length !== size)
      throw new DigestMismatchError(
        `Content for ${expected} is ${bytes.length} bytes, its descriptor says ${size}`,
      );
    const actual = computeDigest(bytes, digestAlgorithmOf(expected));
    if (actual !== expected)
      throw new DigestMismatchError(`Content does not match its digest: expected ${expected}, got ${actual}`);
  }

  /** Hashes the next chunk; throws DigestMismatchError as soon as there is more than the declared size. */
  update(chunk: Uint8Array): void {
    this.#length += chunk.length;
    if (this.#size !== undefined && this.#length > this.#size) {
      throw new DigestMismatchError(
        `Content for ${this.#expected} is longer than its declared ${this.#size} bytes`,
      );
    }
    this.#hash.update(chunk);
  }

  /** How many bytes have been seen. */
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
    const actual = `${this.#algorithm}:${this.#hash.digest('hex')}`;
    if (actual !== this.#expected)
      throw new DigestMismatchError(
        `Content does not match its digest: expected ${this.#expected}, got ${actual}`,
      );
  }
}
