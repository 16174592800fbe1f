/** Every example under examples/ runs against the built package and says what it promises. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
/** The real keyless signature verify-keyless.ts reads: third-party data beside the repository. */
const KEYLESS_VECTORS = resolve(ROOT, '..', 'shared', 'vectors', 'keyless', 'classic-github-actions');
const examples = readdirSync(resolve(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));

/** A line each example must print, proving it did its job rather than merely exiting. */
const EXPECTED: Record<string, RegExp> = {
  'keys.ts': /signature verifies: true\ntampered payload verifies: false/,
  'demo.ts':
    /signed:v1: verified \(1 signature\)\n.*unsigned:v1: refused \(none-found\)[\s\S]*signed pod: admitted, image pinned to .*demo\/signed:v1@sha256:[0-9a-f]{64}\n {3}unsigned pod: denied — check-image: .*failed to verify image[\s\S]*The signed pod was admitted with its digest pinned; the unsigned pod was denied\./,
  'kms-aws.ts': /KMS signature \(\d+ bytes\) verifies: true/,
  'payload.ts': /classic signature verifies: true[\s\S]*bundle signature verifies: true/,
  'sign-verify.ts': /signed sha256:[0-9a-f]{64} in 2 formats\nverified: bundle\nwith another key: wrong-key/,
  'admission-webhook.ts':
    /signed pod: allowed, image pinned to sha256:[0-9a-f]{64}\nunsigned pod: denied: check-image: .*failed to verify image .*no matching signatures.*\nvalidating webhook on the pinned pod: allowed, patch: none/,
  'ci-verify.ts':
    /PASS .*acme\/app:1\.2\nPASS .*\nFAIL .*acme\/worker:1\.2: failed to verify image[\s\S]*exit codes: 0 for the signed release, 1 with the unsigned worker/,
  'hostile-input.ts':
    /trickling registry: RegistryTimeoutError \(REGISTRY_TIMEOUT\)\nhanging registry: OperationTimeoutError \(TIMEOUT\)\nImageValidatingPolicy: PolicyUnsupportedError \(POLICY_UNSUPPORTED\)\nmixed stream: 1 policy, 1 warning/,
  'verify-offline.ts':
    /discovered 1 bundle candidate\(s\) for sha256:[0-9a-f]{64}\nregistry stopped; judged offline: verified \(bundle, key 0\)\nwith another key: wrong-key/,
  'trusted-root.ts':
    /public-good: 2 CAs, 2 Rekor logs, 2 CT logs, 1 TSA\n[\s\S]*private root: 1 CA \(2 certificates\), 1 Rekor log [0-9a-f]{16}… \(SHA-256 of its key\), trusted from 1970-01-01T00:00:00\.000Z\ntrust material ready: 1 CA, 1 Rekor log/,
  // Without ../shared it says plainly that it did not run (and exits 1 under OCISIGN_REQUIRE_VECTORS=1).
  'verify-keyless.ts': existsSync(KEYLESS_VECTORS)
    ? /verified keyless: https:\/\/github\.com\/salrashid123\/go-bazel-github-workflow\/\.github\/workflows\/release\.yaml@refs\/tags\/v0\.0\.30\n {2}issuer https:\/\/token\.actions\.githubusercontent\.com, workflow "Release" at refs\/tags\/v0\.0\.30\nanother repository: identity-mismatch/
    : /not run: the real keyless signature is not here/,
  'sigstore-local.ts':
    /verified keyless: https:\/\/github\.com\/acme\/app\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.0\n {2}logged at index \d+, timestamped by the local TSA\nanother repository: identity-mismatch/,
  'sign-keyless.ts':
    /signed sha256:[0-9a-f]{64} keyless: Rekor v2 index \d+, timestamped \d{4}-[\d-]+T[\d:.]+Z\nverified: bundle signed by the release workflow\nanother workflow: identity-mismatch/,
  'registry.ts':
    /resolved v1 -> sha256:[0-9a-f]{64} in 1 request\(s\)\nlayer: hello, layer\nreferrers of v1: 1/,
};

function run(file: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'examples', file)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, COSIGN_PASSWORD: 'example' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('examples', () => {
  it('are all covered by an expectation', () => {
    for (const file of examples)
      expect(Object.keys(EXPECTED), `add an expectation for examples/${file}`).toContain(file);
  });

  it.each(examples)('%s runs and prints its result', (file) => {
    const expected = EXPECTED[file];
    expect(run(file)).toMatch(expected ?? /$^/);
  });
});
