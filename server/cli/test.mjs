#!/usr/bin/env node
// npm test: unit, integration (real Postgres and Redis), e2e (Chromium) and fault/replica tests, one after the
// other, every layer even when an earlier one fails. Ends with one line summed over the layers:
// `N passed, N failed, N skipped` (what CI reads).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const out = path.join(root, '.test-results');
fs.mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const only = process.argv.slice(2);

const layers = [
  { name: 'unit', cmd: bin('vitest'), args: ['run', '--project', 'unit'], kind: 'vitest' },
  { name: 'integration', cmd: bin('vitest'), args: ['run', '--project', 'integration'], kind: 'vitest' },
  { name: 'e2e', cmd: bin('playwright'), args: ['test'], kind: 'playwright' },
  // Faults and replicas last: they use the build the e2e layer made, and print a scenario table.
  { name: 'faults', cmd: bin('vitest'), args: ['run', '--project', 'faults', '--reporter=./tests/support/scenario-reporter.ts'], kind: 'vitest' },
].filter((l) => only.length === 0 || only.includes(l.name));

const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
for (const layer of layers) {
  const report = path.join(out, `${layer.name}.json`);
  fs.rmSync(report, { force: true });
  const args =
    layer.kind === 'vitest'
      ? [...layer.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
      : [...layer.args, '--reporter=list,json'];
  const started = Date.now();
  console.log(`\n=== ${layer.name} tests ===`);
  const result = spawnSync(layer.cmd, args, {
    stdio: 'inherit',
    cwd: root,
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: report, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  const counts = readCounts(layer.kind, report);
  // A layer that crashed before reporting (or reported nothing while failing) counts as a failure.
  if (!counts || (result.status !== 0 && counts.failed === 0)) {
    const c = counts ?? { passed: 0, failed: 0, skipped: 0 };
    c.failed += 1;
    rows.push({ layer: layer.name, ...c, seconds: (Date.now() - started) / 1000, note: `exit ${result.status ?? result.signal}` });
    add(c);
    continue;
  }
  rows.push({ layer: layer.name, ...counts, seconds: (Date.now() - started) / 1000 });
  add(counts);
}

console.log('\n=== summary ===');
for (const r of rows) {
  console.log(`${r.layer.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ${r.seconds.toFixed(0)}s${r.note ? `  (${r.note})` : ''}`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);

function add(c) {
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
}

function readCounts(kind, file) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (kind === 'vitest') {
    // A file that failed to load (or whose hooks failed) has no failed test of its own: it counts once.
    const brokenFiles = (data.testResults ?? []).filter(
      (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
    ).length;
    return {
      passed: data.numPassedTests ?? 0,
      failed: (data.numFailedTests ?? 0) + brokenFiles,
      skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0),
    };
  }
  const s = data.stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
}
