/**
 * What `verify`, `verify-attestation` and `verify-blob` trust, from flags and environment: the
 * `--key` to load, or keyless identities with the trusted root their certificates must chain to.
 * cosign's order (cosign v3.1.2 `cmd/cosign/cli/verify/common.go` `SetTrustedMaterial`,
 * `SetLegacyClientsAndKeys`, `loadCertsKeylessVerification`): `--trusted-root` replaces everything;
 * else CA flags or one of the `SIGSTORE_*` variables below switch cosign to legacy material, where
 * what they give replaces that part and the rest comes from public-good TUF (here: the shipped
 * public-good root, offline); else the public-good root alone. Legacy material serves only
 * classic `.sig` signatures in cosign (bundles refuse it), and so here.
 *
 * Deliberately not here: flag rules (certificate-flags.ts) and the key path's tlog choice
 * (context.ts `tlogOptions`, unchanged for `--key`).
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { bytesEqual } from '../internal/bytes.js';
import { decodePemBlocks } from '../keys/pem.js';
import {
  parseTrustedRoot,
  shippedTrustedRoot,
  type TrustedRoot,
  type TrustedRootPems,
  trustedRootFromPems,
} from '../sigstore/index.js';
import { parseCertificate } from '../sigstore/trusted-root.js';
import type { CertificateIdentity } from '../verify/index.js';
import { LEGACY_CHAIN } from '../verify/keyless/keyless-trust.js';
import { type CaFlags, type SignerFlagValues, signerFlags } from './certificate-flags.js';
import { tlogOptions } from './context.js';
import type { CliIo } from './io.js';

/** cosign's environment variables for legacy trust material, and the part each one replaces. */
const LEGACY_VARIABLES = [
  ['SIGSTORE_ROOT_FILE', 'fulcio'],
  ['SIGSTORE_REKOR_PUBLIC_KEY', 'rekor'],
  ['SIGSTORE_CT_LOG_PUBLIC_KEY_FILE', 'ctlog'],
  ['SIGSTORE_TSA_CERTIFICATE_FILE', 'tsa'],
] as const;

/** The library options a verify command passes on, besides the registry's. */
export interface VerifyTrustOptions {
  readonly ignoreTlog: boolean;
  /** `--trusted-root` (or, keyless, the legacy material built from PEM). */
  readonly trustedRoot?: unknown;
  readonly rekorPublicKeys?: readonly string[];
  readonly identities?: readonly CertificateIdentity[];
  readonly ignoreSct?: boolean;
  readonly useSignedTimestamps?: boolean;
  /**
   * cosign's legacy chain with `--ca-roots` alone: every root an anchor, the intermediates from the
   * signature's `chain` annotation (with `--ca-intermediates` or `--certificate-chain` cosign uses
   * those instead, as the default path does).
   */
  readonly [LEGACY_CHAIN]?: true;
}

/** What a verify command trusts. */
export interface VerifyTrust {
  /** The `--key` reference to load; undefined for keyless. */
  readonly key: string | undefined;
  readonly options: VerifyTrustOptions;
  /**
   * Keyless with legacy material (CA flags or `SIGSTORE_*` variables, no `--trusted-root`): what
   * gave it, for a message. cosign uses such material for classic signatures only.
   */
  readonly legacy: LegacySource | undefined;
  /** Certificate flags given next to `--key`, which cosign ignores: to warn about. */
  readonly ignored: readonly string[];
}

/** Where legacy trust material came from. */
export interface LegacySource {
  readonly ca: CaFlags | undefined;
  readonly variables: readonly string[];
}

/**
 * cosign's refusal of legacy material for a Sigstore bundle (`CheckSigstoreBundleUnsupportedOptions`),
 * word for word, with what to do instead.
 */
export function legacyRefusal(source: LegacySource): string {
  if (source.ca !== undefined && 'chain' in source.ca)
    return 'unsupported: certificate chain must be in bundle and may not be provided using --certificate-chain when using --new-bundle-format (Sigstore bundles need --trusted-root)';
  if (source.ca !== undefined)
    return 'unsupported: CA roots/intermediates must be provided using --trusted-root when using --new-bundle-format';
  return `trusted root is required when using new bundle format: ${source.variables.join(', ')} switch cosign to legacy trust material, which Sigstore bundles cannot use; pass --trusted-root`;
}

const readText = (io: CliIo, path: string) => readFileSync(resolve(io.cwd, path), 'utf8');

/**
 * The trust of a verify command from its flags (cosign's rules: `signerFlags`) and environment.
 * With `--key`: the key and `tlogOptions` as before. Keyless: one identity and, with no
 * `--trusted-root`, legacy material or nothing (the library then uses the shipped public-good
 * root; never the network). `checkLegacy` sees legacy material before any of its files is read,
 * and throws when the command cannot use it.
 *
 * @throws UsageError for a flag mistake; InvalidArgumentError for a trusted root or PEM file that
 * cannot be used; a file system error for a file that cannot be read.
 */
export function verifyTrust(
  values: SignerFlagValues,
  io: CliIo,
  checkLegacy: (source: LegacySource) => void,
): VerifyTrust {
  const signer = signerFlags(values);
  if (signer.kind === 'key')
    return { key: signer.key, options: tlogOptions(values, io), legacy: undefined, ignored: signer.ignored };
  // `--trusted-root ""` is no trusted root, as Go reads an empty flag.
  const rootPath = values['trusted-root'] === '' ? undefined : values['trusted-root'];
  const variables = LEGACY_VARIABLES.filter(([name]) => (io.env[name] ?? '') !== '');
  const legacy =
    rootPath === undefined && (signer.ca !== undefined || variables.length > 0)
      ? { ca: signer.ca, variables: variables.map(([name]) => name) }
      : undefined;
  if (legacy !== undefined) checkLegacy(legacy);
  const trustedRoot =
    rootPath !== undefined
      ? parseTrustedRoot(readFileSync(resolve(io.cwd, rootPath)))
      : legacy !== undefined
        ? legacyRoot(signer.ca, variables, io)
        : undefined;
  return {
    key: undefined,
    options: {
      ignoreTlog: values['insecure-ignore-tlog'] === true,
      identities: [signer.identity],
      ignoreSct: signer.ignoreSct,
      useSignedTimestamps: signer.useSignedTimestamps,
      ...(trustedRoot === undefined ? {} : { trustedRoot }),
      ...(rootPath === undefined &&
      signer.ca !== undefined &&
      'roots' in signer.ca &&
      signer.ca.intermediates === undefined
        ? { [LEGACY_CHAIN]: true as const }
        : {}),
    },
    legacy,
    ignored: [],
  };
}

/** The shipped public-good root with the parts the CA flags and `SIGSTORE_*` variables give replaced. */
function legacyRoot(
  ca: CaFlags | undefined,
  variables: readonly (typeof LEGACY_VARIABLES)[number][],
  io: CliIo,
): TrustedRoot {
  const pems: { -readonly [K in keyof TrustedRootPems]: TrustedRootPems[K] } = {};
  for (const [name, part] of variables) pems[part] = readText(io, io.env[name] as string);
  let anchors: { readonly name: string; readonly isAnchor: (der: Uint8Array) => boolean } | undefined;
  if (ca !== undefined && 'chain' in ca) {
    // cosign: the last certificate is the only root, the others intermediates.
    pems.fulcio = readText(io, ca.chain);
    const last = certificatesOf(pems.fulcio, '--certificate-chain').at(-1) as Uint8Array;
    anchors = {
      name: 'the last certificate of --certificate-chain',
      isAnchor: (der) => bytesEqual(der, last),
    };
  } else if (ca !== undefined) {
    const roots = readText(io, ca.roots);
    const rootDers = certificatesOf(roots, '--ca-roots');
    pems.fulcio = ca.intermediates === undefined ? roots : `${roots}\n${readText(io, ca.intermediates)}`;
    anchors = {
      name: 'a certificate of --ca-roots',
      isAnchor: (der) => rootDers.some((r) => bytesEqual(r, der)),
    };
  } else if (pems.fulcio !== undefined) {
    // cosign's SIGSTORE_ROOT_FILE: the self-signed certificates are the roots.
    anchors = {
      name: 'a self-signed certificate of SIGSTORE_ROOT_FILE',
      isAnchor: (der) => {
        const cert = parseCertificate(der, 'SIGSTORE_ROOT_FILE');
        return cert.subject.equals(cert.issuer);
      },
    };
  }
  const root = trustedRootFromPems({ ...pems, base: shippedTrustedRoot() });
  // trustedRootFromPems makes any certificate whose issuer is not given a trust anchor; cosign
  // anchors only at the roots named, so an intermediate that reaches none of them is a mistake.
  if (anchors !== undefined)
    for (const authority of root.certificateAuthorities) {
      const anchor = authority.certChain.certificates.at(-1)?.rawBytes as Uint8Array;
      if (!anchors.isAnchor(anchor))
        throw new InvalidArgumentError(`a CA certificate given does not chain up to ${anchors.name}`);
    }
  return root;
}

function certificatesOf(pem: string, name: string): Uint8Array[] {
  const ders = decodePemBlocks(pem)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => b.bytes);
  if (ders.length === 0) throw new InvalidArgumentError(`${name} holds no PEM certificate`);
  return ders;
}
