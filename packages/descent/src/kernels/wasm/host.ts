/**
 * Node's modules for the thread pool (`Worker`, and the number of cores), reached without an
 * import statement: the library's import graph then names no Node built-in, so a bundler for
 * browsers takes it as it is, and holds no top-level await, so CommonJS can `require()` it (Node
 * 20.19+, 22.12+). `process.getBuiltinModule` (Node 20.16+, 22.3+, Deno, Bun) loads them
 * synchronously, when the pool module is evaluated. Older Node lacks it: there the package's
 * `node` entries (node-entry.ts) import them statically in node.ts, which hands them over here
 * before the pool module is evaluated. Elsewhere (browsers) there are none, and no workers.
 */

export interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): void;
}

export type WorkerClass = new (
  code: string,
  options: { eval: true; workerData: unknown; stdout?: boolean },
) => WorkerLike;

export interface NodeModules {
  Worker: WorkerClass;
  /** `os.availableParallelism()`. */
  cores: number;
}

// Declared here rather than through @types/node: in browsers `process` is absent.
interface HostProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

let provided: NodeModules | null = null;

/** For node.ts: Node's modules, imported statically where `getBuiltinModule` is missing. */
export function provideNodeModules(modules: NodeModules): void {
  provided = modules;
}

/** Node's modules, or null outside Node (or where neither way above reaches them). */
export function nodeModules(): NodeModules | null {
  if (provided !== null) return provided;
  const process = (globalThis as { process?: HostProcess }).process;
  if (process?.versions?.node === undefined || typeof process.getBuiltinModule !== 'function') {
    return null;
  }
  try {
    const threads = process.getBuiltinModule('node:worker_threads') as { Worker: WorkerClass };
    const os = process.getBuiltinModule('node:os') as { availableParallelism(): number };
    return { Worker: threads.Worker, cores: os.availableParallelism() };
  } catch {
    return null;
  }
}
