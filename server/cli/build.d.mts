/** The repository's root directory. */
export const root: string;
/** Next.js's own CLI script, to run with `node`. */
export const nextBin: string;
/** Builds the app with `next build` unless a build of the current sources exists; false when the build failed. */
export function ensureBuild(env: NodeJS.ProcessEnv): boolean;
