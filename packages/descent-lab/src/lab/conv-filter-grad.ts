import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs's wasm backend has no Conv2DBackpropFilter kernel (the gradient of conv2d with respect to
 * its filter), so it cannot train a convolutional network; the cpu backend has one, but it takes
 * 13 s of a LeNet step's 15 s here. This registers one for a backend, built from kernels it has:
 *
 *     dW[i, j, c, o] = Σ_{n, y, x} x[n, s·y + i − top, s·x + j − left, c] · dy[n, y, x, o]
 *
 * is a convolution of x with channels and batch swapped (images c, channels n) by dy laid out as a
 * filter [outHeight, outWidth, n, o] with dilation s, the forward stride, and stride 1.
 */
export function registerConvFilterGrad(backendName: string): void {
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
        attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (dataFormat !== 'NHWC') {
        throw new Error(
          `Conv2DBackpropFilter on ${backendName} supports NHWC only, not ${dataFormat}`,
        );
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const { padInfo, strideHeight, strideWidth, filterHeight, filterWidth } = info;
      const { inHeight, inWidth, outHeight, outWidth } = info;
      // Pad (or crop) the far edges so that the convolution's output is exactly the filter's size.
      const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - padInfo.top;
      const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - padInfo.left;
      const engine = tf.engine();
      const run = (name: string, ins: tf.NamedTensorMap, at: object) =>
        engine.runKernel(name, ins, at as tf.NamedAttrMap) as tf.Tensor;
      const temporaries: tf.Tensor[] = [];
      const keep = (t: tf.Tensor) => {
        temporaries.push(t);
        return t;
      };
      let images = x as tf.Tensor;
      if (bottom < 0 || right < 0) {
        const size = [-1, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), -1];
        images = keep(run('Slice', { x: images }, { begin: [0, 0, 0, 0], size }));
      }
      const swapped = keep(run('Transpose', { x: images }, { perm: [3, 1, 2, 0] }));
      const filter = keep(run('Transpose', { x: dy as tf.Tensor }, { perm: [1, 2, 0, 3] }));
      const explicit = [
        [0, 0],
        [padInfo.top, Math.max(bottom, 0)],
        [padInfo.left, Math.max(right, 0)],
        [0, 0],
      ];
      const conv = keep(
        run(
          'Conv2D',
          { x: swapped, filter },
          {
            strides: 1,
            pad: explicit,
            dataFormat: 'NHWC',
            dilations: [strideHeight, strideWidth],
          },
        ),
      );
      const out = run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
      // The engine adopts the returned data: keep it alive past the disposal of its tensor.
      (backend as tf.KernelBackend).incRef(out.dataId);
      for (const t of [...temporaries, out]) t.dispose();
      return { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    },
  });
}
