/** `ocisign verify --key REF [-a key=value]... [--insecure-ignore-tlog | --trusted-root FILE] IMAGE...` */
import { verifyImage } from '../../verify/index.js';
import { ANNOTATION_OPTIONS, parseAnnotationFlags } from '../annotation-flags.js';
import { oneOf, parse, requireFlag, requireImages, TLOG_OPTIONS } from '../args.js';
import { loadPublicKey, tlogOptions } from '../context.js';
import { runImageCommand } from '../image-command.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign verify --key REF [-a key=value]... [--insecure-ignore-tlog | --trusted-root FILE] [--format simple-signing|bundle] [--signature-digest-algorithm sha256|sha384|sha512] IMAGE...
  Verifies each image's signatures with the public key (a PEM file, cosign.key, or awskms://…),
  checks the claims (digest, -a annotations), prints the verified payloads on stdout (JSON), and
  exits 1 when an image has no signature that verifies. Transparency-log evidence is checked offline
  against --trusted-root (trusted_root.json), or skipped with --insecure-ignore-tlog.`;

export async function verifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    ...ANNOTATION_OPTIONS,
    ...TLOG_OPTIONS,
    format: { type: 'string' },
    'signature-digest-algorithm': { type: 'string' },
  });
  const images = requireImages(positionals, 'verify');
  const digestAlgorithm = oneOf(values['signature-digest-algorithm'], '--signature-digest-algorithm', [
    'sha256',
    'sha384',
    'sha512',
  ]);
  const format = oneOf(values.format, '--format', ['simple-signing', 'bundle']);
  const tlog = tlogOptions(values, io);
  const ignoreTlog = tlog.ignoreTlog;
  if (ignoreTlog)
    io.err(
      'WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the signature.\n',
    );
  const key = requireFlag(values.key, '--key');
  const annotations = parseAnnotationFlags(values.annotations ?? []);
  return runImageCommand(io, values, {
    images,
    key,
    loadKey: loadPublicKey,
    each: async (image, publicKey, ctx) => {
      const result = await verifyImage(image, {
        keys: [publicKey],
        ...ctx.registryOptions,
        ...tlog,
        ...(digestAlgorithm === undefined ? {} : { digestAlgorithm }),
        ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
        ...(format === undefined ? {} : { formats: [format] }),
        onWarning: ctx.warn,
      });
      io.err(
        `\nVerification for ${image} --\nThe following checks were performed on each of these signatures:\n  - The cosign claims were validated\n${ignoreTlog ? '' : '  - Existence of the claims in the transparency log was verified offline\n'}  - The signatures were verified against the specified public key\n`,
      );
      const payloads = result.signatures.map(
        (s) => JSON.parse(new TextDecoder().decode(s.payload)) as unknown,
      );
      if (!ctx.json) io.out(`${JSON.stringify(payloads)}\n`);
      return {
        image,
        digest: result.digest,
        signatures: result.signatures.map((s) => ({ format: s.format, source: s.source })),
        payloads,
      };
    },
  });
}
