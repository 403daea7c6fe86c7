#!/usr/bin/env node
// Prints one plain closing line from vitest's JSON report ("tests: N passed, N failed"), so that
// CI logs state the count without parsing vitest's decorated output.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8'));
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
if (report.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
