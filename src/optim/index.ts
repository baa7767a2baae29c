export * from './optimizer.js';
export * from './sgd.js';
