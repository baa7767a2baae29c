// A tfjs model trained with descent/tfjs, saved with its optimizer, loaded again and trained on
// beside the original: prints whether it loaded, the loaded optimizer's class and whether both
// models then hold the same weights. With --register, first registers descent's optimizer with
// this project's own tfjs (registerDescentOptimizer).
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
const { registerDescentOptimizer, tfOptimizer } = require('descent/tfjs');

tf.env().set('IS_TEST', true);
if (process.argv.includes('--register')) registerDescentOptimizer(tf);

async function main() {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })],
  });
  model.compile({ optimizer: tfOptimizer('Adam', { lr: 0.1 }), loss: 'meanSquaredError' });
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const y = tf.tensor2d([[1], [2]]);
  const fit = (m) => m.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  await fit(model);
  let saved;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  let loaded;
  try {
    loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
  } catch (error) {
    return { loaded: false, error: error.message };
  }
  await fit(model);
  await fit(loaded);
  const weights = (m) => m.getWeights().map((w) => Array.from(w.dataSync()));
  return {
    loaded: true,
    optimizer: loaded.optimizer.getClassName(),
    same: JSON.stringify(weights(loaded)) === JSON.stringify(weights(model)),
  };
}

main().then((result) => console.log(JSON.stringify(result)));
