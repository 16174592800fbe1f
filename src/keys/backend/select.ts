/** Picks the crypto backend once per process: node:crypto when present, pure JS otherwise. */

import { nobleBackend } from './noble.js';
import { createNodeBackend, nodeCrypto } from './node.js';
import type { CryptoBackend } from './types.js';

let selected: CryptoBackend | undefined;

export function backend(): CryptoBackend {
  if (selected === undefined) {
    const crypto = nodeCrypto();
    selected = crypto === undefined ? nobleBackend : createNodeBackend(crypto);
  }
  return selected;
}
