/**
 * The config blob of a cosign signature image — not `{}`, but go-containerregistry's image config
 * with one `diff_ids` and `history` entry per layer — encoded in ggcr's ConfigFile field order, and
 * an existing one read back (untrusted bytes) into the fields ggcr keeps when it re-marshals it.
 *
 * Deliberately not the manifest or the layers (`signature-image.ts`, `signature-layer.ts`), and not
 * a general image config: only what survives ggcr's ConfigFile struct.
 */

import { PayloadFormatError } from '../errors/payload.js';
import { utf8 } from '../internal/bytes.js';
import {
  array,
  boolean,
  object,
  optionalOrNull,
  readShape,
  record,
  string,
  unknownValue,
} from '../internal/shape.js';
import { encodeGoJson, goStruct } from './go-json.js';
import { readJsonDocument } from './json-object.js';

/** Go's zero `time.Time`, which ggcr writes for unset timestamps. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One `history` entry of a signature image's config (one per signature layer). */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** The parts of an image config that survive ggcr's re-marshal through its ConfigFile struct. */
export interface SignatureConfig {
  readonly architecture: string;
  readonly author?: string;
  readonly created: string;
  readonly history: readonly HistoryEntry[];
  readonly os: string;
  readonly diffIds: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
  readonly variant?: string;
  readonly osVersion?: string;
}

/** Encodes a config blob in ggcr's ConfigFile field order. */
export function encodeSignatureConfig(config: SignatureConfig): Uint8Array {
  return utf8(
    encodeGoJson(
      goStruct([
        ['architecture', config.architecture],
        ['author', config.author || undefined],
        ['created', config.created],
        [
          'history',
          config.history.length === 0
            ? undefined
            : config.history.map((h) =>
                goStruct([
                  ['created', h.created ?? ZERO_TIME],
                  ['created_by', h.created_by || undefined],
                  ['author', h.author || undefined],
                  ['comment', h.comment || undefined],
                  ['empty_layer', h.empty_layer || undefined],
                ]),
              ),
        ],
        ['os', config.os],
        [
          'rootfs',
          goStruct([
            ['type', 'layers'],
            ['diff_ids', config.diffIds],
          ]),
        ],
        ['config', config.config],
        ['os.version', config.osVersion || undefined],
        ['variant', config.variant || undefined],
      ]),
    ),
  );
}

// Go's ConfigFile decoding reads `null` as empty, so every member here may be null (read as absent).
const historyShape = object({
  created: optionalOrNull(string),
  created_by: optionalOrNull(string),
  author: optionalOrNull(string),
  comment: optionalOrNull(string),
  empty_layer: optionalOrNull(boolean),
});

/** The members of ggcr's `ConfigFile` that a signature image's config keeps (others are dropped). */
const signatureConfigShape = object(
  {
    architecture: optionalOrNull(string),
    author: optionalOrNull(string),
    created: optionalOrNull(string),
    history: optionalOrNull(array(historyShape)),
    os: optionalOrNull(string),
    rootfs: optionalOrNull(object({ diff_ids: optionalOrNull(array(string)) })),
    config: optionalOrNull(record(unknownValue)),
    variant: optionalOrNull(string),
    'os.version': optionalOrNull(string),
  },
  'an image config object',
);

/** Reads an existing signature image's config (untrusted bytes) into the fields ggcr keeps. */
export function parseSignatureConfig(bytes: Uint8Array): SignatureConfig {
  const { value } = readJsonDocument(bytes, 'Signature image config');
  const doc = readShape(
    value,
    signatureConfigShape,
    'Signature image config',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  return {
    architecture: doc.architecture ?? '',
    author: doc.author ?? '',
    created: doc.created ?? ZERO_TIME,
    // Only a cast: object() never writes an absent (or null) member.
    history: (doc.history ?? []) as HistoryEntry[],
    os: doc.os ?? '',
    diffIds: doc.rootfs?.diff_ids ?? [],
    config: doc.config ?? {},
    variant: doc.variant ?? '',
    osVersion: doc['os.version'] ?? '',
  };
}
