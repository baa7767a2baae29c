export * from './core/param.js';
export * from './optim/index.js';
