import 'server-only';
import { ConfigError, parseConfig } from '../config';

// Run by `npm start` before anything else: a bad variable stops the start at once, named.
try {
  parseConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Kiln cannot start: ${error.problems.length === 1 ? 'a variable is' : 'variables are'} invalid`);
    for (const p of error.problems) console.error(`  ${p.variable}: ${p.message}`);
    process.exit(1);
  }
  throw error;
}
