// Single-core memory read bandwidth: a streaming read (sum of 64-bit lanes, four
// independent AVX2 accumulators; SSE2 where the CPU lacks AVX2) over buffers from L2-size
// to far beyond L3 (32 MiB on the Zen 3 dev box), GB/s = bytes read per second of the
// thread's CPU time (the 2-core dev box is shared: wall time there counts other people's
// builds; a descheduled thread streams nothing, so CPU time is the rate while running). The 256 MiB and 1 GiB rows are the DRAM bandwidth one core can pull, the bound
// for batch-1 GEMV whose weights do not stay in cache (bench/qd8-fully-connected reports
// weight_GBps to compare against); the 16 MiB row shows what an L3-resident weight set
// (e.g. 4096x4096 int8) can get when nothing else evicts it.
// stream_read_huge: the same with the buffer madvise(MADV_HUGEPAGE)d, as pqnn's slabs of large
// packed weights are (src/allocator.c, pqnn_allocate_streamed): 2 MiB pages, which one core
// streams far faster than 4 KiB ones (the TLB and the prefetchers stop at every page).
// stream_read_threads: the same read with a pthreadpool of T threads, each summing one
// contiguous 1/T of the buffer, GB/s of wall time: the reference for the 2-thread rows of
// bench/operators/decode-4bit and cold-weights (wall time too; on a shared machine it counts
// everyone else's load: say the load average with the numbers).
#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <pthreadpool.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <sys/mman.h>

#include <pqnn.h>

namespace {

__attribute__((target("avx2"))) uint64_t sum_avx2(const uint8_t* p, size_t bytes) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i < bytes; i += 128) {
    a0 = _mm256_add_epi64(a0, _mm256_load_si256((const __m256i*) (p + i)));
    a1 = _mm256_add_epi64(a1, _mm256_load_si256((const __m256i*) (p + i + 32)));
    a2 = _mm256_add_epi64(a2, _mm256_load_si256((const __m256i*) (p + i + 64)));
    a3 = _mm256_add_epi64(a3, _mm256_load_si256((const __m256i*) (p + i + 96)));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256((__m256i*) lanes, s);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

uint64_t sum_sse2(const uint8_t* p, size_t bytes) {
  __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i < bytes; i += 64) {
    a0 = _mm_add_epi64(a0, _mm_load_si128((const __m128i*) (p + i)));
    a1 = _mm_add_epi64(a1, _mm_load_si128((const __m128i*) (p + i + 16)));
    a2 = _mm_add_epi64(a2, _mm_load_si128((const __m128i*) (p + i + 32)));
    a3 = _mm_add_epi64(a3, _mm_load_si128((const __m128i*) (p + i + 48)));
  }
  const __m128i s = _mm_add_epi64(_mm_add_epi64(a0, a1), _mm_add_epi64(a2, a3));
  alignas(16) uint64_t lanes[2];
  _mm_store_si128((__m128i*) lanes, s);
  return lanes[0] + lanes[1];
}

// A 2 MiB-aligned buffer of `bytes`, every page touched; with huge, advised to
// transparent huge pages first (the kernel may refuse: then 4 KiB pages).
uint8_t* touched_buffer(size_t bytes, bool huge) {
  const size_t page = size_t(2) << 20;
  uint8_t* buffer = static_cast<uint8_t*>(std::aligned_alloc(page, (bytes + page - 1) / page * page));
  if (buffer != nullptr) {
    if (huge) (void) madvise(buffer, bytes, MADV_HUGEPAGE);
    std::memset(buffer, 1, bytes);
  }
  return buffer;
}

void stream_read_pages(benchmark::State& state, bool huge) {
  const size_t bytes = size_t(state.range(0)) << 20;
  uint8_t* buffer = touched_buffer(bytes, huge);
  if (buffer == nullptr) {
    state.SkipWithError("allocation failed");
    return;
  }
  const bool avx2 = __builtin_cpu_supports("avx2");
  for (auto _ : state) {
    uint64_t sum = avx2 ? sum_avx2(buffer, bytes) : sum_sse2(buffer, bytes);
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
  state.counters["GBps"] = benchmark::Counter(double(bytes) * double(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
  std::free(buffer);
}

void stream_read(benchmark::State& state) { stream_read_pages(state, false); }
void stream_read_huge(benchmark::State& state) { stream_read_pages(state, true); }

struct Slices {
  const uint8_t* buffer;
  size_t slice;
  uint64_t sums[64];
  bool avx2;
};

void sum_slice(void* context, size_t i) {
  Slices* s = static_cast<Slices*>(context);
  const uint8_t* p = s->buffer + i * s->slice;
  s->sums[i] = s->avx2 ? sum_avx2(p, s->slice) : sum_sse2(p, s->slice);
}

void stream_read_threads(benchmark::State& state) {
  const size_t bytes = size_t(state.range(0)) << 20;
  const size_t threads = size_t(state.range(1));
  uint8_t* buffer = touched_buffer(bytes, state.range(2) != 0);
  pthreadpool_t pool = pthreadpool_create(threads);
  if (buffer == nullptr || pool == nullptr || threads > 64 || bytes % (threads * 128) != 0) {
    state.SkipWithError("allocation failed or bad thread count");
    std::free(buffer);
    if (pool != nullptr) pthreadpool_destroy(pool);
    return;
  }
  Slices slices{buffer, bytes / threads, {}, __builtin_cpu_supports("avx2") != 0};
  for (auto _ : state) {
    pthreadpool_parallelize_1d(pool, sum_slice, &slices, threads, 0);
    benchmark::DoNotOptimize(slices.sums[0]);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
  state.counters["GBps"] = benchmark::Counter(double(bytes) * double(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
  pthreadpool_destroy(pool);
  std::free(buffer);
}

BENCHMARK(stream_read_threads)->ArgNames({"MiB", "threads", "huge"})->Args({1024, 2, 0})
    ->Args({1024, 2, 1})->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(stream_read_huge)->ArgName("MiB")->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

BENCHMARK(stream_read)->ArgName("MiB")->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Arg(1024)
    ->Unit(benchmark::kMillisecond);

}  // namespace
