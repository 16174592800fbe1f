/** `ocisign verify-attestation (--key REF | --certificate-identity[-regexp] … --certificate-oidc-issuer[-regexp] …) [--type TYPE] IMAGE...` */
import { verifyImageAttestations } from '../../verify/index.js';
import { parse, requireImages, TLOG_OPTIONS } from '../args.js';
import { CERTIFICATE_OPTIONS } from '../certificate-flags.js';
import { loadPublicKey } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { runImageCommand } from '../image-command.js';
import type { CliIo } from '../io.js';
import { legacyRefusal, verifyTrust } from '../trust-flags.js';

export const usage = `ocisign verify-attestation (--key REF | --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y) [--type TYPE] [--insecure-ignore-tlog | --trusted-root FILE] IMAGE...
  Verifies the image's attestations (DSSE over in-toto statements) with the public key, or keyless
  (Sigstore bundle attestations; the same --certificate-* flags as verify, regexps UNANCHORED), and
  prints each verified statement as a JSON line; exits 1 when none of the requested type verifies.`;

export async function verifyAttestationCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    type: { type: 'string' },
    ...TLOG_OPTIONS,
    ...CERTIFICATE_OPTIONS,
  });
  const images = requireImages(positionals, 'verify-attestation');
  // cosign uses legacy material on classic .att layers only, which ocisign does not verify keyless.
  const trust = verifyTrust(values, io, (legacy) => {
    throw new UsageError(
      `${legacyRefusal(legacy)} (ocisign verifies keyless attestations in Sigstore bundles only)`,
    );
  });
  if (trust.options.ignoreTlog)
    io.err(
      'WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the attestation.\n',
    );
  for (const flag of trust.ignored)
    io.err(`WARNING: ${flag} is ignored with --key (cosign checks it only on certificates)\n`);
  const keyless = trust.key === undefined;
  return runImageCommand(io, values, {
    images,
    loadKey: async (cliIo, signal) =>
      trust.key === undefined ? [] : [await loadPublicKey(trust.key, cliIo, signal)],
    each: async (image, keys, ctx) => {
      const verified = await verifyImageAttestations(image, {
        ...(keys.length === 0 ? {} : { keys }),
        ...ctx.registryOptions,
        ...trust.options,
        ...(values.type === undefined ? {} : { predicateType: values.type }),
        onWarning: ctx.warn,
      });
      io.err(
        `\nVerification for ${image} --\n  - ${verified.length} attestation(s) verified ${keyless ? 'with a code-signing certificate from the trusted certificate authorities' : 'against the specified public key'}\n`,
      );
      if (!ctx.json) for (const a of verified) io.out(`${JSON.stringify(a.statement)}\n`);
      return {
        image,
        attestations: verified.map((a) => ({
          format: a.format,
          predicateType: a.predicateType,
          statement: a.statement,
          ...(a.certificate === undefined
            ? {}
            : { identityIndex: a.identityIndex, certificate: a.certificate }),
        })),
      };
    },
  });
}
