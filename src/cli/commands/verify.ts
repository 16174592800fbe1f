import { parseAnnotationFlags } from '../../payload/index.js';
import { verifyImage } from '../../sign/index.js';
import { outputFormat, parse, requireFlag, requireImages } from '../args.js';
import { commandContext, loadPublicKey, tlogOptions } from '../context.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign verify --key REF [-a key=value]... [--insecure-ignore-tlog | --trusted-root FILE] [--format simple-signing|bundle] [--signature-digest-algorithm sha256|sha384|sha512] IMAGE...
  Verifies each image's signatures with the public key (a PEM file, cosign.key, or awskms://…),
  checks the claims (digest, -a annotations), prints the verified payloads on stdout (JSON), and
  exits 1 when an image has no signature that verifies. Transparency-log evidence is checked offline
  against --trusted-root (trusted_root.json), or skipped with --insecure-ignore-tlog.`;

export async function verifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    annotations: { type: 'string', short: 'a', multiple: true },
    'insecure-ignore-tlog': { type: 'boolean' },
    'trusted-root': { type: 'string' },
    format: { type: 'string' },
    'signature-digest-algorithm': { type: 'string' },
  });
  const images = requireImages(positionals, 'verify');
  const digestAlgorithm = values['signature-digest-algorithm'];
  if (
    digestAlgorithm !== undefined &&
    digestAlgorithm !== 'sha256' &&
    digestAlgorithm !== 'sha384' &&
    digestAlgorithm !== 'sha512'
  )
    throw new UsageError(
      `--signature-digest-algorithm must be sha256, sha384 or sha512, not ${digestAlgorithm}`,
    );
  if (values.format !== undefined && values.format !== 'simple-signing' && values.format !== 'bundle')
    throw new UsageError(`--format must be simple-signing or bundle, not ${values.format}`);
  const tlog = tlogOptions(values, io);
  const ignoreTlog = tlog.ignoreTlog;
  if (ignoreTlog)
    io.err(
      'WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the signature.\n',
    );
  const keyRef = requireFlag(values.key, '--key');
  const annotations = parseAnnotationFlags(values.annotations ?? []);
  const ctx = commandContext(io, values, images);
  const json = outputFormat(values.output) === 'json';
  const report = [];
  try {
    const key = await loadPublicKey(keyRef, io, ctx.signal);
    for (const image of images) {
      const result = await verifyImage(image, {
        keys: [key],
        registry: ctx.registry,
        ...tlog,
        ...(digestAlgorithm === undefined ? {} : { digestAlgorithm }),
        ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
        ...(values.format === 'simple-signing' || values.format === 'bundle'
          ? { formats: [values.format] }
          : {}),
        ...(ctx.repository === undefined ? {} : { repository: ctx.repository }),
        signal: ctx.signal,
        onWarning: (message) => io.err(`WARNING: ${message}\n`),
      });
      io.err(
        `\nVerification for ${image} --\nThe following checks were performed on each of these signatures:\n  - The cosign claims were validated\n${ignoreTlog ? '' : '  - Existence of the claims in the transparency log was verified offline\n'}  - The signatures were verified against the specified public key\n`,
      );
      const payloads = result.signatures.map(
        (s) => JSON.parse(new TextDecoder().decode(s.payload)) as unknown,
      );
      if (json)
        report.push({
          image,
          digest: result.digest,
          signatures: result.signatures.map((s) => ({ format: s.format, source: s.source })),
          payloads,
        });
      else io.out(`${JSON.stringify(payloads)}\n`);
    }
  } finally {
    await ctx.close();
  }
  if (json) io.out(`${JSON.stringify(report)}\n`);
  return 0;
}
