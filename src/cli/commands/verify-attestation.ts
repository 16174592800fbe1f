/** `ocisign verify-attestation --key REF [--type TYPE] [--insecure-ignore-tlog | --trusted-root FILE] IMAGE...` */
import { verifyImageAttestations } from '../../verify/index.js';
import { parse, requireFlag, requireImages, TLOG_OPTIONS } from '../args.js';
import { loadPublicKey, tlogOptions } from '../context.js';
import { runImageCommand } from '../image-command.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign verify-attestation --key REF [--type TYPE] [--insecure-ignore-tlog | --trusted-root FILE] IMAGE...
  Verifies the image's attestations (DSSE over in-toto statements) with the public key and prints
  each verified statement as a JSON line; exits 1 when none of the requested type verifies.`;

export async function verifyAttestationCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    type: { type: 'string' },
    ...TLOG_OPTIONS,
  });
  const images = requireImages(positionals, 'verify-attestation');
  const tlog = tlogOptions(values, io);
  return runImageCommand(io, values, {
    images,
    key: requireFlag(values.key, '--key'),
    loadKey: loadPublicKey,
    each: async (image, publicKey, ctx) => {
      const verified = await verifyImageAttestations(image, {
        keys: [publicKey],
        ...ctx.registryOptions,
        ...tlog,
        ...(values.type === undefined ? {} : { predicateType: values.type }),
      });
      io.err(
        `\nVerification for ${image} --\n  - ${verified.length} attestation(s) verified against the specified public key\n`,
      );
      if (!ctx.json) for (const a of verified) io.out(`${JSON.stringify(a.statement)}\n`);
      return {
        image,
        attestations: verified.map((a) => ({
          format: a.format,
          predicateType: a.predicateType,
          statement: a.statement,
        })),
      };
    },
  });
}
