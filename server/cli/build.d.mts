/** Types of build.mjs, for the TypeScript that imports it (the faults test setup). */
export declare const root: string;
export declare const nextBin: string;
export declare function ensureBuild(env: NodeJS.ProcessEnv): boolean;
