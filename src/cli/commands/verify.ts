/** `ocisign verify (--key REF | --certificate-identity[-regexp] … --certificate-oidc-issuer[-regexp] …) [-a key=value]... IMAGE...` */
import { verifyImage } from '../../verify/index.js';
import { ANNOTATION_OPTIONS, parseAnnotationFlags } from '../annotation-flags.js';
import { oneOf, parse, requireImages, TLOG_OPTIONS } from '../args.js';
import { CERTIFICATE_OPTIONS } from '../certificate-flags.js';
import { withCertificateFields } from '../certificate-output.js';
import { loadPublicKey } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { runImageCommand } from '../image-command.js';
import type { CliIo } from '../io.js';
import { legacyRefusal, verifyTrust } from '../trust-flags.js';

export const usage = `ocisign verify (--key REF | --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y) [-a key=value]... [--insecure-ignore-tlog | --trusted-root FILE] [--format simple-signing|bundle] [--signature-digest-algorithm sha256|sha384|sha512] IMAGE...
  Verifies each image's signatures with the public key (a PEM file, cosign.key, or awskms://…), or
  keyless: a Fulcio certificate chaining to the trusted root (default: the public-good root shipped
  with ocisign, offline) whose identity matches the --certificate-* flags (regexps are Go RE2 and
  UNANCHORED: write ^…$). Checks the claims (digest, -a annotations), prints the verified payloads
  on stdout (JSON), and exits 1 when an image has no signature that verifies.
  Keyless flags: --certificate-github-workflow-{trigger,sha,name,repository,ref}, --insecure-ignore-sct,
  --use-signed-timestamps, --certificate-chain | --ca-roots [--ca-intermediates] (classic .sig only).`;

export async function verifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    ...ANNOTATION_OPTIONS,
    ...TLOG_OPTIONS,
    ...CERTIFICATE_OPTIONS,
    format: { type: 'string' },
    'signature-digest-algorithm': { type: 'string' },
  });
  const images = requireImages(positionals, 'verify');
  const digestAlgorithm = oneOf(values['signature-digest-algorithm'], '--signature-digest-algorithm', [
    'sha256',
    'sha384',
    'sha512',
  ]);
  const requested = oneOf(values.format, '--format', ['simple-signing', 'bundle']);
  // cosign uses CA flags and SIGSTORE_* material on classic signatures only, and refuses it for bundles.
  const trust = verifyTrust(values, io, (legacy) => {
    if (requested === 'bundle') throw new UsageError(legacyRefusal(legacy));
  });
  const format = trust.legacy !== undefined ? 'simple-signing' : requested;
  const ignoreTlog = trust.options.ignoreTlog;
  if (ignoreTlog)
    io.err(
      'WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the signature.\n',
    );
  for (const flag of trust.ignored)
    io.err(`WARNING: ${flag} is ignored with --key (cosign checks it only on certificates)\n`);
  const annotations = parseAnnotationFlags(values.annotations ?? []);
  const annotated = Object.keys(annotations).length > 0;
  const keyless = trust.key === undefined;
  return runImageCommand(io, values, {
    images,
    loadKey: async (cliIo, signal) =>
      trust.key === undefined ? [] : [await loadPublicKey(trust.key, cliIo, signal)],
    each: async (image, keys, ctx) => {
      const result = await verifyImage(image, {
        ...(keys.length === 0 ? {} : { keys }),
        ...ctx.registryOptions,
        ...trust.options,
        ...(digestAlgorithm === undefined ? {} : { digestAlgorithm }),
        ...(annotated ? { annotations } : {}),
        ...(format === undefined ? {} : { formats: [format] }),
        onWarning: ctx.warn,
      });
      io.err(
        `\nVerification for ${image} --\nThe following checks were performed on each of these signatures:\n${annotated ? '  - The specified annotations were verified.\n' : ''}  - The cosign claims were validated\n${ignoreTlog ? '' : '  - Existence of the claims in the transparency log was verified offline\n'}${keyless ? '  - The code-signing certificate was verified using trusted certificate authority certificates\n' : '  - The signatures were verified against the specified public key\n'}`,
      );
      const payloads = result.signatures.map((s) => {
        const payload = JSON.parse(new TextDecoder().decode(s.payload)) as unknown;
        // cosign adds the certificate's names to classic payloads only (bundles print the statement).
        return s.certificate !== undefined && s.format === 'simple-signing'
          ? withCertificateFields(payload, s.certificate)
          : payload;
      });
      if (!ctx.json) io.out(`${JSON.stringify(payloads)}\n`);
      return {
        image,
        digest: result.digest,
        signatures: result.signatures.map((s) => ({
          format: s.format,
          source: s.source,
          ...(s.certificate === undefined
            ? {}
            : { identityIndex: s.identityIndex, certificate: s.certificate }),
        })),
        payloads,
      };
    },
  });
}
