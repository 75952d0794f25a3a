// The fuzz decoders, one per operator family. Each turns an arbitrary byte string into
// calls of the public API (create / reshape / setup / run, or the weights helper) with
// exact-size heap buffers, and aborts when the library breaks a promise of API.md that
// can be checked cheaply (a status outside the enum, a success where failure is due, an
// output outside its clamp bounds, a write into the gaps between rows). Memory errors
// and undefined behaviour are reported by the sanitizers of the build.
// Used by the libFuzzer targets (fuzzer-main.cc) and by fuzz-replay-test.cc, which runs
// the committed corpus through them in the normal test build. The byte format is
// described in decoders/fuzz-input.h and written by scripts/gen-fuzz-corpus.py.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pqnn_fuzz {

// Fully connected: f32, f16, qs8, qs8_qc8w, qd8_f32_qc8w, qd8_f16_qc8w (first byte).
void fully_connected(const uint8_t* data, size_t size);
// Convolution 2D NHWC in the same six datatypes.
void convolution(const uint8_t* data, size_t size);
// convert_nc: f32 -> qd8, f16 -> qd8, f32 -> f16, f16 -> f32.
void convert(const uint8_t* data, size_t size);
// pqnn_quantize_weights_qc8w.
void quantize_weights(const uint8_t* data, size_t size);
// Subgraph + runtime: random graphs, shapes, batch and hostile reshapes, flags.
void runtime(const uint8_t* data, size_t size);

}  // namespace pqnn_fuzz
