/* Read bandwidth of this machine's memory for 1..N threads: each thread sums its own slice of a
 * 1 GiB array of 64-bit integers (far larger than any cache), best of 5 passes. A read-only stream
 * is what LLM decode does to its weights. Integer sums vectorize, so the loop is bound by memory,
 * not by an add chain (a double sum without -ffast-math runs at one add per FP latency, ~6 GB/s).
 * Build: cc -O3 -march=native -fopenmp tools/membw.c -o membw; run: ./membw 2 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int max_threads = argc > 1 ? atoi(argv[1]) : 2;
    size_t n = (size_t)1 << 27; /* 2^27 × 8 B = 1 GiB */
    uint64_t *a = malloc(n * sizeof *a);
    if (!a) return 1;
#pragma omp parallel for
    for (size_t i = 0; i < n; i++) a[i] = i & 1023;
    for (int t = 1; t <= max_threads; t++) {
        double best = 0;
        uint64_t sink = 0;
        for (int pass = 0; pass < 5; pass++) {
            double t0 = omp_get_wtime();
            uint64_t s = 0;
#pragma omp parallel for num_threads(t) reduction(+ : s)
            for (size_t i = 0; i < n; i++) s += a[i];
            double gbps = n * sizeof *a / (omp_get_wtime() - t0) / 1e9;
            sink += s;
            if (gbps > best) best = gbps;
        }
        printf("threads %d read %.2f GB/s (best of 5; checksum %llu)\n", t, best, (unsigned long long)sink);
    }
    free(a);
    return 0;
}
