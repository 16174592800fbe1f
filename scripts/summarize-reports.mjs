// One plain line for a whole test run, summed over vitest JSON reports (one per Node version), with
// one line per report above it. A test file that fails to load (a syntax error, a throwing import)
// has no failed test of its own: it counts as one failure, so it can never pass unnoticed; a
// missing report counts as one too. Exit status 1 when anything failed.
//
// Usage: node scripts/summarize-reports.mjs report.json [report.json …]
import { existsSync, readFileSync } from 'node:fs';

/** Counts of one vitest JSON report (or of a missing one). */
export function countReport(report) {
  if (report === undefined) return { passed: 0, failed: 1, skipped: 0 };
  const unloaded = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + unloaded,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** The summary line for counts. */
export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

function main(files) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const file of files) {
    const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    const counts = countReport(report);
    console.log(
      `${file}: ${report === undefined ? 'no report (vitest did not finish)' : summaryLine(counts)}`,
    );
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  console.log(summaryLine(total));
  process.exitCode = total.failed > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
