/**
 * Speed for @sigstore/core's certificates: its ASN.1 nodes re-encode themselves to DER whenever a
 * certificate is compared (`equals`), verified, cloned or asked for its key, with two fresh 1 KiB
 * buffers per node — about half of a keyless verification, mostly spent on the trusted root's CA
 * certificates, which are the same every time. A parsed certificate never changes, so for the
 * certificates we keep (a trust material's), each node's DER is computed once, on first use, and
 * kept on that node. Only these objects change; @sigstore/core itself is untouched.
 *
 * Deliberately not here: any check. What the library computes is the same, only not recomputed.
 */
import type { X509Certificate } from '@sigstore/core';

/** An @sigstore/core ASN.1 node, as far as this module relies on it. */
interface Asn1Node {
  toDER(): Buffer;
  readonly subs: readonly Asn1Node[];
}

function isNode(value: unknown): value is Asn1Node {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Asn1Node).toDER === 'function' &&
    Array.isArray((value as Asn1Node).subs)
  );
}

function keepDer(node: Asn1Node): void {
  for (const sub of node.subs) if (isNode(sub)) keepDer(sub);
  const encode = node.toDER;
  let der: Buffer | undefined;
  Object.defineProperty(node, 'toDER', {
    value: () => {
      der ??= encode.call(node);
      return der;
    },
  });
}

/**
 * Makes `cert` encode each of its ASN.1 nodes once. A certificate whose shape is not the one this
 * version of @sigstore/core has is left as it is (slower, never wrong).
 */
export function keepCertificateDer(cert: X509Certificate): void {
  const root = (cert as unknown as { root?: unknown }).root;
  if (isNode(root)) keepDer(root);
}
