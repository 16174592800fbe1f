/**
 * Small rooms: no source file over 400 lines, so each keeps one job (the registry client was 874
 * lines and the policy engine 531 before they were split along their seams).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, SRC } from '../../helpers/source-tree.js';

const LIMIT = 400;

describe('room size', () => {
  it(`no file in src/ has more than ${LIMIT} lines`, () => {
    const files = filesUnder(SRC);
    expect(files.length).toBeGreaterThan(50);
    const big = files
      .map((file) => ({
        file: relative(SRC, file),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter((f) => f.lines > LIMIT);
    expect(big).toEqual([]);
  });
});
