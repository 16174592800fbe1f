/**
 * PEM as Go's `encoding/pem` reads and writes it, because cosign keys are Go PEM.
 *
 * Decoding follows `pem.Decode`: text before the first `-----BEGIN ` is skipped, a block whose body or
 * END line is malformed is passed over in favour of the next one, body whitespace is ignored, and
 * `Key: Value` header lines are collected. Encoding writes 64-character lines and a trailing newline.
 * Only what keys and certificate chains need: the first good block, or every good block in order; no
 * streaming.
 */
import { fromBase64, fromUtf8, toBase64 } from '../internal/bytes.js';

export interface PemBlock {
  /** The text between `-----BEGIN ` and `-----`, e.g. `PUBLIC KEY`. */
  readonly type: string;
  /** RFC 1421 headers such as `Proc-Type` (legacy OpenSSL encryption); empty for modern keys. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: Uint8Array;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';

/** Splits at the first `\n`, trimming trailing spaces, tabs and `\r` from the line (Go's `getLine`). */
function getLine(text: string): [line: string, rest: string] {
  const i = text.indexOf('\n');
  const line = i < 0 ? text : text.slice(0, i);
  const rest = i < 0 ? '' : text.slice(i + 1);
  return [line.replace(/[ \t\r]+$/, ''), rest];
}

/** Is this input PEM text rather than DER? (Go decides by trying `pem.Decode`; we look for its marker.) */
export function looksLikePem(input: string | Uint8Array): boolean {
  const text =
    typeof input === 'string' ? input : fromUtf8(input.subarray(0, Math.min(input.length, 1 << 16)));
  return text.includes(BEGIN);
}

/** Returns the first well-formed PEM block, or `undefined` when there is none (Go returns nil). */
export function decodeFirstPemBlock(input: string | Uint8Array): PemBlock | undefined {
  return decodeNext(typeof input === 'string' ? input : fromUtf8(input))?.block;
}

/**
 * Every well-formed PEM block, in order: what a loop over Go's `pem.Decode` finds (as cosign's
 * `cryptoutils.UnmarshalCertificatesFromPEM` reads a certificate chain). Malformed blocks are
 * passed over, as `pem.Decode` passes over them.
 */
export function decodePemBlocks(input: string | Uint8Array): PemBlock[] {
  const blocks: PemBlock[] = [];
  let next = decodeNext(typeof input === 'string' ? input : fromUtf8(input));
  while (next !== undefined) {
    blocks.push(next.block);
    next = decodeNext(next.rest);
  }
  return blocks;
}

/** `pem.Decode`: the first well-formed block and the text after its END line. */
function decodeNext(text: string): { block: PemBlock; rest: string } | undefined {
  let rest = text;
  for (;;) {
    if (rest.startsWith(BEGIN)) {
      rest = rest.slice(BEGIN.length);
    } else {
      const at = rest.indexOf(`\n${BEGIN}`);
      if (at < 0) return undefined;
      rest = rest.slice(at + 1 + BEGIN.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith(DASHES)) continue;
    const type = typeLine.slice(0, -DASHES.length);

    const headers: Record<string, string> = {};
    let truncated = false;
    for (;;) {
      if (rest.length === 0) {
        truncated = true;
        break;
      }
      const [line, next] = getLine(rest);
      const colon = line.indexOf(':');
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      rest = next;
    }
    if (truncated) return undefined;

    let endIndex: number;
    let trailerIndex: number;
    if (Object.keys(headers).length === 0 && rest.startsWith(END)) {
      endIndex = 0;
      trailerIndex = END.length;
    } else {
      endIndex = rest.indexOf(`\n${END}`);
      trailerIndex = endIndex + 1 + END.length;
    }
    if (endIndex < 0) continue;
    const trailer = rest.slice(trailerIndex, trailerIndex + type.length + DASHES.length);
    if (trailer !== `${type}${DASHES}`) continue;
    const [restOfEndLine, after] = getLine(rest.slice(trailerIndex + type.length + DASHES.length));
    if (restOfEndLine.length !== 0) continue;
    // Go strips spaces and tabs, and its base64 decoder skips CR and LF.
    const body = rest.slice(0, endIndex).replace(/[ \t\r\n]/g, '');
    const bytes = fromBase64(body);
    if (bytes === undefined) continue;
    return { block: { type, headers, bytes }, rest: after };
  }
}

/** Encodes one PEM block with 64-character base64 lines and a trailing newline, like `pem.EncodeToMemory`. */
export function encodePem(type: string, bytes: Uint8Array): string {
  const body = toBase64(bytes);
  let out = `${BEGIN}${type}${DASHES}\n`;
  for (let i = 0; i < body.length; i += 64) out += `${body.slice(i, i + 64)}\n`;
  return `${out}${END}${type}${DASHES}\n`;
}
