// A Kiln process with only the change stream running (the runtime a server builds, the consumer in
// a process of its own as `npm start` runs it), until SIGTERM: used by bench:freshness and the
// fault test that kills it.
import { buildRuntime } from '@/server/runtime';

const runtime = await buildRuntime({ mode: 'cli', workers: false });
runtime.freshness.start();
console.log(JSON.stringify({ event: 'started', pid: process.pid }));
const stop = async () => {
  await runtime.stop().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
