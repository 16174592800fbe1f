/** `ocisign sign --key REF [-a key=value]... [--format …] [--recursive] IMAGE...` */
import { signImage } from '../../sign/index.js';
import { ANNOTATION_OPTIONS, parseAnnotationFlags } from '../annotation-flags.js';
import { oneOf, parse, refuseTlogUpload, requireFlag, requireImages, UPLOAD_OPTIONS } from '../args.js';
import { loadSigner } from '../context.js';
import { runImageCommand } from '../image-command.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign sign --key REF [-a key=value]... [--format simple-signing|bundle|both] [--recursive] [--tlog-upload=false] IMAGE...
  Signs each image by digest (a tag is resolved first) and pushes the signature: the classic .sig
  image (default), a Sigstore bundle referrer (cosign 3), or both. COSIGN_REPOSITORY stores
  signatures elsewhere. Nothing is uploaded to Rekor.`;

export async function signCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    ...ANNOTATION_OPTIONS,
    format: { type: 'string' },
    recursive: { type: 'boolean', short: 'r' },
    ...UPLOAD_OPTIONS,
  });
  const images = requireImages(positionals, 'sign');
  const format = oneOf(values.format, '--format', ['simple-signing', 'bundle', 'both']) ?? 'simple-signing';
  refuseTlogUpload(values['tlog-upload']);
  const annotations = parseAnnotationFlags(values.annotations ?? []);
  const key = requireFlag(values.key, '--key');
  return runImageCommand(io, values, {
    images,
    loadKey: (io, signal) => loadSigner(key, io, signal),
    each: async (image, signer, ctx) => {
      const result = await signImage(image, {
        signer,
        ...ctx.registryOptions,
        format,
        annotations,
        recursive: values.recursive === true,
        onWarning: ctx.warn,
      });
      for (const s of result.signatures)
        io.err(
          `${s.duplicate ? 'Signature already present at' : 'Pushing signature to'}: ${s.location ?? '(not pushed)'}\n`,
        );
      return {
        image,
        digest: result.digest,
        signatures: result.signatures.map((s) => ({
          format: s.format,
          location: s.location,
          duplicate: s.duplicate === true,
        })),
      };
    },
  });
}
