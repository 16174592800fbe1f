/** Payload layer: encode + parse rates for the documents cosign signs, next to JSON.stringify/parse. */
import {
  appendSignatureLayer,
  buildSignatureImage,
  encodeGoJson,
  encodeSimpleSigningPayload,
  parseDsseEnvelope,
  parseSimpleSigningPayload,
  preAuthEncoding,
  signatureLayerDescriptor,
} from '../src/payload/index.js';
import { type BenchSection, formatRate, measure, table } from './harness.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);

export async function run(): Promise<BenchSection> {
  const digest = `sha256:${'a'.repeat(64)}`;
  const annotations = {
    env: 'prod',
    team: 'payments',
    build: '2026-11-22T10:00:00Z',
    url: 'https://ci.example/job/1?a=1&b=2',
  };
  const input = { dockerReference: 'ghcr.io/acme/app', manifestDigest: digest, annotations };
  const payload = encodeSimpleSigningPayload(input);
  const plain = {
    critical: {
      identity: { 'docker-reference': 'ghcr.io/acme/app' },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: annotations,
  };
  const envelope = new TextEncoder().encode(
    JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(payload).toString('base64'),
      signatures: [{ sig: 'MEUCIQ' }],
    }),
  );
  const layers = Array.from({ length: 10 }, (_, i) =>
    signatureLayerDescriptor({
      payload: encodeSimpleSigningPayload({ ...input, annotations: { i: String(i) } }),
      signature: 'MEUCIQ',
    }),
  );
  const nine = buildSignatureImage(layers.slice(0, 9));

  const rows = [
    [
      'encodeSimpleSigningPayload + parseSimpleSigningPayload',
      await measure('ss', () => parseSimpleSigningPayload(encodeSimpleSigningPayload(input)), SECONDS),
    ],
    [
      'baseline: JSON.stringify + JSON.parse of the same object',
      await measure('json', () => JSON.parse(JSON.stringify(plain)), SECONDS),
    ],
    [
      'encodeGoJson of the same object (sorted maps, Go escapes)',
      await measure('go', () => encodeGoJson(plain), SECONDS),
    ],
    [
      'DSSE: parse envelope + PAE',
      await measure(
        'dsse',
        () => {
          const e = parseDsseEnvelope(envelope);
          return preAuthEncoding(e.payloadType, e.payload);
        },
        SECONDS,
      ),
    ],
    [
      'append a 10th layer to a .sig image (config + manifest)',
      await measure(
        'append',
        () =>
          appendSignatureLayer(
            { manifest: nine.manifestValue, config: nine.config },
            layers[9] as (typeof layers)[number],
          ),
        SECONDS,
      ),
    ],
  ] as const;
  return {
    title: 'Payload: encode and parse',
    markdown: [
      table(
        ['operation', 'ops/s'],
        rows.map(([name, m]) => [name, formatRate(m.opsPerSecond)]),
      ),
      '',
      'Go-compatible JSON costs more than `JSON.stringify` (UTF-8 key sorting, escapes); at these rates it is never the bottleneck of a signature that costs a registry round trip.',
    ].join('\n'),
  };
}
