/**
 * Signing configs: parseSigningConfig reads the public-good configs and the double's, in object,
 * text and proto-name forms, and refuses what is not one with SigningConfigError naming the
 * member; a fuzz of edited configs ({@link FUZZ_RUNS} runs) only ever returns a config or throws
 * SigningConfigError. selectServices chooses as sigstore-go's SelectService(s): highest supported
 * API version, valid at the time, newest first, one per operator, then ALL / ANY / EXACT.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/base.js';
import { SigningConfigError } from '../../../src/errors/sigstore.js';
import {
  isSigningConfig,
  PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG,
  PUBLIC_GOOD_SIGNING_CONFIG,
  parseSigningConfig,
  SIGNING_CONFIG_MEDIA_TYPE,
  selectServices,
} from '../../../src/sigstore/index.js';
import { localSigningConfig } from '../../../src/testing/sigstore/signing-config.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../helpers/fuzz.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';

// biome-ignore lint/suspicious/noExplicitAny: documents under test are edited freely
type Json = any;

const JUNE_2026 = new Date('2026-06-01T00:00:00Z');

function service(
  url: string,
  majorApiVersion: number,
  start?: string,
  end?: string,
  operator = 'sigstore.dev',
) {
  return {
    url,
    majorApiVersion,
    validFor: { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) },
    operator,
  };
}

function config(members: Record<string, unknown>): Json {
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [],
    oidcUrls: [],
    rekorTlogUrls: [],
    tsaUrls: [],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
    ...members,
  };
}

function refusal(fn: () => unknown): SigningConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SigningConfigError) return error;
    throw error;
  }
  throw new Error('expected a SigningConfigError');
}

const DOUBLE = localSigningConfig({
  fulcioUrl: 'http://127.0.0.1:1',
  rekorUrl: 'http://127.0.0.1:1',
  rekorValidFrom: new Date('2026-05-01T00:00:01Z'),
  fulcioValidFrom: new Date('2026-05-01T00:00:00Z'),
  tsa: {
    url: 'http://127.0.0.1:1/api/v1/timestamp',
    majorApiVersion: 1,
    validFor: { start: '2026-05-01T00:00:00Z' },
    operator: 'ocisign-test',
  },
  rekorApi: 2,
});

describe('parseSigningConfig', () => {
  it('reads the public-good config as its TUF repository serves it', () => {
    const parsed = parseSigningConfig(PUBLIC_GOOD_SIGNING_CONFIG);
    expect(isSigningConfig(parsed)).toBe(true);
    expect(parsed.caUrls).toEqual([
      {
        url: 'https://fulcio.sigstore.dev',
        majorApiVersion: 1,
        validFor: { start: new Date('2022-04-13T20:06:15Z') },
        operator: 'sigstore.dev',
      },
    ]);
    expect(parsed.rekorTlogUrls.map((s) => [s.url, s.majorApiVersion])).toEqual([
      ['https://rekor.sigstore.dev', 1],
    ]);
    expect(parsed.tsaUrls.map((s) => s.url)).toEqual(['https://timestamp.sigstore.dev/api/v1/timestamp']);
    expect(parsed.rekorTlogConfig).toEqual({ selector: 'ANY', count: 0 });
    expect(Object.isFrozen(parsed.caUrls[0])).toBe(true);
    expect(parseSigningConfig(parsed)).toBe(parsed);
  });

  it('reads text, bytes and proto member names alike', () => {
    const text = JSON.stringify(PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG);
    const fromText = parseSigningConfig(text);
    expect(parseSigningConfig(new TextEncoder().encode(text))).toEqual(fromText);
    expect(fromText.rekorTlogUrls.map((s) => s.url)).toEqual([
      'https://log2025-1.rekor.sigstore.dev',
      'https://rekor.sigstore.dev',
    ]);
    const snake = parseSigningConfig(
      JSON.stringify({
        media_type: SIGNING_CONFIG_MEDIA_TYPE,
        ca_urls: [
          { url: 'https://ca.example', major_api_version: '1', valid_for: { start: '2024-01-01T00:00:00Z' } },
        ],
        rekor_tlog_config: { selector: 3, count: 2 },
      }),
    );
    expect(snake.caUrls[0]).toEqual({
      url: 'https://ca.example',
      majorApiVersion: 1,
      validFor: { start: new Date('2024-01-01T00:00:00Z') },
      operator: '',
    });
    expect(snake.rekorTlogConfig).toEqual({ selector: 'EXACT', count: 2 });
    expect(snake.tsaConfig).toBeUndefined();
  });

  it('refuses what is not a v0.2 signing config, naming the member', () => {
    expect(
      refusal(() =>
        parseSigningConfig({
          ...config({}),
          mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.1+json',
        }),
      ).message,
    ).toMatch(/mediaType must be/);
    expect(refusal(() => parseSigningConfig({ caUrls: [] })).message).toMatch(/mediaType/);
    expect(
      refusal(() => parseSigningConfig(config({ caUrls: [service('ftp://ca.example', 1)] }))).message,
    ).toBe('signingConfig.caUrls[0].url must be an http or https URL');
    expect(
      refusal(() => parseSigningConfig(config({ tsaUrls: [service('https://u:p@tsa.example', 1)] }))).message,
    ).toMatch(/credentials/);
    expect(refusal(() => parseSigningConfig(config({ caUrls: [{ majorApiVersion: 1 }] }))).message).toMatch(
      /url/,
    );
    expect(
      refusal(() => parseSigningConfig(config({ caUrls: [service('https://ca', -1)] }))).message,
    ).toMatch(/\/caUrls\/0\/majorApiVersion must be an unsigned 32-bit integer/);
    expect(
      refusal(() => parseSigningConfig(config({ caUrls: [service('https://ca', 2 ** 32)] }))).message,
    ).toMatch(/unsigned 32-bit/);
    expect(
      refusal(() => parseSigningConfig(config({ caUrls: [service('https://ca', 1.5)] }))).message,
    ).toMatch(/majorApiVersion/);
    expect(
      refusal(() =>
        parseSigningConfig(
          config({
            rekorTlogUrls: [service('https://r', 1, '2025-01-02T00:00:00Z', '2025-01-01T00:00:00Z')],
          }),
        ),
      ).message,
    ).toMatch(/rekorTlogUrls\[0\]\.validFor ends before it starts/);
    expect(
      refusal(() => parseSigningConfig(config({ tsaUrls: [service('https://t', 1, 'yesterday')] }))).message,
    ).toMatch(/\/tsaUrls\/0\/validFor\/start must be an RFC 3339 timestamp/);
    expect(refusal(() => parseSigningConfig(config({ tsaConfig: { selector: 'SOME' } }))).message).toMatch(
      /selector/,
    );
    expect(
      refusal(() =>
        parseSigningConfig(config({ caUrls: Array.from({ length: 65 }, () => service('https://ca', 1)) })),
      ).message,
    ).toMatch(/at most 64/);
    expect(refusal(() => parseSigningConfig('{"mediaType":"x","mediaType":"y"}')).message).toMatch(
      /repeated/,
    );
    expect(refusal(() => parseSigningConfig('not json')).message).toMatch(/not JSON/);
    for (const input of [null, 7, [], true])
      expect(refusal(() => parseSigningConfig(input))).toBeInstanceOf(SigningConfigError);
  });

  it(
    `on ${FUZZ_RUNS} edited configs, as objects and as text, returns a config or throws SigningConfigError`,
    () => {
      const documents = [PUBLIC_GOOD_SIGNING_CONFIG, PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG, DOUBLE].map((d) =>
        JSON.parse(JSON.stringify(d)),
      );
      fc.assert(
        fc.property(mutatedDocument(documents), fc.boolean(), (mutated, asText) => {
          try {
            const parsed = parseSigningConfig(asText ? (JSON.stringify(mutated) ?? '') : mutated);
            // What parses must select, or refuse typed.
            selectServices(parsed, { now: JUNE_2026 });
          } catch (error) {
            if (!(error instanceof SigningConfigError)) throw error;
          }
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('selectServices', () => {
  it('picks the public-good services (Rekor v1 by default; v2 from the opt-in config once valid)', () => {
    expect(selectServices(PUBLIC_GOOD_SIGNING_CONFIG, { now: JUNE_2026 })).toEqual({
      fulcioUrl: 'https://fulcio.sigstore.dev',
      rekor: [{ url: 'https://rekor.sigstore.dev', apiVersion: 1 }],
      tsaUrls: ['https://timestamp.sigstore.dev/api/v1/timestamp'],
    });
    expect(selectServices(PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG, { now: JUNE_2026 }).rekor).toEqual([
      { url: 'https://log2025-1.rekor.sigstore.dev', apiVersion: 2 },
    ]);
    // Before its validFor.start the v2 log is not chosen.
    expect(
      selectServices(PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG, { now: new Date('2025-12-31T23:59:59Z') }).rekor,
    ).toEqual([{ url: 'https://rekor.sigstore.dev', apiVersion: 1 }]);
    // A client that cannot write v2 entries keeps to v1.
    expect(
      selectServices(PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG, { now: JUNE_2026, rekorApiVersions: [1] }).rekor,
    ).toEqual([{ url: 'https://rekor.sigstore.dev', apiVersion: 1 }]);
  });

  it('reads the double’s config and picks its v2 log', () => {
    const chosen = selectServices(DOUBLE, { now: JUNE_2026 });
    expect(chosen.rekor).toEqual([{ url: 'http://127.0.0.1:1', apiVersion: 2 }]);
    expect(chosen.fulcioUrl).toBe('http://127.0.0.1:1');
  });

  it('takes the highest version valid now, newest first, and skips ended or future ones', () => {
    const chosen = selectServices(
      config({
        caUrls: [
          service('https://ca-old', 1, '2020-01-01T00:00:00Z'),
          service('https://ca-new', 1, '2025-01-01T00:00:00Z'),
          service('https://ca-future', 1, '2027-01-01T00:00:00Z'),
          service('https://ca-v2', 2, '2025-06-01T00:00:00Z'),
        ],
        tsaUrls: [
          service('https://tsa-ended', 1, '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
          service('https://tsa-open', 1),
        ],
      }),
      { now: JUNE_2026 },
    );
    expect(chosen.fulcioUrl).toBe('https://ca-new');
    expect(chosen.tsaUrls).toEqual(['https://tsa-open']);
    expect(chosen.rekor).toEqual([]);
    // validFor ends are inclusive.
    const atEnd = selectServices(
      config({ tsaUrls: [service('https://t', 1, undefined, '2026-06-01T00:00:00Z')] }),
      { now: JUNE_2026 },
    );
    expect(atEnd.tsaUrls).toEqual(['https://t']);
  });

  it('ALL takes the newest of each operator; EXACT takes count of them', () => {
    const logs = [
      service('https://a-1', 1, '2024-01-01T00:00:00Z', undefined, 'a.example'),
      service('https://a-2', 1, '2025-01-01T00:00:00Z', undefined, 'a.example'),
      service('https://b-1', 1, '2024-06-01T00:00:00Z', undefined, 'b.example'),
      service('https://c-v2', 2, '2025-01-01T00:00:00Z', undefined, 'c.example'),
    ];
    const all = selectServices(config({ rekorTlogUrls: logs, rekorTlogConfig: { selector: 'ALL' } }), {
      now: JUNE_2026,
      rekorApiVersions: [1],
    });
    expect(all.rekor.map((r) => r.url)).toEqual(['https://a-2', 'https://b-1']);
    const exact = selectServices(
      config({ rekorTlogUrls: logs, rekorTlogConfig: { selector: 'EXACT', count: 1 } }),
      { now: JUNE_2026, rekorApiVersions: [1] },
    );
    expect(exact.rekor.map((r) => r.url)).toEqual(['https://a-2']);
    // With v2 allowed, the v2 log alone is of the highest version: versions are never mixed.
    const mixed = selectServices(config({ rekorTlogUrls: logs, rekorTlogConfig: { selector: 'ALL' } }), {
      now: JUNE_2026,
    });
    expect(mixed.rekor).toEqual([{ url: 'https://c-v2', apiVersion: 2 }]);
  });

  it('refuses an undefined selector, an impossible EXACT, and lists with nothing usable', () => {
    const tsa = [service('https://t', 1)];
    expect(refusal(() => selectServices(config({ tsaUrls: tsa, tsaConfig: undefined }))).message).toMatch(
      /selector is undefined/,
    );
    expect(
      refusal(() =>
        selectServices(config({ tsaUrls: tsa, tsaConfig: { selector: 'SERVICE_SELECTOR_UNDEFINED' } })),
      ).message,
    ).toMatch(/undefined/);
    expect(
      refusal(() => selectServices(config({ tsaUrls: tsa, tsaConfig: { selector: 'EXACT' } }))).message,
    ).toMatch(/count above 0/);
    expect(
      refusal(() => selectServices(config({ tsaUrls: tsa, tsaConfig: { selector: 'EXACT', count: 2 } })))
        .message,
    ).toMatch(/exactly 2/);
    expect(
      refusal(() =>
        selectServices(config({ caUrls: [service('https://ca', 1, '2030-01-01T00:00:00Z')] }), {
          now: JUNE_2026,
        }),
      ).message,
    ).toMatch(/Fulcio CAs, but none with API version 1 valid at 2026-06-01/);
    expect(
      refusal(() => selectServices(config({ rekorTlogUrls: [service('https://r', 3)] }))).message,
    ).toMatch(/Rekor logs/);
    // An empty list selects nothing, whatever its selector.
    expect(selectServices(config({ tsaConfig: undefined }))).toEqual({
      fulcioUrl: undefined,
      rekor: [],
      tsaUrls: [],
    });
  });

  it('refuses options that are not ones', () => {
    expect(() => selectServices(PUBLIC_GOOD_SIGNING_CONFIG, { now: new Date(Number.NaN) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => selectServices(PUBLIC_GOOD_SIGNING_CONFIG, { rekorApiVersions: [3 as 1] })).toThrow(
      InvalidArgumentError,
    );
    expect(() => selectServices(PUBLIC_GOOD_SIGNING_CONFIG, { rekorApiVersions: [] })).toThrow(
      InvalidArgumentError,
    );
  });
});
