/**
 * Which keys cosign will use: sigstore's `ValidatePubKey` (Let's Encrypt's boulder key policy).
 * RSA: modulus of exactly 2048, 3072 or 4096 bits, exponent 65537, no factor below 752.
 * ECDSA: P-256, P-384, P-521 (others are refused earlier, at parse time). Ed25519: any valid key.
 */
import { UnsupportedKeyError } from '../errors/keys.js';
import { RSA_SIZES } from './algorithms.js';
import type { PublicMaterial } from './material.js';

let smallPrimesProduct: bigint | undefined;

/** The product of the primes below 752, as boulder's small-prime check uses; computed on first use. */
function smallPrimes(): bigint {
  if (smallPrimesProduct !== undefined) return smallPrimesProduct;
  let product = 1n;
  for (let n = 2; n < 752; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) product *= BigInt(n);
  }
  smallPrimesProduct = product;
  return product;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Throws `UnsupportedKeyError` for a key cosign would refuse. */
export function checkKeyPolicy(material: PublicMaterial): void {
  if (material.kind !== 'rsa') return;
  if (!(RSA_SIZES as readonly number[]).includes(material.bits)) {
    throw new UnsupportedKeyError(
      `RSA key size not supported: ${material.bits} bits. cosign accepts only 2048, 3072 or 4096-bit RSA keys (or use ECDSA P-256).`,
    );
  }
  if (material.e !== 65537n) {
    throw new UnsupportedKeyError(
      `RSA key exponent must be 65537, this key has ${material.e}; regenerate the key with the standard exponent.`,
    );
  }
  if (gcd(material.n, smallPrimes()) !== 1n) {
    throw new UnsupportedKeyError(
      'RSA key modulus is divisible by a small prime: this key is broken; generate a new one.',
    );
  }
}
