/**
 * Certificate paths beyond what @sigstore/verify builds: cosign's legacy path, which trusts given
 * certificates as anchors and takes intermediates from the signer (cosign `TrustedCert` over Go's
 * `x509.Verify`, `pkg/cosign/verify.go`, which Kyverno's `type: Cosign` runs), and the
 * extended-key-usage rule Go applies to every certificate of a path (`checkChainForKeyUsage`).
 *
 * The legacy path: **every** certificate of the trust material's CAs is an anchor, self-signed or
 * not (a `roots` PEM holding an intermediate without its root anchors at that intermediate). The
 * intermediates are those of a classic layer's `chain` annotation, all but its last certificate —
 * where cosign writes the root and never takes one from (`verifyInternal`: `chain[:len-1]`) — and
 * never a self-signed one, which could only stand for a root the signer chose. A path leaf →
 * intermediates → anchor must be signed link by link, every certificate above the leaf a CA within
 * its path-length constraint, each one's extended key usage allowing code signing, all of them
 * (the leaf too) valid at the leaf's `notBefore` (Go's `CurrentTime` in `TrustedCert`) and at every
 * signing time (cosign's `CheckExpiry`), and the anchor's CA entry valid at every signing time.
 *
 * Deliberately not here: which times count, SCTs, the Rekor entry (`sigstore-checks.ts`); reading a
 * trusted root. Pure: no I/O, nothing thrown for hostile input.
 */
import { X509Certificate } from '@sigstore/core';
import type { TrustMaterial } from '@sigstore/verify';
import { decodePemBlocks } from '../../keys/pem.js';
import { readFulcioCertificate } from './certificate.js';

/** Why no path was accepted. */
export interface PathProblem {
  readonly problem: string;
}

/**
 * The most certificates a `chain` annotation may hold: Kyverno's cap on a chain a user gives (ten
 * intermediates and the root). Fulcio writes two; cosign sets no cap, so this refuses earlier.
 */
const MAX_ANNOTATION_CERTIFICATES = 11;

/**
 * Go's `maxChainSignatureChecks`: `x509.Verify` gives up after this many signature checks, so that
 * certificates made to look like each other's issuers cannot make path building slow.
 */
const MAX_SIGNATURE_CHECKS = 100;

const EXTENDED_KEY_USAGE = '2.5.29.37';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether Go's chain check with `ExtKeyUsageCodeSigning` accepts this certificate's extended key
 * usage: no such extension (Go reads it as any), or one that lists codeSigning or
 * anyExtendedKeyUsage. An extension that cannot be read allows nothing.
 */
function allowsCodeSigning(cert: X509Certificate): boolean {
  const ext = cert.extension(EXTENDED_KEY_USAGE);
  if (ext === undefined) return true;
  try {
    const usages = (ext.valueObj.subs[0]?.subs ?? []).map((oid) => oid.toOID());
    return usages.includes(CODE_SIGNING) || usages.includes(ANY_EXTENDED_KEY_USAGE);
  } catch {
    return false;
  }
}

/**
 * Go's `checkChainForKeyUsage` for code signing: whether every certificate of `path` (leaf first)
 * allows it. sigstore-go's `VerifyLeafCertificate` and cosign's `TrustedCert` both ask for it.
 */
export function pathAllowsCodeSigning(path: readonly X509Certificate[]): boolean {
  return path.every(allowsCodeSigning);
}

/**
 * The intermediates a classic layer's `chain` annotation lends (see the module comment), or why
 * the annotation cannot be read — cosign fails a signature whose annotation does not parse. Each
 * certificate is read by Go's parsing rules; one Go's `x509.Verify` would never use (an unhandled
 * critical extension) is left out, as Go passes over it.
 */
export function annotationIntermediates(text: string | undefined): X509Certificate[] | PathProblem {
  if (text === undefined || text.trim() === '') return [];
  const blocks = decodePemBlocks(text);
  if (blocks.length === 0) return { problem: 'the chain annotation holds no PEM certificate' };
  if (blocks.length > MAX_ANNOTATION_CERTIFICATES)
    return {
      problem: `the chain annotation holds ${blocks.length} PEM blocks, more than the ${MAX_ANNOTATION_CERTIFICATES} read`,
    };
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    const which = `the chain annotation's block ${i + 1}`;
    if (block.type !== 'CERTIFICATE') return { problem: `${which} is a "${block.type}", not a CERTIFICATE` };
    try {
      const read = readFulcioCertificate(block.bytes);
      const cert = X509Certificate.parse(Buffer.from(block.bytes));
      if (read.unhandledCriticalExtensions.length === 0) certs.push(cert);
    } catch (error) {
      return { problem: `${which} is not a certificate: ${describe(error)}` };
    }
  }
  return certs.slice(0, -1).filter((c) => !c.subject.equals(c.issuer));
}

/** An anchor: a certificate of a CA entry, and that entry's window. */
interface Anchor {
  readonly cert: X509Certificate;
  readonly validFor: { readonly start: Date; readonly end: Date };
}

/** Why an issuer whose signature verified could not stand in the path at `depth` (1: the leaf's issuer). */
function unusable(cert: X509Certificate, depth: number, checkTimes: readonly Date[]): string | undefined {
  if (!cert.isCA) return 'an issuing certificate is not a CA';
  const pathLength = cert.extBasicConstraints?.pathLenConstraint;
  if (pathLength !== undefined && pathLength < depth - 1)
    return "an issuing certificate's path length constraint is exceeded";
  const invalidAt = checkTimes.find((t) => !cert.validForDate(t));
  if (invalidAt !== undefined)
    return `an issuing certificate is not valid at ${invalidAt.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`;
  if (!allowsCodeSigning(cert)) return 'an issuing certificate does not allow code signing';
  return undefined;
}

function windowHolds(anchor: Anchor, times: readonly Date[]): boolean {
  return times.every((t) => anchor.validFor.start <= t && t <= anchor.validFor.end);
}

/**
 * cosign's legacy path (see the module comment) from `leaf` through `intermediates` to an anchor of
 * `authorities`, checked at `times` (the signing times) and at the leaf's `notBefore`: the path,
 * leaf first and the anchor last, or why there is none. The leaf itself is never an anchor (Go's
 * `x509.Verify` would accept a leaf found among the roots; trust material holds CAs only).
 */
export function legacyCertificatePath(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  authorities: TrustMaterial['certificateAuthorities'],
  times: readonly Date[],
): X509Certificate[] | PathProblem {
  const anchors: Anchor[] = authorities.flatMap((ca) =>
    ca.certChain.map((cert) => ({ cert, validFor: ca.validFor })),
  );
  const checkTimes = [leaf.notBefore, ...times];
  const leafInvalid = times.find((t) => !leaf.validForDate(t));
  if (leafInvalid !== undefined)
    return {
      problem: `the certificate is not valid at ${leafInvalid.toISOString()} (valid ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()})`,
    };
  const usableAnchors = anchors.filter((a) => windowHolds(a, times));
  const reasons = new Set<string>();
  let checks = 0;
  const issued = (parent: X509Certificate, child: X509Certificate): boolean => {
    if (!parent.subject.equals(child.issuer)) return false;
    if (++checks > MAX_SIGNATURE_CHECKS) return false;
    try {
      return child.verify(parent);
    } catch {
      return false;
    }
  };
  const usableAt = (cert: X509Certificate, depth: number): boolean => {
    const why = unusable(cert, depth, checkTimes);
    if (why !== undefined) reasons.add(why);
    return why === undefined;
  };
  const extend = (path: X509Certificate[]): X509Certificate[] | undefined => {
    const current = path[path.length - 1] as X509Certificate;
    const depth = path.length;
    for (const anchor of usableAnchors)
      if (issued(anchor.cert, current) && usableAt(anchor.cert, depth)) return [...path, anchor.cert];
    for (const next of intermediates) {
      if (path.some((c) => c.equals(next)) || !issued(next, current) || !usableAt(next, depth)) continue;
      const found = extend([...path, next]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const path = extend([leaf]);
  if (path !== undefined) return path;
  if (checks > MAX_SIGNATURE_CHECKS)
    return { problem: `no path found within ${MAX_SIGNATURE_CHECKS} signature checks` };
  const why = reasons.size > 0 ? `: ${[...reasons].join('; ')}` : '';
  return {
    problem: `no path from the certificate to a trusted anchor (intermediates from the chain annotation, never its root)${why}`,
  };
}
