import 'server-only';
import { ConfigError, getConfig } from './config';
import { processLogger } from './logger';
import { currentRuntime, getRuntime } from './runtime';

/**
 * Starts the runtime for a server process. A bad configuration stops the process at once with
 * every bad variable named; anything else (Postgres not up yet, say) is logged and retried by the
 * next request, so the process stays up and /api/ready tells the truth meanwhile.
 */
export async function startFromInstrumentation(): Promise<void> {
  try {
    getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  installSignalHandlers();
  getRuntime().catch((error: unknown) => {
    processLogger().error({ err: error }, 'Kiln runtime failed to start; retrying on the next request');
  });
}

/** The longest a shutdown may take before the process exits anyway (the run drain gets 25 s of it). */
const SHUTDOWN_DEADLINE_MS = 28_000;

/**
 * SIGTERM/SIGINT: stop taking new work, let the runtime finish or stop its current run and save
 * it, close connections, exit 0. `npm start` sets NEXT_MANUAL_SIG_HANDLE so that Next.js leaves
 * these signals to us instead of exiting at once with 143.
 */
function installSignalHandlers(): void {
  const g = globalThis as { __kilnSignals?: boolean };
  if (g.__kilnSignals) return;
  g.__kilnSignals = true;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const runtime = currentRuntime();
    processLogger().info({ signal }, 'Shutting down');
    setTimeout(() => {
      processLogger().error(`Shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    Promise.resolve(runtime?.stop()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
