import 'server-only';
import { ConfigError, parseConfig } from '../config';

// Run by `npm start` before anything else: a bad variable stops the start at once, named. On
// success it prints one JSON line for start.mjs: how many worker processes to start beside the server.
try {
  const config = parseConfig();
  process.stdout.write(`${JSON.stringify({ workerProcesses: config.workers.inServer ? 0 : config.workers.processes })}\n`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Kiln cannot start: ${error.problems.length === 1 ? 'a variable is' : 'variables are'} invalid`);
    for (const p of error.problems) console.error(`  ${p.variable}: ${p.message}`);
    process.exit(1);
  }
  throw error;
}
