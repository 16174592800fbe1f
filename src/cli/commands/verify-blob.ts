/** `ocisign verify-blob (FILE | - | sha256:HEX) --bundle BUNDLE --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifyBlob } from '../../verify/index.js';
import { deadline, outputFormat, parse, requireFlag, TLOG_OPTIONS } from '../args.js';
import { CERTIFICATE_OPTIONS } from '../certificate-flags.js';
import { loadPublicKey } from '../context.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { legacyRefusal, verifyTrust } from '../trust-flags.js';

export const usage = `ocisign verify-blob (FILE | - | sha256:HEX) --bundle BUNDLE (--key REF | --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y) [--trusted-root FILE] [--insecure-ignore-tlog] [--insecure-ignore-sct] [--use-signed-timestamps]
  Verifies a Sigstore bundle (cosign sign-blob --bundle) over the file's bytes, standard input (-),
  or only the artifact's digest: the Fulcio certificate against the trusted root (default: the
  public-good root shipped with ocisign, offline), its SCT, the Rekor entry or RFC 3161 timestamp,
  then the identity (regexps are Go RE2 and UNANCHORED: write ^…$); or, with --key, the signature
  with that key (a PEM file, cosign.key or awskms://…) and its Rekor entry as verify checks it. Prints "Verified OK" on stderr;
  exits 1 when the bundle does not verify. The GitHub workflow flags of verify apply.`;

/** What cosign reads as a digest when no file has the name (`payloadDigest`: `algorithm:hex`). */
const DIGEST_ARGUMENT = /^[a-z0-9]+:[0-9a-f]+$/i;

/** The artifact: the file's bytes, standard input, or `{ digest }` when only that is given. */
function readArtifact(argument: string, io: CliIo): Uint8Array | { readonly digest: string } {
  if (argument === '-') {
    if (io.readStdin === undefined) throw new UsageError('verify-blob -: there is no standard input to read');
    return io.readStdin();
  }
  try {
    return new Uint8Array(readFileSync(resolve(io.cwd, argument)));
  } catch (error) {
    // As cosign: a name no file has may be the artifact's digest.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && DIGEST_ARGUMENT.test(argument))
      return { digest: argument.toLowerCase() };
    throw error;
  }
}

export async function verifyBlobCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    bundle: { type: 'string' },
    key: { type: 'string' },
    ...TLOG_OPTIONS,
    ...CERTIFICATE_OPTIONS,
  });
  if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
  const bundlePath = requireFlag(values.bundle, '--bundle');
  // A Sigstore bundle needs a trusted root: cosign refuses CA flags and SIGSTORE_* material here.
  const trust = verifyTrust(values, io, (legacy) => {
    throw new UsageError(legacyRefusal(legacy));
  });
  const { ignoreTlog, identities, ignoreSct, useSignedTimestamps, trustedRoot, rekorPublicKeys } =
    trust.options;
  if (ignoreTlog)
    io.err(
      'WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the blob.\n',
    );
  const artifact = readArtifact(positionals[0] as string, io);
  const bundle = readFileSync(resolve(io.cwd, bundlePath));
  // --key: a PEM file, a cosign.key (its public half) or a KMS reference, within --timeout.
  const key =
    trust.key === undefined ? undefined : await loadPublicKey(trust.key, io, deadline(values.timeout));
  const verified = verifyBlob(artifact, {
    bundle: new Uint8Array(bundle),
    ...(key === undefined ? {} : { keys: [key] }),
    ...(identities === undefined ? {} : { identities }),
    ...(rekorPublicKeys === undefined ? {} : { rekorPublicKeys }),
    ignoreTlog,
    ignoreSct: ignoreSct === true,
    useSignedTimestamps: useSignedTimestamps === true,
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
    onWarning: (message) => io.err(`WARNING: ${message}\n`),
  });
  if (outputFormat(values.output) === 'json') io.out(`${JSON.stringify(verified)}\n`);
  io.err('Verified OK\n');
  return 0;
}
