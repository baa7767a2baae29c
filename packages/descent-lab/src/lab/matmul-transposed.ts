import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs's wasm backend multiplies fast only matrices as they are: with `transposeA` or
 * `transposeB` its BatchMatMul leaves XNNPACK for a slow loop. A dense layer's backward pass
 * needs both (dW = xᵀ·dy, dx = dy·Wᵀ): for the MLP of mlp.ts, a batch of 128 took 187 ms a step
 * here against 8 ms for its forward pass, and transposing first, then multiplying, takes 18 ms
 * for xᵀ·dy where the flag took 166. This wraps the backend's kernel so that a transposed
 * operand is transposed explicitly (the Transpose kernel) before the plain product.
 *
 * The sums are those of another kernel, so the results may differ from the flagged product's in
 * the last bits: it is used by `descent compare`'s classifier tasks, not by the lab's LeNet runs,
 * whose published numbers came from the backend as it is (their cost is in the convolutions).
 */
export function registerExplicitTranspose(backendName: string): void {
  const original = tf.getKernel('BatchMatMul', backendName);
  if (original === undefined) {
    throw new Error(`tfjs's ${backendName} backend has no BatchMatMul kernel to wrap`);
  }
  if ((original.kernelFunc as { explicitTranspose?: true }).explicitTranspose) return;
  const kernelFunc: tf.KernelFunc & { explicitTranspose?: true } = (args) => {
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    const temporaries: tf.Tensor[] = [];
    // The last two dimensions swapped, batch dimensions kept.
    const transposed = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      const last = perm.length - 1;
      [perm[last - 1], perm[last]] = [perm[last], perm[last - 1]];
      const t = tf.engine().runKernel('Transpose', { x: x as tf.Tensor }, { perm }) as tf.Tensor;
      temporaries.push(t);
      return t;
    };
    const out = original.kernelFunc({
      ...args,
      inputs: {
        a: attrs.transposeA ? transposed(a) : a,
        b: attrs.transposeB ? transposed(b) : b,
      },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
    for (const t of temporaries) t.dispose();
    return out;
  };
  kernelFunc.explicitTranspose = true;
  tf.unregisterKernel('BatchMatMul', backendName);
  tf.registerKernel({ ...original, kernelFunc });
}
