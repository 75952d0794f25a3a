// Logging: with PQNN_LOG_LEVEL=1 a rejected argument prints exactly one line on stderr
// naming the function, the argument and its value, and nothing on stdout; PQNN_LOG_LEVEL=0
// prints nothing; unset, release builds (NDEBUG) print nothing and debug builds print the
// error line. The level is read once per process, so each check runs in a forked child
// whose stdout and stderr go to temporary files (this process never calls pqnn itself).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/child-process.h"

namespace {

using Captured = pqnn_test::ChildResult;
using pqnn_test::run_in_child;

struct Rejection {
  const char* function;
  const char* argument;
  const char* value;
  pqnn_status expected;
  std::function<pqnn_status()> call;
};

std::vector<Rejection> rejections() {
  static const std::vector<float> w(64 * 64, 0.25f);
  static const std::vector<int8_t> w8(64 * 64, 1);
  return {
    {"pqnn_create_fully_connected_nc_f32", "input_stride", "7", pqnn_status_invalid_parameter,
     [] {
       pqnn_operator_t op;
       return pqnn_create_fully_connected_nc_f32(8, 8, 7, 8, w.data(), nullptr, 0, 1, 0, &op);
     }},
    {"pqnn_create_fully_connected_nc_f32", "output_min", "2", pqnn_status_invalid_parameter,
     [] {
       pqnn_operator_t op;
       return pqnn_create_fully_connected_nc_f32(8, 8, 8, 8, w.data(), nullptr, 2, 1, 0, &op);
     }},
    {"pqnn_create_fully_connected_nc_f32", "flags", "0x80", pqnn_status_invalid_parameter,
     [] {
       pqnn_operator_t op;
       return pqnn_create_fully_connected_nc_f32(8, 8, 8, 8, w.data(), nullptr, 0, 1, 0x80, &op);
     }},
    {"pqnn_create_convert_nc_f32_f16", "channels", "0", pqnn_status_invalid_parameter,
     [] {
       pqnn_operator_t op;
       return pqnn_create_convert_nc_f32_f16(0, 4, 4, 0, &op);
     }},
    {"pqnn_create_convolution2d_nhwc_f32", "output_channel_stride", "3",
     pqnn_status_invalid_parameter,
     [] {
       pqnn_operator_t op;
       return pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 1, 2, 4, 2, 3,
           w.data(), nullptr, -1, 1, 0, &op);
     }},
    {"pqnn_create_fully_connected_nc_qs8", "output_scale", "-1",
     pqnn_status_invalid_parameter,
     [] {
       pqnn_operator_t op;
       return pqnn_create_fully_connected_nc_qs8(8, 8, 8, 8, 0, 0.5f, 0.5f, w8.data(), nullptr,
           0, -1.0f, -128, 127, 0, &op);
     }},
    {"pqnn_reshape_fully_connected_nc_f32", "op", "NULL", pqnn_status_invalid_parameter,
     [] { return pqnn_reshape_fully_connected_nc_f32(nullptr, 1, nullptr); }},
  };
}

// For every rejection: the child checks the status, then the parent checks the output.
void check_all(const char* level, bool expect_line) {
  for (const Rejection& r : rejections()) {
    SCOPED_TRACE(std::string(r.function) + " " + r.argument + " level " +
                 (level ? level : "unset"));
    const Captured c = run_in_child(level, [&r] {
      if (pqnn_initialize() != pqnn_status_success) return false;
      return r.call() == r.expected;
    });
    EXPECT_EQ(c.exit_code, 0) << "wrong status, stderr: " << c.err;
    EXPECT_EQ(c.out, "") << "nothing may be printed on stdout";
    if (!expect_line) {
      EXPECT_EQ(c.err, "");
      continue;
    }
    ASSERT_FALSE(c.err.empty());
    EXPECT_EQ(c.err.find('\n'), c.err.size() - 1) << "expected exactly one line: " << c.err;
    EXPECT_NE(c.err.find(r.function), std::string::npos) << c.err;
    EXPECT_NE(c.err.find(r.argument), std::string::npos) << c.err;
    EXPECT_NE(c.err.find(r.value), std::string::npos) << c.err;
  }
}

TEST(Logging, LevelOnePrintsOneLinePerRejectedArgument) { check_all("1", true); }

TEST(Logging, LevelZeroPrintsNothing) { check_all("0", false); }

TEST(Logging, DefaultLevel) {
#ifdef NDEBUG
  check_all(nullptr, false);  // release: silent
#else
  check_all(nullptr, true);   // debug: errors
#endif
}

// A successful lifecycle prints nothing, even at the error level.
TEST(Logging, SuccessPrintsNothing) {
  const Captured c = run_in_child("1", [] {
    if (pqnn_initialize() != pqnn_status_success) return false;
    std::vector<float> w(16, 0.5f), x(4, 1.0f), y(4);
    pqnn_operator_t op = nullptr;
    bool ok = pqnn_create_fully_connected_nc_f32(4, 4, 4, 4, w.data(), nullptr, -INFINITY,
        INFINITY, 0, &op) == pqnn_status_success;
    ok = ok && pqnn_reshape_fully_connected_nc_f32(op, 1, nullptr) == pqnn_status_success;
    ok = ok && pqnn_setup_fully_connected_nc_f32(op, x.data(), y.data()) == pqnn_status_success;
    ok = ok && pqnn_run_operator(op, nullptr) == pqnn_status_success;
    pqnn_delete_operator(op);
    return ok && y[0] == 2.0f;
  });
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.out, "");
  EXPECT_EQ(c.err, "");
}

}  // namespace
