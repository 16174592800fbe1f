import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../src/internal/bytes.js';
import { leafHash, verifyInclusion } from '../../../../src/sigstore/tlog/merkle.js';
import {
  emptyTreeRoot,
  hashChildren,
  hashLeaf,
  MerkleTree,
} from '../../../../src/testing/sigstore/rekor/merkle-tree.js';

const hex = (text: string) => fromHex(text) as Uint8Array;

/*
 * RFC 6962 test data as transparency-dev/merkle keeps it: the eight leaf inputs and the root of
 * every tree of 0…8 of them (`testonly/constants.go` LeafInputs / RootHashes), and inclusion proofs
 * (`cmd/proofgen/main.go` inclusionProofs, 1-based leaf numbers).
 */
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const PROOFS: readonly [leaf: number, size: number, proof: string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

function treeOf(leaves: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leaf);
  return tree;
}

/** RFC 6962 §2.1 MTH, written out recursively over the leaves: the reference the tree must equal. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyTreeRoot();
  if (leaves.length === 1) return hashLeaf(leaves[0] as Uint8Array);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('MerkleTree (RFC 6962)', () => {
  it('has the RFC 6962 roots of trees of 0 to 8 leaves (transparency-dev/merkle test data)', () => {
    const tree = new MerkleTree();
    expect(toHex(tree.root())).toBe(ROOTS[0]);
    for (const [i, leaf] of LEAVES.entries()) {
      expect(tree.append(leaf)).toBe(i);
      expect(toHex(tree.root())).toBe(ROOTS[i + 1]);
    }
    // Past sizes keep their roots after the tree grew.
    for (let size = 0; size <= 8; size++) expect(toHex(tree.root(size))).toBe(ROOTS[size]);
  });

  it('gives the upstream inclusion proofs', () => {
    const tree = treeOf(LEAVES);
    for (const [leaf, size, proof] of PROOFS)
      expect(tree.inclusionProof(leaf - 1, size).map(toHex), `leaf ${leaf} of ${size}`).toEqual(proof);
  });

  it('proves every leaf of every tree of 1 to 64 leaves to src/sigstore/tlog/merkle.ts, and nothing else', () => {
    const leaves = Array.from({ length: 64 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
    const tree = new MerkleTree();
    for (const [n, leaf] of leaves.entries()) {
      tree.append(leaf);
      const size = n + 1;
      const root = tree.root();
      expect(toHex(root)).toBe(toHex(referenceRoot(leaves.slice(0, size))));
      for (let index = 0; index < size; index++) {
        const proof = tree.inclusionProof(index);
        const hash = leafHash(leaves[index] as Uint8Array);
        expect(toHex(tree.leafHash(index))).toBe(toHex(hash));
        expect(verifyInclusion(hash, BigInt(index), BigInt(size), proof, root), `${index} of ${size}`).toBe(
          true,
        );
        // The same proof must not prove a neighbour.
        if (size > 1) {
          const other = (index + 1) % size;
          expect(verifyInclusion(hash, BigInt(other), BigInt(size), proof, root)).toBe(false);
          expect(
            verifyInclusion(leafHash(leaves[other] as Uint8Array), BigInt(index), BigInt(size), proof, root),
          ).toBe(false);
        }
      }
    }
  });

  it('proves a leaf in an older, smaller tree', () => {
    const tree = treeOf(Array.from({ length: 20 }, (_, i) => Uint8Array.of(i)));
    const proof = tree.inclusionProof(5, 11);
    expect(verifyInclusion(leafHash(Uint8Array.of(5)), 5n, 11n, proof, tree.root(11))).toBe(true);
    expect(verifyInclusion(leafHash(Uint8Array.of(5)), 5n, 11n, proof, tree.root(12))).toBe(false);
  });

  it('refuses sizes and indexes outside the tree', () => {
    const tree = treeOf(LEAVES.slice(0, 3));
    expect(() => tree.root(4)).toThrow(RangeError);
    expect(() => tree.inclusionProof(3)).toThrow(RangeError);
    expect(() => tree.inclusionProof(2, 2)).toThrow(RangeError);
    expect(() => tree.inclusionProof(-1)).toThrow(RangeError);
    expect(() => new MerkleTree().inclusionProof(0)).toThrow(RangeError);
  });
});
