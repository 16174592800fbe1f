/**
 * The plain summary line of the test command: a test file that fails to load has no failed test of
 * its own, and must still count as a failure (it used not to: "488 passed, 1 failed" hid 9 files).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { countReport, summaryLine } from '../../scripts/summarize-reports.mjs';

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'summarize-reports.mjs');

const report = {
  numPassedTests: 5,
  numFailedTests: 1,
  numPendingTests: 0,
  numTodoTests: 0,
  testResults: [
    { status: 'passed', assertionResults: [{ status: 'passed' }] },
    { status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'failed' }] },
    // A file that failed to load: no assertion results at all.
    { status: 'failed', assertionResults: [] },
  ],
};

describe('the summary line', () => {
  it('counts a test file that failed to load as a failure', () => {
    expect(countReport(report)).toEqual({ passed: 5, failed: 2, skipped: 0 });
    expect(summaryLine(countReport(report))).toBe('5 passed, 2 failed');
  });

  it('sums reports, counts a missing one as a failure, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocisign-summary-'));
    const file = join(dir, 'r.json');
    writeFileSync(file, JSON.stringify(report));
    let out = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [SCRIPT, file, file, join(dir, 'missing.json')], { encoding: 'utf8' });
    } catch (error) {
      const e = error as { status: number; stdout: string };
      status = e.status;
      out = e.stdout;
    }
    expect(status).toBe(1);
    expect(out.trim().split('\n').at(-1)).toBe('10 passed, 5 failed');
  });

  it('says all is well only when nothing failed', () => {
    const clean = { ...report, numFailedTests: 0, testResults: [report.testResults[0]] };
    expect(summaryLine(countReport(clean))).toBe('5 passed, 0 failed');
  });
});
