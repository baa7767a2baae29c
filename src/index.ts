export * from './core/param.js';
export * from './kernels/wasm/index.js';
export * from './optim/index.js';
export * from './schedules/index.js';
