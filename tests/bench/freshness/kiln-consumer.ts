// bench:freshness's Kiln: the runtime a server builds, with only the change stream running (the
// consumer in its own process, as `npm start` runs it), until SIGTERM.
import { buildRuntime } from '@/server/runtime';

const runtime = await buildRuntime({ mode: 'run' });
runtime.freshness.start();
const stop = async () => {
  await runtime.stop().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
