/**
 * The files `sign` writes (--output-signature, --output-payload, --bundle): cosign's rules on when
 * they are needed or ignored, and their content, one file per digest under --recursive.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/exit-codes.js';
import type { CliIo } from '../../../src/cli/io.js';
import { checkSignOutputs, writeSignOutputs } from '../../../src/cli/sign-output.js';
import type { SignedArtifact } from '../../../src/sign/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-sign-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ONE = ['r.test/a:1'];

describe('checkSignOutputs', () => {
  it('needs --bundle for a bundle that is not uploaded (cosign’s rule)', () => {
    for (const format of ['bundle', 'both'] as const)
      expect(() => checkSignOutputs({}, { format, upload: false, recursive: false, images: ONE })).toThrow(
        new UsageError(
          'must enable upload to the OCI registry or specify a local --bundle path with --new-bundle-format',
        ),
      );
    expect(
      checkSignOutputs(
        { bundle: 'b.json' },
        { format: 'bundle', upload: false, recursive: false, images: ONE },
      ),
    ).toEqual([]);
    expect(
      checkSignOutputs({}, { format: 'simple-signing', upload: false, recursive: false, images: ONE }),
    ).toEqual([]);
  });

  it('refuses --bundle for classic signatures only, and output files for several images', () => {
    expect(() =>
      checkSignOutputs(
        { bundle: 'b.json' },
        { format: 'simple-signing', upload: true, recursive: false, images: ONE },
      ),
    ).toThrow(/does not write cosign’s legacy bundle file/);
    expect(() =>
      checkSignOutputs(
        { 'output-signature': 's' },
        { format: 'simple-signing', upload: true, recursive: false, images: [...ONE, 'r.test/b:1'] },
      ),
    ).toThrow(/sign one image at a time/);
  });

  it('warns that the classic files are ignored for bundles, as cosign does', () => {
    expect(
      checkSignOutputs(
        { 'output-signature': 's', 'output-payload': 'p', bundle: 'b' },
        { format: 'bundle', upload: true, recursive: false, images: ONE },
      ),
    ).toEqual([
      '--output-signature is ignored with --format bundle (the bundle holds the signature)',
      '--output-payload is ignored with --format bundle (the bundle holds the signature)',
    ]);
  });
});

describe('writeSignOutputs', () => {
  const enc = (text: string) => new TextEncoder().encode(text);
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const classic = (d: string, n: number): SignedArtifact => ({
    digest: d,
    format: 'simple-signing',
    payload: enc(`{"payload":${n}}`),
    signature: `c2ln${n}`,
  });
  const bundle = (d: string): SignedArtifact => ({
    digest: d,
    format: 'bundle',
    payload: enc('{}'),
    signature: 'c2ln',
    bundle: enc('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'),
  });

  it('writes the signature and payload (one a line) and the bundle, readable by the user only', () => {
    const lines: string[] = [];
    const io: CliIo = { out: () => {}, err: (t) => lines.push(t), env: {}, cwd: dir };
    const d = digest('a');
    writeSignOutputs(
      { 'output-signature': 'sig', 'output-payload': 'payload', bundle: 'bundle.json' },
      io,
      { digest: d, signatures: [classic(d, 1), classic(d, 2), bundle(d)] },
      false,
    );
    expect(readFileSync(join(dir, 'sig'), 'utf8')).toBe('c2ln1\nc2ln2');
    expect(readFileSync(join(dir, 'payload'), 'utf8')).toBe('{"payload":1}\n{"payload":2}');
    expect(JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')).mediaType).toMatch(/bundle/);
    expect(statSync(join(dir, 'sig')).mode & 0o777).toBe(0o600);
    expect(lines).toEqual(['Wrote bundle to file bundle.json\n']);
  });

  it('under --recursive, one file per digest (NAME-sha256-<hex>)', () => {
    const io: CliIo = { out: () => {}, err: () => {}, env: {}, cwd: dir };
    const [index, child] = [digest('b'), digest('c')];
    writeSignOutputs(
      { 'output-signature': 'rsig' },
      io,
      { digest: index, signatures: [classic(index, 3), classic(child, 4)] },
      true,
    );
    expect(readFileSync(join(dir, `rsig-sha256-${'b'.repeat(64)}`), 'utf8')).toBe('c2ln3');
    expect(readFileSync(join(dir, `rsig-sha256-${'c'.repeat(64)}`), 'utf8')).toBe('c2ln4');
  });
});
