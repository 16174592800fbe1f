/** Reads the shared cosign/Kyverno vectors that sit beside this repository (../shared/vectors). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const SHARED_DIR = resolve(import.meta.dirname, '..', '..', '..', 'shared');

export function readVectors<T>(relativePath: string): T {
  return JSON.parse(readFileSync(resolve(SHARED_DIR, 'vectors', relativePath), 'utf8')) as T;
}
