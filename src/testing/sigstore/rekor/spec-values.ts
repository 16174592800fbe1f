/**
 * Reading a proposed entry's `spec` the way Rekor's Go `DecodeEntry` functions do: a member that is
 * not the expected JSON type is treated as absent (a failed Go type assertion), base64 members are
 * decoded with `base64.StdEncoding`, and the logged body is RFC 8785 (JCS) JSON, which Rekor makes
 * with `jsoncanonicalizer.Transform`. Deliberately not here: any kind's rules (`entry-kinds.ts`,
 * `envelope-kinds.ts`).
 */

import { createHash } from 'node:crypto';
import { json } from '@sigstore/core';
import { fromBase64, toHex, utf8 } from '../../../internal/bytes.js';
import { isJsonObject } from '../../../internal/shape.js';
import { InvalidEntry } from './refusal.js';

/** A JSON object as Go's `map[string]any` holds it. */
export type GoMap = Readonly<Record<string, unknown>>;

/** Go's name for a decoded JSON value's type, as `%T` prints it in Rekor's messages. */
function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'json.Number';
  if (typeof value === 'boolean') return 'bool';
  return 'map[string]interface {}';
}

/** A kind's `spec` as a map, or the `DecodeEntry` error Rekor gives for anything else. */
export function specMap(spec: unknown, schema: string): GoMap {
  if (isJsonObject(spec)) return spec;
  throw new InvalidEntry(`unsupported input type ${goTypeName(spec)} for DecodeEntry (want ${schema})`);
}

/** `m[key].(map[string]any)`: the member when it is an object, else undefined. */
export function mapField(m: GoMap | undefined, key: string): GoMap | undefined {
  const value = m !== undefined && Object.hasOwn(m, key) ? m[key] : undefined;
  return isJsonObject(value) ? value : undefined;
}

/** `m[key].(string)`: the member when it is a string, else undefined. */
export function stringField(m: GoMap | undefined, key: string): string | undefined {
  const value = m !== undefined && Object.hasOwn(m, key) ? m[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** `m[key].([]any)`: the member when it is an array, else undefined. */
export function arrayField(m: GoMap | undefined, key: string): readonly unknown[] | undefined {
  const value = m !== undefined && Object.hasOwn(m, key) ? m[key] : undefined;
  return Array.isArray(value) ? value : undefined;
}

/** Go's `base64.StdEncoding` decoding of a `format: byte` member; Rekor's error when it is not base64. */
export function decodeBase64Field(text: string, what: string): Uint8Array {
  const bytes = fromBase64(text.replace(/[\r\n]/g, ''));
  if (bytes === undefined)
    throw new InvalidEntry(`failed parsing base64 data for ${what}: illegal base64 data`);
  return bytes;
}

/** go-securesystemslib's DSSE `b64Decode`: standard base64, else URL-safe; undefined for neither. */
export function dsseBase64(text: string): Uint8Array | undefined {
  return fromBase64(text) ?? fromBase64(text.replaceAll('-', '+').replaceAll('_', '/'));
}

/** Lower-case hex SHA-256. */
export function sha256Hex(bytes: Uint8Array): string {
  return toHex(new Uint8Array(createHash('sha256').update(bytes).digest()));
}

/** The bytes Rekor logs for an entry: JCS of `{apiVersion, kind, spec}` (no member may be undefined). */
export function canonicalBody(kind: string, apiVersion: string, spec: object): Uint8Array {
  return utf8(json.canonicalize({ apiVersion, kind, spec }));
}
