/**
 * An append-only RFC 6962 Merkle tree (SHA-256, leaf prefix 0x00, node prefix 0x01), as Trillian
 * (Rekor v1) and Tessera (Rekor v2) keep it: the root of any past size and the inclusion proof of
 * any leaf in a tree of any size up to the current one (RFC 6962 §2.1.1 `PATH(m, D[n])`, ordered
 * leaf to root). Deliberately not here: consistency proofs and tiles, which the doubles do not serve.
 */
import { createHash } from 'node:crypto';

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** RFC 6962 `MTH({d})`: SHA-256(0x00 ‖ leaf). */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), leaf);
}

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(1), left, right);
}

/** The root of the empty tree: SHA-256 of nothing. */
export function emptyTreeRoot(): Uint8Array {
  return sha256();
}

/** The largest power of two strictly below `n` (n ≥ 2): RFC 6962's split point `k`. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The tree. Leaves are kept as their hashes; every complete, aligned subtree's hash is kept too
 * (`levels[h][i]` covers leaves `i·2^h … (i+1)·2^h − 1`), so roots and proofs of any size cost
 * O(log² n) hashes at most.
 */
export class MerkleTree {
  readonly #levels: Uint8Array[][] = [[]];

  /** The number of leaves. */
  get size(): number {
    return this.#levels[0]?.length ?? 0;
  }

  /** Appends a leaf (its raw bytes, hashed here) and returns its index. */
  append(leaf: Uint8Array): number {
    const index = this.size;
    let hash = hashLeaf(leaf);
    let position = index;
    for (let level = 0; ; level++) {
      const row = this.#levels[level] ?? [];
      this.#levels[level] = row;
      row[position] = hash;
      if (position % 2 === 0) break;
      hash = hashChildren(row[position - 1] as Uint8Array, hash);
      position = (position - 1) / 2;
    }
    return index;
  }

  /** The leaf hash at `index` (a copy, as every hash handed out: the tree keeps its own). */
  leafHash(index: number): Uint8Array {
    this.#checkIndex(index, this.size);
    const leaf = this.#levels[0]?.[index] ?? new Uint8Array();
    return leaf.slice();
  }

  /** The root hash of the tree's first `size` leaves (default: all of them). */
  root(size: number = this.size): Uint8Array {
    this.#checkSize(size);
    return size === 0 ? emptyTreeRoot() : this.#subtree(0, size).slice();
  }

  /** RFC 6962 inclusion proof of leaf `index` in the tree of the first `size` leaves, leaf to root. */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.#checkSize(size);
    this.#checkIndex(index, size);
    return this.#path(index, 0, size).map((hash) => hash.slice());
  }

  #path(index: number, start: number, n: number): Uint8Array[] {
    if (n === 1) return [];
    const k = splitPoint(n);
    return index < k
      ? [...this.#path(index, start, k), this.#subtree(start + k, n - k)]
      : [...this.#path(index - k, start + k, n - k), this.#subtree(start, k)];
  }

  /** The hash of the `n` leaves from `start`: stored when complete and aligned, else split (RFC 6962 MTH). */
  #subtree(start: number, n: number): Uint8Array {
    if ((n & (n - 1)) === 0 && start % n === 0) {
      const stored = this.#levels[Math.log2(n)]?.[start / n];
      if (stored !== undefined) return stored;
    }
    const k = splitPoint(n);
    return hashChildren(this.#subtree(start, k), this.#subtree(start + k, n - k));
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`tree size ${size} is not between 0 and ${this.size}`);
  }

  #checkIndex(index: number, size: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
  }
}
