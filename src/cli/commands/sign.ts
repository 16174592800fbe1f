/** `ocisign sign --key REF [-a key=value]... [--format …] [--recursive] IMAGE...` */
import { parseAnnotationFlags } from '../../payload/index.js';
import { signImage } from '../../sign/index.js';
import { outputFormat, parse, requireFlag, requireImages } from '../args.js';
import { commandContext, loadSigner } from '../context.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign sign --key REF [-a key=value]... [--format simple-signing|bundle|both] [--recursive] [--tlog-upload=false] IMAGE...
  Signs each image by digest (a tag is resolved first) and pushes the signature: the classic .sig
  image (default), a Sigstore bundle referrer (cosign 3), or both. COSIGN_REPOSITORY stores
  signatures elsewhere. Nothing is uploaded to Rekor.`;

export async function signCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    annotations: { type: 'string', short: 'a', multiple: true },
    format: { type: 'string' },
    recursive: { type: 'boolean', short: 'r' },
    'tlog-upload': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
  });
  const images = requireImages(positionals, 'sign');
  const format = values.format ?? 'simple-signing';
  if (format !== 'simple-signing' && format !== 'bundle' && format !== 'both')
    throw new UsageError(`--format must be simple-signing, bundle or both, not ${format}`);
  if (values['tlog-upload'] !== undefined && values['tlog-upload'] !== 'false')
    throw new UsageError(
      'ocisign does not upload to a transparency log; only --tlog-upload=false is accepted',
    );
  const annotations = parseAnnotationFlags(values.annotations ?? []);
  const keyRef = requireFlag(values.key, '--key');
  const ctx = commandContext(io, values, images);
  const results = [];
  try {
    const signer = await loadSigner(keyRef, io, ctx.signal);
    for (const image of images) {
      const result = await signImage(image, {
        signer,
        registry: ctx.registry,
        format,
        annotations,
        recursive: values.recursive === true,
        ...(ctx.repository === undefined ? {} : { repository: ctx.repository }),
        signal: ctx.signal,
        onWarning: (message) => io.err(`WARNING: ${message}\n`),
      });
      for (const s of result.signatures)
        io.err(
          `${s.duplicate ? 'Signature already present at' : 'Pushing signature to'}: ${s.location ?? '(not pushed)'}\n`,
        );
      results.push({
        image,
        digest: result.digest,
        signatures: result.signatures.map((s) => ({
          format: s.format,
          location: s.location,
          duplicate: s.duplicate === true,
        })),
      });
    }
  } finally {
    await ctx.close();
  }
  if (outputFormat(values.output) === 'json') io.out(`${JSON.stringify(results)}\n`);
  return 0;
}
