export * from './core/param.js';
// For the did-you-mean of programs built on descent (its command line among them), as its own
// errors have: "Unknown option betass for Adam (did you mean betas?)".
export { closestName } from './core/validate.js';
export * from './kernels/wasm/index.js';
export * from './optim/index.js';
export * from './schedules/index.js';
