/** Multi-process scenarios run the built app (Kiln's HTTP server): build it if the sources changed. */
export default async function setup(): Promise<void> {
  const { ensureBuild } = await import('../../server/cli/build.mjs');
  if (!ensureBuild({ ...process.env, NEXT_TELEMETRY_DISABLED: '1' })) throw new Error('next build failed: the multi-process scenarios need a build');
}
