/** Builds the playground into `outDir` (default: the package's dist/); its files' paths and sizes. */
export function buildPlayground(outDir?: string): Promise<{ path: string; bytes: number }[]>;
