// The package's entry on Node (package.json "exports", condition "node"): node.ts first, so that
// the thread pool finds Node's modules even where `process.getBuiltinModule` is missing (host.ts),
// then everything src/index.ts exports. Browsers take src/index.ts itself.
import './node.js';

export * from '../../index.js';
