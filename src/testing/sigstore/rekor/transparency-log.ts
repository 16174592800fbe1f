/**
 * One append-only log of a Rekor double: its entries (the canonicalized bodies, their leaf hashes
 * and integration times) over a {@link MerkleTree}, deduplicated by leaf hash as Trillian and
 * Tessera deduplicate identical leaves. Deliberately not here: any wire format (`rekor-v1.ts`,
 * `rekor-v2.ts`) or signing (`checkpoint.ts`).
 */
import { toHex } from '../../../internal/bytes.js';
import type { CanonicalEntry } from './entry-kinds.js';
import { hashLeaf, MerkleTree } from './merkle-tree.js';

/** An entry a log holds. */
export interface LoggedEntry {
  /** Which API logged it. */
  readonly api: 'v1' | 'v2';
  /** Its leaf index in the log's tree (Rekor v1's shard-local index, which inclusion proofs use). */
  readonly index: number;
  /** Its log index: Rekor v1's virtual index across shards (what the SET signs), Rekor v2's leaf index. */
  readonly logIndex: number;
  readonly kind: string;
  readonly apiVersion: string;
  /** The canonicalized body: the Merkle leaf. */
  readonly body: Uint8Array;
  /** Hex RFC 6962 leaf hash of the body: Rekor v1's entry UUID. */
  readonly uuid: string;
  /** Seconds since the Unix epoch when it was logged; 0 for Rekor v2, which records none. */
  readonly integratedTime: number;
}

/** A log: entries in order, a tree over their bodies, lookups by index and leaf hash. */
export class TransparencyLog {
  readonly #tree = new MerkleTree();
  readonly #entries: LoggedEntry[] = [];
  readonly #byUuid = new Map<string, LoggedEntry>();

  /**
   * @param logIndexOffset - entries of earlier shards (Rekor v1): added to leaf indexes to make log indexes.
   */
  constructor(
    readonly api: 'v1' | 'v2',
    readonly clock: () => Date,
    readonly logIndexOffset = 0,
  ) {}

  /** The number of entries. */
  get size(): number {
    return this.#entries.length;
  }

  /** Logs `entry`, or finds the identical one already logged (`duplicate: true`). */
  add(entry: CanonicalEntry): { readonly entry: LoggedEntry; readonly duplicate: boolean } {
    const uuid = toHex(hashLeaf(entry.body));
    const existing = this.#byUuid.get(uuid);
    if (existing !== undefined) return { entry: existing, duplicate: true };
    const index = this.#tree.append(entry.body);
    const logged: LoggedEntry = Object.freeze({
      api: this.api,
      index,
      logIndex: this.logIndexOffset + index,
      kind: entry.kind,
      apiVersion: entry.apiVersion,
      body: entry.body,
      uuid,
      integratedTime: this.api === 'v2' ? 0 : Math.floor(this.clock().getTime() / 1000),
    });
    this.#entries.push(logged);
    this.#byUuid.set(uuid, logged);
    return { entry: logged, duplicate: false };
  }

  /** The entry at leaf `index`, if any. */
  at(index: number): LoggedEntry | undefined {
    return this.#entries[index];
  }

  /** The entry at log index `logIndex` (leaf index plus the offset), if any. */
  atLogIndex(logIndex: number): LoggedEntry | undefined {
    return logIndex < this.logIndexOffset ? undefined : this.#entries[logIndex - this.logIndexOffset];
  }

  /** The entry whose leaf hash is `uuid` (hex, any case), if any. */
  byUuid(uuid: string): LoggedEntry | undefined {
    return this.#byUuid.get(uuid.toLowerCase());
  }

  /** Every entry, in log order (with copies of the bodies: the log keeps its own). */
  entries(): readonly LoggedEntry[] {
    return this.#entries.map((e) => Object.freeze({ ...e, body: e.body.slice() }));
  }

  /** The root hash of the first `size` entries (default: all). */
  root(size: number = this.size): Uint8Array {
    return this.#tree.root(size);
  }

  /** The inclusion proof of leaf `index` in the tree of the first `size` entries (default: all). */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    return this.#tree.inclusionProof(index, size);
  }
}
