// Messages for embedders (issue 16): pqnn_set_log_callback routes messages to the
// application, pqnn_set_log_level overrides PQNN_LOG_LEVEL, pqnn_last_error_message gives
// the calling thread's last error whatever the level, and a bad PQNN_ISA is always
// reported with the valid values (defect 9). The log level and the environment are
// process-wide, so each case runs in a forked child.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqnn.h>

#include "common/child-process.h"

namespace {

struct Message {
  int level;
  std::string function, text;
};

struct Sink {
  std::mutex mutex;
  std::vector<Message> messages;
  static void callback(void* user, int level, const char* function, const char* text) {
    Sink* sink = static_cast<Sink*>(user);
    std::lock_guard<std::mutex> lock(sink->mutex);
    sink->messages.push_back({level, function, text});
  }
};

// Runs `body` in a child with PQNN_LOG_LEVEL unset; true when it returned true. `err`
// receives the child's stderr.
bool in_child(const std::function<bool()>& body, std::string* err = nullptr) {
  const pqnn_test::ChildResult c = pqnn_test::run_in_child(nullptr, body);
  if (err != nullptr) *err = c.err;
  if (c.exit_code != 0) ADD_FAILURE() << "child failed; its output:\n" << c.out << c.err;
  return c.exit_code == 0;
}

// Initializes pqnn with the given level and `sink` (nullptr: stderr) for messages.
bool start(int level, Sink* sink) {
  return pqnn_initialize() == pqnn_status_success &&
         pqnn_set_log_level(level) == pqnn_status_success &&
         pqnn_set_log_callback(sink != nullptr ? Sink::callback : nullptr, sink) ==
             pqnn_status_success;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// A rejected create: input_stride 7 below input_channels 8.
pqnn_status reject_fc() {
  static const std::vector<float> w(64, 0.25f);
  pqnn_operator_t op = nullptr;
  return pqnn_create_fully_connected_nc_f32(8, 8, 7, 8, w.data(), nullptr, 0, 1, 0, &op);
}

TEST(LogCallback, SetLogLevelValidatesItsArgument) {
  EXPECT_TRUE(in_child([] {
    return pqnn_set_log_level(3) == pqnn_status_invalid_parameter &&
           pqnn_set_log_level(-1) == pqnn_status_invalid_parameter &&
           contains(pqnn_last_error_message(), "pqnn_set_log_level") &&
           pqnn_set_log_level(PQNN_LOG_LEVEL_INFO) == pqnn_status_success;
  }));
}

TEST(LogCallback, CallbackReceivesErrorsInsteadOfStderr) {
  std::string err;
  EXPECT_TRUE(in_child([] {
    Sink sink;
    if (!start(PQNN_LOG_LEVEL_ERROR, &sink)) return false;
    if (reject_fc() != pqnn_status_invalid_parameter) return false;
    pqnn_set_log_callback(nullptr, nullptr);
    if (sink.messages.size() != 1) return false;
    const Message& m = sink.messages[0];
    std::fprintf(stdout, "%d %s %s\n", m.level, m.function.c_str(), m.text.c_str());
    return m.level == PQNN_LOG_LEVEL_ERROR &&
           m.function == "pqnn_create_fully_connected_nc_f32" &&
           contains(m.text, "input_stride (7)") && contains(m.text, "input_channels (8)") &&
           m.text.find('\n') == std::string::npos;
  }, &err));
  EXPECT_EQ(err, "") << "with a callback nothing goes to stderr";
}

TEST(LogCallback, NullCallbackRestoresStderr) {
  std::string err;
  EXPECT_TRUE(in_child([] {
    Sink sink;
    if (!start(PQNN_LOG_LEVEL_ERROR, &sink)) return false;
    pqnn_set_log_callback(nullptr, &sink);
    return reject_fc() == pqnn_status_invalid_parameter && sink.messages.empty();
  }, &err));
  EXPECT_TRUE(contains(err, "pqnn error: pqnn_create_fully_connected_nc_f32: input_stride (7)"))
      << err;
}

TEST(LogCallback, LastErrorIsRecordedAtLevelZeroAndPerThread) {
  std::string err;
  EXPECT_TRUE(in_child([] {
    Sink sink;
    if (!start(PQNN_LOG_LEVEL_NONE, &sink)) return false;
    if (std::strcmp(pqnn_last_error_message(), "") != 0) return false;
    if (reject_fc() != pqnn_status_invalid_parameter) return false;
    const std::string mine = pqnn_last_error_message();
    // Another thread's failure is that thread's message, not this one's.
    std::string theirs;
    std::thread other([&theirs] {
      theirs = pqnn_last_error_message();  // empty: nothing failed there yet
      pqnn_operator_t op = nullptr;
      pqnn_create_convert_nc_f32_f16(0, 4, 4, 0, &op);
      theirs += "|" + std::string(pqnn_last_error_message());
    });
    other.join();
    // A successful call does not clear it.
    if (pqnn_set_log_level(PQNN_LOG_LEVEL_NONE) != pqnn_status_success) return false;
    std::fprintf(stdout, "mine: %s\ntheirs: %s\n", mine.c_str(), theirs.c_str());
    return sink.messages.empty() &&
           mine.rfind("pqnn_create_fully_connected_nc_f32: input_stride (7)", 0) == 0 &&
           theirs.rfind("|pqnn_create_convert_nc_f32_f16: ", 0) == 0 &&
           contains(theirs, "channels") && pqnn_last_error_message() == mine;
  }, &err));
  EXPECT_EQ(err, "");
}

TEST(LogCallback, BadIsaIsAlwaysReportedWithTheValidValues) {
  for (bool with_callback : {false, true}) {
    SCOPED_TRACE(with_callback ? "callback" : "stderr");
    std::string err;
    EXPECT_TRUE(in_child([with_callback] {
      Sink sink;
      if (with_callback) pqnn_set_log_callback(Sink::callback, &sink);
      setenv("PQNN_ISA", "no-such-tier", 1);
      for (int i = 0; i < 100000 && pqnn_deinitialize() == pqnn_status_success; i++) {
      }
      if (pqnn_initialize() != pqnn_status_invalid_parameter) return false;
      const std::string last = pqnn_last_error_message();
      std::fprintf(stdout, "%s\n", last.c_str());
      bool ok = contains(last, "pqnn_initialize") && contains(last, "no-such-tier") &&
                contains(last, "valid values: scalar");
#if defined(__x86_64__)
      ok = ok && contains(last, "sse2, avx2, avxvnni, avx512, avx512vnni");
#elif defined(__aarch64__)
      ok = ok && contains(last, "neon, neonfp16arith, neondot");
#endif
      if (with_callback) {
        ok = ok && sink.messages.size() == 1 && sink.messages[0].level == PQNN_LOG_LEVEL_ERROR &&
             contains(sink.messages[0].text, "valid values");
      }
      // A good value then initializes.
      setenv("PQNN_ISA", "scalar", 1);
      ok = ok && pqnn_initialize() == pqnn_status_success &&
           std::strcmp(pqnn_isa_name(), "scalar") == 0;
      return ok;
    }, &err));
    if (with_callback) {
      EXPECT_EQ(err, "");
    } else {
      // Reported on stderr even at the default level of release builds.
      EXPECT_TRUE(contains(err, "PQNN_ISA=\"no-such-tier\"")) << err;
    }
  }
}

TEST(LogCallback, ExplicitLevelZeroSilencesTheBadIsaMessage) {
  std::string err;
  EXPECT_TRUE(in_child([] {
    pqnn_set_log_level(PQNN_LOG_LEVEL_NONE);
    setenv("PQNN_ISA", "no-such-tier", 1);
    for (int i = 0; i < 100000 && pqnn_deinitialize() == pqnn_status_success; i++) {
    }
    return pqnn_initialize() == pqnn_status_invalid_parameter &&
           contains(pqnn_last_error_message(), "valid values");
  }, &err));
  EXPECT_EQ(err, "");
}

}  // namespace
