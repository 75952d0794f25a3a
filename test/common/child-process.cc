#include "common/child-process.h"

#if !defined(__wasm__)

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace pqnn_test {
namespace {

std::string read_all(FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
  return s;
}

}  // namespace

ChildResult run_in_child(const char* log_level, const std::function<bool()>& body) {
  ChildResult c;
  FILE* out = std::tmpfile();
  FILE* err = std::tmpfile();
  if (out == nullptr || err == nullptr) {
    ADD_FAILURE() << "tmpfile failed";
    if (out != nullptr) std::fclose(out);
    if (err != nullptr) std::fclose(err);
    return c;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (log_level != nullptr) {
      setenv("PQNN_LOG_LEVEL", log_level, 1);
    } else {
      unsetenv("PQNN_LOG_LEVEL");
    }
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    const bool ok = body();
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    ADD_FAILURE() << "fork/waitpid failed";
  } else if (WIFEXITED(status)) {
    c.exit_code = WEXITSTATUS(status);
  }
  c.out = read_all(out);
  c.err = read_all(err);
  std::fclose(out);
  std::fclose(err);
  return c;
}

}  // namespace pqnn_test

#endif  // !defined(__wasm__)
