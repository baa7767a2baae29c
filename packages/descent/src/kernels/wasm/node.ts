import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { provideNodeModules, type WorkerClass } from './host.js';

/**
 * Node's modules for the thread pool, imported statically: for Node without
 * `process.getBuiltinModule` (before 20.16), where host.ts cannot reach them. Only the package's
 * `node` entries (node-entry.ts) import this, first, so that it runs before the pool module is
 * evaluated; the entry bundlers take for browsers never reaches it.
 */
provideNodeModules({ Worker: Worker as unknown as WorkerClass, cores: availableParallelism() });
