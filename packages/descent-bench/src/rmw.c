/*
 * The read-modify-write bandwidth reference of `npm run bench`, in C: b[i] = b[i]*s + c[i] over
 * float arrays, on `threads` POSIX threads, each on its own slice, which it also first touched.
 * Compiled at bench time (bench/bandwidth.ts) with -O3 -march=native; prints the best GB/s.
 * Usage: rmw <elements> <threads> <repetitions>
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static float *b, *c;
static long n;
static int threads, reps;
static pthread_barrier_t barrier;
static double best = 1e30;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *work(void *arg) {
  long id = (long)arg;
  long lo = n * id / threads, hi = n * (id + 1) / threads;
  for (long i = lo; i < hi; i++) {
    b[i] = 1.0f;
    c[i] = 0.5f;
  }
  for (int r = 0; r < reps; r++) {
    pthread_barrier_wait(&barrier);
    double start = now();
    const float s = 0.999f;
    for (long i = lo; i < hi; i++) b[i] = b[i] * s + c[i];
    pthread_barrier_wait(&barrier);
    double elapsed = now() - start;
    if (id == 0 && elapsed < best) best = elapsed;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  n = atol(argv[1]);
  threads = atoi(argv[2]);
  reps = atoi(argv[3]);
  b = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  c = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  if (!b || !c) return 1;
  pthread_barrier_init(&barrier, NULL, threads);
  pthread_t ids[256];
  for (long t = 0; t < threads; t++) pthread_create(&ids[t], NULL, work, (void *)t);
  for (long t = 0; t < threads; t++) pthread_join(ids[t], NULL);
  printf("%.3f\n", 12.0 * n / best / 1e9);
  return 0;
}
