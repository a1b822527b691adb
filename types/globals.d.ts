/** The package version, inlined by the build (build/build.mjs) and by Vitest (vitest.config.ts). */
declare const __PILOT_VERSION__: string;
