/**
 * descent's Node-only part (`descent/node`): checkpoints on disk, in the safetensors layout
 * (checkpoint.ts), written atomically (atomic.ts).
 *
 * @module descent/node
 */
// As the package's other Node entries (src/kernels/wasm/node-entry.ts): Node's modules for the
// thread pool first, for a program that imports descent/node before descent.
import '../kernels/wasm/node.js';

export { writeFileAtomic, writeFileAtomicSync } from './atomic.js';
export {
  type CheckpointContents,
  CheckpointError,
  type CheckpointTarget,
  type LoadedCheckpoint,
  loadCheckpoint,
  loadCheckpointSync,
  type Stateful,
  saveCheckpoint,
  saveCheckpointSync,
} from './checkpoint.js';
