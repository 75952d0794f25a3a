// pqnn-demo: runs the end-to-end models of test/models (MobileNet v1 and v2 at 224x224,
// a transformer MLP block at batch 1, 8 and 128) through the runtime in every datatype
// mode (f32, f16, qd8, qs8 where the runtime can run the model in it) and prints, per
// model and datatype: latency (median of N invocations) on 1 thread and 2 threads, speedup
// over f32, accuracy against the f32 output on the same input, and which datatype each
// node ran in. --json FILE writes the same results.
//
// Usage: pqnn-demo [--iterations N] [--warmup N] [--pin CPU] [--models a,b] [--threads 1|1,2]
//                  [--json FILE] [--profile] [--profile-nodes] [--back-to-back]
// --back-to-back: each datatype's invocations one after another (its warm-up, then its N
// timed runs) instead of the datatypes taking turns: caches stay warm with one model's
// weights, as in a loop that runs one model (google-benchmark, ORT's perf test, XNNPACK's
// subgraph benches); the condition to compare pqnn with those side by side.
// --profile: after the timing, per model and datatype on 1 thread, where the time goes
// (pqnn_get_runtime_node_profile over the same number of invocations): ms per invocation
// summed per node type and compute datatype, and the slowest nodes with their GMAC/s.
// --profile-nodes: the same profile from each node's median over the invocations, then
// every node in plan order (path, banded, MACs, ms, GFLOP/s = 2 x MACs per second, to
// compare with bench/peak's FMA peak).
#include <pqnn.h>
#include <pthreadpool.h>

#if defined(__linux__)
#include <sched.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/model-graph.h"
#include "models/model-runtime.h"

namespace {

using pqnn_models::Datatype;

struct Options {
  size_t iterations = 30;
  size_t warmup = 3;
  int pin_cpu = -1;
  std::string models;  // comma-separated names; empty: all
  std::string json;
  bool two_threads = true;  // --threads 1: skip the 2-thread runs
  bool profile = false;
  bool profile_nodes = false;  // --profile-nodes: also every node in plan order
  bool back_to_back = false;   // --back-to-back: one datatype's runs after another's
};

struct Result {
  std::string model;
  double macs = 0.0;                     // multiply-accumulates per inference
  Datatype datatype = Datatype::f32;
  std::string status = "ok";             // or why the runtime could not run it
  double latency_ms[2] = {NAN, NAN};     // median, 1 and 2 threads
  double speedup[2] = {NAN, NAN};        // f32 latency / this latency, same thread count
  double cpu_ms = NAN;                   // 1 thread: median CPU time of the invoking thread
  double cpu_speedup = NAN;
  double cosine = NAN, max_rel = NAN;    // probe tensor vs f32
  double output_cosine = NAN;            // model output vs f32
  std::vector<pqnn_runtime_node_info> nodes;
  std::string profile;  // --profile: the printed report
};

// Pins the calling thread to one CPU (1-thread runs) or restores its original mask.
class Affinity {
 public:
  explicit Affinity(int cpu) : cpu_(cpu) {
#if defined(__linux__)
    if (cpu_ >= 0) have_original_ = sched_getaffinity(0, sizeof(original_), &original_) == 0;
#endif
  }
  void pin() {
#if defined(__linux__)
    if (cpu_ < 0 || !have_original_) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
      std::fprintf(stderr, "pqnn-demo: could not pin to CPU %d; running unpinned\n", cpu_);
    }
#endif
  }
  void restore() {
#if defined(__linux__)
    if (have_original_) sched_setaffinity(0, sizeof(original_), &original_);
#endif
  }

 private:
  int cpu_;
#if defined(__linux__)
  cpu_set_t original_;
  bool have_original_ = false;
#endif
};

double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  const size_t n = t.size();
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

double thread_cpu_ms() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
#else
  return NAN;
#endif
}

// Times the runtimes of one model in turn, one invocation each per round (rotating the
// order), so every datatype is measured over the same stretch of time: on a shared machine
// the load then affects them alike. Per runtime: medians of the wall time and of the
// invoking thread's CPU time (equal to the work done when one thread runs everything; it
// leaves out time spent preempted). Null runtimes are skipped.
void time_interleaved(const std::vector<std::unique_ptr<pqnn_models::ModelRuntime>>& ms,
    const Options& o, std::vector<double>* wall_ms, std::vector<double>* cpu_ms) {
  const size_t n = ms.size();
  std::vector<std::vector<double>> wall(n), cpu(n);
  auto timed = [&](size_t d) {
    const double cpu_start = thread_cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    ms[d]->invoke();
    wall[d].push_back(std::chrono::duration<double, std::milli>(
        std::chrono::steady_clock::now() - start).count());
    cpu[d].push_back(thread_cpu_ms() - cpu_start);
  };
  for (size_t d = 0; o.back_to_back && d < n; d++) {
    if (!ms[d]) continue;
    for (size_t i = 0; i < o.warmup; i++) ms[d]->invoke();
    for (size_t i = 0; i < o.iterations; i++) timed(d);
  }
  for (size_t i = 0; !o.back_to_back && i < o.warmup; i++) {
    for (const auto& m : ms) {
      if (m) m->invoke();
    }
  }
  for (size_t i = 0; !o.back_to_back && i < o.iterations; i++) {
    for (size_t k = 0; k < n; k++) {
      const size_t d = (i + k) % n;
      if (ms[d]) timed(d);
    }
  }
  wall_ms->assign(n, NAN);
  cpu_ms->assign(n, NAN);
  for (size_t d = 0; d < n; d++) {
    if (wall[d].empty()) continue;
    (*wall_ms)[d] = median(wall[d]);
    (*cpu_ms)[d] = median(cpu[d]);
  }
}

// --profile: `iterations` profiled invocations of runtime m (pinned, 1 thread); returns
// the report: ms per invocation per node type and datatype, then the 6 slowest nodes
// (means over the invocations). --profile-nodes: each node's median over the invocations
// instead (the counters are read and cleared after each one: a loaded machine's
// preemptions land in a few invocations), then every node in plan order.
std::string profile_runtime(pqnn_models::ModelRuntime& m, const Options& o) {
  pqnn_runtime_t rt = m.runtime();
  if (pqnn_enable_runtime_profiling(rt, 1) != pqnn_status_success) return "  (profiling failed)\n";
  const std::vector<pqnn_runtime_node_info> nodes = m.nodes();
  std::vector<std::vector<double>> node_ms(nodes.size());
  std::vector<uint64_t> node_macs(nodes.size(), 0);
  auto read_nodes = [&](double runs_divisor) {
    for (size_t i = 0; i < nodes.size(); i++) {
      pqnn_runtime_node_profile p{};
      if (pqnn_get_runtime_node_profile(rt, i, &p) != pqnn_status_success || p.runs == 0) continue;
      node_ms[i].push_back(double(p.time_ns) * 1e-6 / (runs_divisor > 0 ? runs_divisor : double(p.runs)));
      node_macs[i] = p.macs;
    }
  };
  for (size_t i = 0; i < o.iterations; i++) {
    m.invoke();
    if (o.profile_nodes) {
      read_nodes(1.0);
      pqnn_reset_runtime_profile(rt);
    }
  }
  if (!o.profile_nodes) read_nodes(0.0);
  pqnn_enable_runtime_profiling(rt, 0);
  struct Row { std::string name; double ms = 0.0; double macs = 0.0; size_t count = 0; };
  std::vector<Row> types, each, in_order;
  double total = 0.0;
  for (size_t i = 0; i < nodes.size(); i++) {
    if (node_ms[i].empty()) continue;
    const double ms = median(node_ms[i]);
    const double macs = double(node_macs[i]);
    const std::string name = std::string(nodes[i].type_name) + ":" +
        pqnn_datatype_string(nodes[i].compute_datatype);
    auto it = std::find_if(types.begin(), types.end(), [&](const Row& r) { return r.name == name; });
    if (it == types.end()) it = types.insert(types.end(), Row{name});
    it->ms += ms;
    it->macs += macs;
    it->count++;
    each.push_back(Row{"#" + std::to_string(i) + " " + name, ms, macs, 1});
    in_order.push_back(Row{"#" + std::to_string(i) + " " + name + " " + nodes[i].compute_path +
        (nodes[i].banded ? " [banded]" : ""), ms, macs, 1});
    total += ms;
  }
  auto slower = [](const Row& a, const Row& b) { return a.ms > b.ms; };
  std::sort(types.begin(), types.end(), slower);
  std::sort(each.begin(), each.end(), slower);
  std::string out;
  char line[160];
  auto row = [&](const Row& r) {
    std::snprintf(line, sizeof(line), "    %-44s x%-3zu %8.3f ms %5.1f%%", r.name.c_str(), r.count,
        r.ms, 100.0 * r.ms / total);
    out += line;
    if (r.macs > 0) {
      std::snprintf(line, sizeof(line), " %7.1f GMAC/s", r.macs / (r.ms * 1e6));
      out += line;
    }
    out += "\n";
  };
  for (const Row& r : types) row(r);
  std::snprintf(line, sizeof(line), "    %-49s %8.3f ms; slowest nodes:\n", "total", total);
  out += line;
  for (size_t i = 0; i < std::min<size_t>(6, each.size()); i++) row(each[i]);
  if (o.profile_nodes) {
    out += "    every node in plan order (median ms per invocation, GFLOP/s = 2 x MACs / time):\n";
    for (const Row& r : in_order) {
      std::snprintf(line, sizeof(line), "    %-52s %9.3f ms %9.2f MMAC", r.name.c_str(), r.ms,
          r.macs * 1e-6);
      out += line;
      if (r.macs > 0 && r.ms > 0) {
        std::snprintf(line, sizeof(line), " %7.1f GFLOP/s", 2.0 * r.macs / (r.ms * 1e6));
        out += line;
      }
      out += "\n";
    }
  }
  return out;
}

const Datatype kDatatypes[4] = {Datatype::f32, Datatype::f16, Datatype::qd8, Datatype::qs8};

// Every datatype of one model: accuracy and node report from the 1-thread runtimes, then
// interleaved timing on 1 thread (pinned) and on the 2-thread pool.
std::vector<Result> measure_model(const pqnn_models::ModelSpec& spec, pthreadpool_t pool,
    Affinity& affinity, const Options& o) {
  const pqnn_models::Graph graph = spec.build(spec.options);
  const std::vector<float> input = pqnn_models::random_input(graph, 42);
  pqnn_models::Calibration calibration;
  const enum pqnn_status cal_status = pqnn_models::calibrate(graph, input, &calibration);
  std::vector<Result> rs(4);
  for (size_t d = 0; d < 4; d++) {
    rs[d].model = spec.name;
    rs[d].macs = graph.macs();
    rs[d].datatype = kDatatypes[d];
  }
  for (int t = 0; t < (o.two_threads ? 2 : 1); t++) {
    std::vector<std::unique_ptr<pqnn_models::ModelRuntime>> ms(4);
    for (size_t d = 0; d < 4; d++) {
      Result& r = rs[d];
      if (r.status != "ok") continue;
      if (kDatatypes[d] == Datatype::qs8 && cal_status != pqnn_status_success) {
        r.status = std::string("calibration failed: ") + pqnn_status_string(cal_status);
        continue;
      }
      enum pqnn_status s = pqnn_models::ModelRuntime::create(graph, kDatatypes[d],
          &calibration, t == 0 ? nullptr : pool, &ms[d]);
      if (s == pqnn_status_success) {
        ms[d]->input() = input;
        s = ms[d]->invoke();
      }
      if (s != pqnn_status_success) {
        r.status = std::string("not run by the runtime: ") + pqnn_status_string(s);
        ms[d].reset();
        continue;
      }
      if (t == 0 && ms[0]) {
        r.cosine = pqnn_models::cosine_similarity(ms[d]->probe(), ms[0]->probe());
        r.max_rel = pqnn_models::max_relative_error(ms[d]->probe(), ms[0]->probe());
        r.output_cosine = pqnn_models::cosine_similarity(ms[d]->output(), ms[0]->output());
        r.nodes = ms[d]->nodes();
      }
    }
    if (t == 0) affinity.pin();
    std::vector<double> wall, cpu;
    time_interleaved(ms, o, &wall, &cpu);
    if (t == 0 && (o.profile || o.profile_nodes)) {
      for (size_t d = 0; d < 4; d++) {
        if (ms[d]) rs[d].profile = profile_runtime(*ms[d], o);
      }
    }
    affinity.restore();
    for (size_t d = 0; d < 4; d++) {
      rs[d].latency_ms[t] = wall[d];
      rs[d].speedup[t] = wall[0] / wall[d];
      if (t == 0) {
        rs[d].cpu_ms = cpu[d];
        rs[d].cpu_speedup = cpu[0] / cpu[d];
      }
    }
  }
  return rs;
}

bool selected(const Options& o, const std::string& name) {
  if (o.models.empty()) return true;
  std::stringstream ss(o.models);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == name) return true;
  }
  return false;
}

std::string cpu_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown CPU";
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

void write_json(const Options& o, const std::vector<Result>& results) {
  std::ofstream f(o.json);
  f << "{\n  \"machine\": {\"cpu\": \"" << json_escape(cpu_name()) << "\", \"isa\": \""
    << pqnn_isa_name() << "\"},\n";
  f << "  \"settings\": {\"iterations\": " << o.iterations << ", \"warmup\": " << o.warmup
    << ", \"order\": \"" << (o.back_to_back ? "back-to-back" : "interleaved") << "\""
    << ", \"pinned_cpu_for_1_thread\": " << o.pin_cpu << "},\n";
  f << "  \"definitions\": {\"latency_ms\": \"median wall time of iterations invocations, per thread count\", "
       "\"cpu_ms_1_thread\": \"median CPU time of the invoking thread, 1 thread\", "
       "\"speedup_vs_f32\": \"f32 latency / this latency at the same thread count\", "
       "\"cosine\": \"cosine similarity with the f32 runtime's probe tensor (logits; MLP: FC2 "
       "output before the residual add) on the same input\", \"max_relative_error\": "
       "\"max |y - y_f32| / max |y_f32| over the probe tensor\"},\n";
  f << "  \"results\": [\n";
  for (size_t i = 0; i < results.size(); i++) {
    const Result& r = results[i];
    f << "    {\"model\": \"" << r.model << "\", \"macs\": " << num(r.macs)
      << ", \"datatype\": \""
      << pqnn_models::datatype_name(r.datatype) << "\", \"status\": \"" << json_escape(r.status)
      << "\", \"latency_ms\": {\"1\": " << num(r.latency_ms[0]) << ", \"2\": "
      << num(r.latency_ms[1]) << "}, \"cpu_ms_1_thread\": " << num(r.cpu_ms)
      << ", \"cpu_speedup_vs_f32_1_thread\": " << num(r.cpu_speedup)
      << ", \"speedup_vs_f32\": {\"1\": " << num(r.speedup[0])
      << ", \"2\": " << num(r.speedup[1]) << "}, \"cosine\": " << num(r.cosine)
      << ", \"max_relative_error\": " << num(r.max_rel) << ", \"output_cosine\": "
      << num(r.output_cosine) << ", \"node_summary\": \""
      << json_escape(pqnn_models::describe_nodes(r.nodes)) << "\", \"nodes\": [";
    for (size_t k = 0; k < r.nodes.size(); k++) {
      const pqnn_runtime_node_info& n = r.nodes[k];
      f << (k ? ", " : "") << "{\"type\": \"" << n.type_name
        << "\", \"datatype\": \"" << pqnn_datatype_string(n.compute_datatype)
        << "\", \"fused_clamp\": " << n.fused_clamp << ", \"inserted\": " << n.inserted << "}";
    }
    f << "]}" << (i + 1 < results.size() ? "," : "") << "\n";
  }
  f << "  ]\n}\n";
}

int usage() {
  std::fprintf(stderr, "usage: pqnn-demo [--iterations N] [--warmup N] [--pin CPU] "
      "[--models name,name] [--threads 1|1,2] [--json FILE] [--profile] [--profile-nodes] "
      "[--back-to-back]\nmodels:");
  for (const auto& spec : pqnn_models::benchmark_models()) std::fprintf(stderr, " %s", spec.name.c_str());
  std::fprintf(stderr, "\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    }
    if (a == "--profile") {
      o.profile = true;
      continue;
    }
    if (a == "--profile-nodes") {
      o.profile_nodes = true;
      continue;
    }
    if (a == "--back-to-back") {
      o.back_to_back = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (a == "--iterations") o.iterations = std::max<size_t>(1, std::strtoul(v, nullptr, 10));
    else if (a == "--warmup") o.warmup = std::strtoul(v, nullptr, 10);
    else if (a == "--pin") o.pin_cpu = std::atoi(v);
    else if (a == "--models") o.models = v;
    else if (a == "--json") o.json = v;
    else if (a == "--threads" && (std::string(v) == "1" || std::string(v) == "1,2")) {
      o.two_threads = std::string(v) == "1,2";
    }
    else return usage();
  }
  if (pqnn_initialize() != pqnn_status_success) {
    std::fprintf(stderr, "pqnn-demo: pqnn_initialize failed\n");
    return 1;
  }
  // The 2-thread pool is created before any pinning, so its worker keeps every CPU.
  pthreadpool_t pool = pthreadpool_create(2);
  Affinity affinity(o.pin_cpu);

  std::printf("pqnn end-to-end models on %s, kernels: %s\n", cpu_name().c_str(), pqnn_isa_name());
  enum pqnn_fp16_decision hint = pqnn_fp16_decision_none;
  pqnn_fp16_inference_decision(PQNN_FLAG_FP16_INFERENCE, &hint);
  std::printf("Latency: median of %zu invocations after %zu warm-up, 1 thread%s%s;\n%s",
      o.iterations, o.warmup,
      o.pin_cpu >= 0 ? (" pinned to CPU " + std::to_string(o.pin_cpu)).c_str() : "",
      o.two_threads ? " and 2 threads" : "",
      o.back_to_back ? "each datatype's invocations back to back (caches warm with its weights).\n"
                     : "the datatypes of a model take turns, one invocation each, so load hits them alike.\n");
  std::printf("Accuracy vs the f32 output on the same input, on the logits (MobileNets) and on the\n"
      "MLP's FC2 output before its residual add (softmax probabilities and the residual sum\n"
      "would hide errors): cosine similarity, and max rel err = max|y - y_f32| / max|y_f32|.\n"
      "1T cpu ms: CPU time of the invoking thread (robust when other processes share the core).\n"
      "x f32: f32 latency / this latency, same thread count and clock.\n"
      "Modes: f16 = PQNN_FLAG_FORCE_FP16_INFERENCE (f16 forced; the hint PQNN_FLAG_FP16_INFERENCE\n"
      "%s on %s), qd8 = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION,\n"
      "qs8 = static int8 activations with scales calibrated by an f32 run on this input.\n\n",
      hint == pqnn_fp16_decision_fp16 ? "runs f16 too" : "runs f32: no f16 arithmetic",
      pqnn_isa_name());
  std::printf("%-21s %-4s | %9s %6s %9s %6s | %9s %6s | %9s %9s\n", "model", "dt", "1T ms",
      "x f32", "1T cpu ms", "x f32", "2T ms", "x f32", "cosine", "max rel");
  std::printf("%s\n", std::string(106, '-').c_str());

  std::vector<Result> results;
  for (const pqnn_models::ModelSpec& spec : pqnn_models::benchmark_models()) {
    if (!selected(o, spec.name)) continue;
    for (Result& r : measure_model(spec, pool, affinity, o)) {
      if (r.status == "ok") {
        char two_threads[32] = "        -      -";  // not measured (--threads 1)
        if (!std::isnan(r.latency_ms[1])) {
          std::snprintf(two_threads, sizeof(two_threads), "%9.3f %6.2f", r.latency_ms[1],
              r.speedup[1]);
        }
        std::printf("%-21s %-4s | %9.3f %6.2f %9.3f %6.2f | %s | %9.6f %9.2e\n",
            r.model.c_str(), pqnn_models::datatype_name(r.datatype), r.latency_ms[0],
            r.speedup[0], r.cpu_ms, r.cpu_speedup, two_threads, r.cosine, r.max_rel);
      } else {
        std::printf("%-21s %-4s | %s\n", r.model.c_str(), pqnn_models::datatype_name(r.datatype),
            r.status.c_str());
      }
      results.push_back(std::move(r));
    }
    std::fflush(stdout);
  }

  std::printf("\nWhich datatype each node ran in (planner report; + = conversion the planner "
      "inserted, fused clamps not counted):\n");
  for (const Result& r : results) {
    if (r.status != "ok") continue;
    std::printf("  %-22s %-4s %s\n", r.model.c_str(), pqnn_models::datatype_name(r.datatype),
        pqnn_models::describe_nodes(r.nodes).c_str());
  }
  if (o.profile || o.profile_nodes) {
    std::printf("\nProfile, 1 thread (ms per invocation; GMAC/s of the MAC-counting nodes):\n");
    for (const Result& r : results) {
      if (r.status != "ok") continue;
      std::printf("  %s %s\n%s", r.model.c_str(), pqnn_models::datatype_name(r.datatype),
          r.profile.c_str());
    }
  }
  if (!o.json.empty()) {
    write_json(o, results);
  }
  pthreadpool_destroy(pool);
  return 0;
}
