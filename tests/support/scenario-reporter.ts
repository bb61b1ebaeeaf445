import type { Reporter, TestModule } from 'vitest/node';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** What a fault or load scenario measured, printed in the summary table. */
    figures?: Record<string, string | number>;
  }
}

/** Prints one row per scenario after the run: pass/fail, duration and the figures it recorded. */
export default class ScenarioReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: [string, string, string, string][] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        const figures = test.meta().figures ?? {};
        const state = result.state === 'passed' ? 'PASS' : result.state === 'failed' ? 'FAIL' : result.state.toUpperCase();
        const seconds = ((test.diagnostic()?.duration ?? 0) / 1000).toFixed(1);
        rows.push([test.fullName.replace(/^[^>]*> /, ''), state, `${seconds}s`, Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(', ')]);
      }
    }
    if (rows.length === 0) return;
    const width = Math.min(90, Math.max(...rows.map((r) => r[0].length)));
    const line = (r: string[]) => `${r[0]!.slice(0, width).padEnd(width)}  ${r[1]!.padEnd(4)}  ${r[2]!.padStart(6)}  ${r[3]}`;
    console.log('\nScenario summary');
    console.log(line(['scenario', 'result', 'time', 'figures']));
    console.log('-'.repeat(width + 40));
    for (const r of rows) console.log(line(r));
  }
}

/** Records a figure for the summary table. */
export function figure(task: { meta: { figures?: Record<string, string | number> } }, name: string, value: string | number): void {
  task.meta.figures ??= {};
  task.meta.figures[name] = value;
}
