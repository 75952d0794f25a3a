// Runs a test body in a forked child with its stdout and stderr captured: for checks of
// process-wide state that is read once (PQNN_LOG_LEVEL, PQNN_ISA, the log level and
// callback). Not available on WASM (no fork).
#pragma once

#include <functional>
#include <string>

namespace pqnn_test {

struct ChildResult {
  int exit_code = -1;  // the child's exit status; -1 when it did not exit normally
  std::string out, err;
};

// Forks; the child sets PQNN_LOG_LEVEL to `log_level` (nullptr: unsets it), runs `body`
// and exits 0 when it returned true, 1 otherwise.
ChildResult run_in_child(const char* log_level, const std::function<bool()>& body);

}  // namespace pqnn_test
