import * as tf from '@tensorflow/tfjs-core';

/**
 * TensorFlow.js as its own test suites run it: with the flag `IS_TEST` ("True if running unit
 * tests", tfjs-core's flags.js; tfjs's jasmine_util sets it). tfjs-core's `warn` and `log`
 * print nothing under it, among them the cpu backend's banner on its first tensor ("Hi, looks
 * like you are running TensorFlow.js in Node.js ... install our node backend"), printed where
 * `IS_NODE` holds; and the engine checks that no kernel leaks a tensor. Setting `IS_NODE` false
 * instead would change what tfjs does on Node (its platform: fetch, files), not what it says, and
 * `PROD` (tf.enableProdMode) is meant for production. Imported by the test files that use tfjs,
 * before anything else; console itself is left alone.
 */
tf.env().set('IS_TEST', true);
