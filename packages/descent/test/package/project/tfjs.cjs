const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const { tfOptimizer } = require('descent/tfjs');

// tfjs's own switch for tests: no banner advertising tfjs-node (see test/tfjs-setup.ts).
tf.env().set('IS_TEST', true);
const v = tf.variable(tf.ones([4]));
tfOptimizer('SGD', { lr: 0.5 }).applyGradients({ [v.name]: tf.ones([4]) });
console.log(JSON.stringify({ sgd: Array.from(v.dataSync()) }));
