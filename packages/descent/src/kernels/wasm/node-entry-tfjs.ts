// descent/tfjs on Node (package.json "exports", condition "node"): as node-entry.ts, for the
// adapter, which reaches the thread pool without importing src/index.ts.
import './node.js';

export * from '../../adapters/tfjs/index.js';
