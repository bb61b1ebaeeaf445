import 'server-only';
import { ConfigError, getConfig } from '../config';
import { type Database, openDatabase } from '../db/client';
import { applyMigrations } from '../db/migrate';

/** Runs a command-line entry point: a clear one-line error and exit code 1 instead of a stack dump
 * for expected failures (bad configuration, unreachable database). */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        console.error(error.message);
      } else if (error instanceof Error) {
        console.error(`Error: ${error.message}`);
        if (process.env.LOG_LEVEL === 'debug') console.error(error.stack);
      } else {
        console.error(error);
      }
      process.exit(1);
    },
  );
}

/** Opens the configured database and brings its schema up to date. */
export async function openMigratedDatabase(): Promise<Database> {
  const database = await openDatabase(getConfig().database);
  try {
    await applyMigrations(database);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
