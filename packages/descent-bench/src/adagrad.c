/*
 * Adagrad's step in C, the benchmark's check of what one core can do when a step is bound by its
 * divide unit rather than by memory: sum += g², p -= lr·g / (√sum + eps), one square root and one
 * division per element (RMSprop's step has the same two). Compiled at bench time twice
 * (bench/divider.ts): with -msse4.2, the 128-bit vectors WebAssembly SIMD has, and with
 * -march=native. Prints the best milliseconds per step over float arrays on one thread.
 * Usage: adagrad <elements> <repetitions>
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long n = atol(argv[1]);
  int reps = atoi(argv[2]);
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  float *p = aligned_alloc(64, bytes), *g = aligned_alloc(64, bytes), *sum = aligned_alloc(64, bytes);
  if (!p || !g || !sum) return 1;
  for (long i = 0; i < n; i++) {
    p[i] = 0.1f * (i % 7);
    g[i] = 0.01f * (i % 13) - 0.05f;
    sum[i] = 0.001f;
  }
  const float lr = 0.01f, eps = 1e-10f;
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    double start = now();
    for (long i = 0; i < n; i++) {
      float s = sum[i] + g[i] * g[i];
      sum[i] = s;
      p[i] -= lr * g[i] / (sqrtf(s) + eps);
    }
    double elapsed = now() - start;
    if (elapsed < best) best = elapsed;
  }
  printf("%.4f\n", best * 1e3);
  return 0;
}
