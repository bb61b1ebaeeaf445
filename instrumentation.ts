// Next.js calls register() once per server process. Kiln's server side (database, cache, warmer,
// scheduler) starts here, on the Node.js runtime only: this file is also compiled for the edge.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startFromInstrumentation } = await import('./server/boot');
  await startFromInstrumentation();
}
