/** The option descriptions of descent's optimizers and schedules, through one import line. */
export * from './spec-shim.js';
