// Fault behaviour of a long (nightly) run: NaN/Inf in a sampled matrix fails that case with the
// reason and the run goes on; a full disk or a file-size limit stops the run with exit 3 and only
// whole records, and `--resume` then completes it; a corrupted results.jsonl line stops `--resume`
// with exit 2 and the file and line named; SIGINT/SIGTERM keep only whole records and `--resume`
// completes; the random-feature continuation does not stall near a spectral edge.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"
#include "bench/run_command.hpp"
#include "core/base/error.hpp"
#include "core/base/finite.hpp"
#include "core/results/jsonl.hpp"
#include "law_support.hpp"
#include "support.hpp"
#include "theory/conjugate_kernel.hpp"
#include "theory/numerics/continuation.hpp"
#include "theory/numerics/newton_stop.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace rmt;
using rmt::test_support::rmtbench;
using rmt::test_support::slurp;

namespace {

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("rmt_test_faults_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The CPU backend with one fault injected: the `poison_call`-th result of gram() (counting from 1)
// gets `value` at (0, 0), or, with `in_eigenvalues`, the first eigenvalue of the `poison_call`-th
// eigenvalues() call does. Everything else is forwarded.
class FaultyBackend : public Backend {
 public:
  FaultyBackend(int poison_call, double value, bool in_eigenvalues = false)
      : inner_(make_cpu_backend()), poison_call_(poison_call), value_(value), in_eigenvalues_(in_eigenvalues) {}

  std::string_view name() const override { return inner_->name(); }
  DeviceInfo info() const override { return inner_->info(); }
  std::size_t available_bytes() const override { return inner_->available_bytes(); }
  std::size_t eigensolver_workspace_bytes(index_t n, index_t k) const override {
    return inner_->eigensolver_workspace_bytes(n, k);
  }
  Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols, std::span<const double> row_scale,
                         std::uint64_t offset) override {
    return in().sample_gaussian(key, rows, cols, row_scale, offset);
  }
  using Backend::gram;
  Matrix gram(const Matrix& a, double alpha, GramSide side) override {
    Matrix g = in().gram(a, alpha, side);
    if (in_eigenvalues_ || ++grams_ != poison_call_) return g;
    auto host = in().to_host(g);
    host[0] = value_;
    return in().from_host(g.rows(), g.cols(), host);
  }
  Matrix multiply(const Matrix& a, const Matrix& b, double alpha) override { return in().multiply(a, b, alpha); }
  Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) override {
    return in().multiply_transposed(a, b, alpha);
  }
  void apply_activation(Matrix& a, const Activation& f) override { in().apply_activation(a, f); }
  void apply_derivative(Matrix& a, const Activation& f) override { in().apply_derivative(a, f); }
  void hadamard(Matrix& a, const Matrix& b) override { in().hadamard(a, b); }
  void add_scaled(Matrix& a, const Matrix& b, double alpha) override { in().add_scaled(a, b, alpha); }
  void scale_rows(Matrix& a, std::span<const double> s) override { in().scale_rows(a, s); }
  void set_diagonal(Matrix& a, double value) override { in().set_diagonal(a, value); }
  void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) override { in().apply_kernel(g, f, distance); }
  std::vector<double> eigenvalues(Matrix& a) override {
    auto values = in().eigenvalues(a);
    if (in_eigenvalues_ && ++eigs_ == poison_call_) values[0] = value_;
    return values;
  }
  EigenPairs top_eigenpairs(Matrix& a, index_t k) override { return in().top_eigenpairs(a, k); }
  Matrix row_block(const Matrix& a, index_t r0, index_t r1) override { return in().row_block(a, r0, r1); }
  std::vector<double> to_host(const Matrix& a) override { return in().to_host(a); }
  Matrix from_host(index_t rows, index_t cols, std::span<const double> values) override {
    return in().from_host(rows, cols, values);
  }

 private:
  Backend& in() {
    inner_->set_precision(precision());
    return *inner_;
  }
  std::unique_ptr<Backend> inner_;
  int poison_call_, grams_ = 0, eigs_ = 0;
  double value_;
  bool in_eigenvalues_;
};

std::string case_error(Backend& backend, const bench::ResolvedCase& c) {
  try {
    bench::run_case(backend, c, scratch("case_error"));
  } catch (const NumericalError& e) {
    return e.what();
  }
  return "(no NumericalError)";
}

// Three fast mp cases (a sweep), in this order.
constexpr const char* kSweepSuite = R"(
[defaults]
seed = 5

[[case]]
name = "mp"
model = "mp"
params = { c = 0.5 }
sweep = { n = [300, 400, 500] }
)";

std::vector<json> records(const fs::path& dir) { return read_jsonl(dir / "results.jsonl").records; }

// Case name -> record without its timing; fails on a case recorded twice.
std::map<std::string, json> by_case(const fs::path& dir) {
  std::map<std::string, json> out;
  for (auto r : records(dir)) {
    r.erase("timing");
    const auto name = r["case"].get<std::string>();
    EXPECT_FALSE(out.count(name)) << name << " recorded twice in " << dir;
    out[name] = r;
  }
  return out;
}

using rmt::test_support::spawn;
using rmt::test_support::wait_exit;

}  // namespace

// ---------------------------------------------------------------- NaN / Inf in a sampled matrix

TEST(Faults, RequireFiniteNamesCountAndPlaces) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_NO_THROW(require_finite(std::vector<double>{1, -2, 3e300}, "x"));
  try {
    require_finite(std::vector<double>{1, nan, 2, -inf, inf, nan, nan}, "the test matrix");
    FAIL() << "no error";
  } catch (const NumericalError& e) {
    EXPECT_STREQ(e.what(), "the test matrix: 5 of 7 values are not finite (NaN at 1, -Inf at 3, +Inf at 4, ...)");
  }
  EXPECT_THROW(require_finite(std::vector<float>{1.0f, std::numeric_limits<float>::quiet_NaN()}, "f"), NumericalError);
}

TEST(Faults, NonFiniteGramFailsTheCaseWithTheReason) {
  const auto c = test_support::make_case("mp", {{"n", "300"}, {"c", "0.5"}});
  // NaN: LAPACKE would call it an illegal argument; +Inf: dsyevd would report no convergence.
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    FaultyBackend backend(1, bad);
    const auto what = case_error(backend, c);
    const std::string place = std::isnan(bad) ? "NaN at 0" : "+Inf at 0";
    EXPECT_NE(what.find("the 150x150 matrix given to the eigensolver: 1 of 22500 values are not finite (" + place + ")"),
              std::string::npos)
        << what;
  }
  // Non-finite eigenvalues (as a device eigensolver may return them): named by the case.
  FaultyBackend backend(1, std::numeric_limits<double>::quiet_NaN(), true);
  const auto what = case_error(backend, c);
  EXPECT_NE(what.find("the eigenvalues of replicate 0: 1 of 150 values are not finite (NaN at 0)"), std::string::npos)
      << what;
}

TEST(Faults, AFailedCaseIsRecordedAndTheRunGoesOn) {
  const auto root = scratch("nan_run");
  std::ofstream(root / "suite.toml") << kSweepSuite;
  bench::RunOptions o;
  o.suites = {(root / "suite.toml").string()};
  o.backend = "cpu";
  o.quiet = true;
  o.json = true;
  o.out = (root / "run").string();
  const auto faulty = [](std::string_view, std::string* note) -> std::unique_ptr<Backend> {
    if (note) *note = "faulty cpu";
    return std::make_unique<FaultyBackend>(2, std::numeric_limits<double>::quiet_NaN());  // the second case's Gram
  };
  testing::internal::CaptureStdout();
  const int code = bench::run_command(o, faulty);
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 1) << "a failed case makes the run exit 1";
  const auto recs = records(root / "run");
  ASSERT_EQ(recs.size(), 3u) << "the run goes on after the failed case";
  EXPECT_EQ(recs[0]["verdict"], "pass");
  EXPECT_EQ(recs[2]["verdict"], "pass");
  const auto& failed = recs[1];
  EXPECT_EQ(failed["case"], "mp[n=400]");
  EXPECT_EQ(failed["verdict"], "fail");
  ASSERT_TRUE(failed.contains("error"));
  EXPECT_NE(failed["error"].get<std::string>().find("values are not finite (NaN at 0)"), std::string::npos)
      << failed["error"];
  for (const char* key : {"schema_version", "case", "model", "backend", "params", "seed", "size", "metrics", "timing",
                          "repro", "case_id", "sweep"})
    EXPECT_TRUE(failed.contains(key)) << key;
  EXPECT_TRUE(fs::exists(root / "run" / "report.html"));
  // The report and a resume (on the real backend) take the failed record as it is.
  const auto report = rmtbench("report " + (root / "run").string());
  EXPECT_EQ(report.code, 0) << report.err;
  const auto resumed = rmtbench("run --resume " + (root / "run").string());
  EXPECT_EQ(resumed.code, 1) << resumed.err;
  EXPECT_NE(resumed.err.find("3 cases already recorded, 0 to run"), std::string::npos) << resumed.err;
  EXPECT_EQ(records(root / "run").size(), 3u);
}

// ---------------------------------------------------------------- results disk full

TEST(Faults, FileSizeLimitStopsTheRunWithWholeRecordsAndResumeCompletes) {
  const auto root = scratch("disk_full");
  std::ofstream(root / "suite.toml") << kSweepSuite;
  const auto suite = (root / "suite.toml").string();
  const auto full = rmtbench("run " + suite + " --backend cpu --quiet --out " + (root / "full").string());
  ASSERT_EQ(full.code, 0) << full.err;
  const auto reference = by_case(root / "full");
  ASSERT_EQ(reference.size(), 3u);
  const auto record_bytes = fs::file_size(root / "full" / "results.jsonl") / 3;
  // A limit (in KiB, as bash's ulimit -f counts) that one record fits under but not two: the second
  // append fails halfway.
  const auto limit_kib = (record_bytes * 3 / 2) / 1024;
  ASSERT_GT(limit_kib * 1024, record_bytes);
  ASSERT_LT(limit_kib * 1024, 2 * record_bytes);
  const auto out = root / "limited";
  // The limit needs a shell around the binary (test_support::rmtbench runs it directly).
  const std::string cmd = "bash -c 'ulimit -f " + std::to_string(limit_kib) + "; exec \"$0\" \"$@\"' " +
                          test_support::binary() + " run " + suite + " --backend cpu --quiet --out " + out.string() +
                          " >/dev/null 2>" + (root / "limited.err").string();
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal (SIGXFSZ not ignored?)";
  EXPECT_EQ(WEXITSTATUS(status), 3);
  const auto err = slurp(root / "limited.err");
  EXPECT_NE(err.find("cannot append to '" + (out / "results.jsonl").string() + "': File too large"), std::string::npos)
      << err;
  EXPECT_NE(err.find("the 1 finished case is kept"), std::string::npos) << err;
  EXPECT_NE(err.find("rmtbench run --resume " + out.string()), std::string::npos) << err;
  // Only whole records: one, and no partial second line.
  const auto text = slurp(out / "results.jsonl");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text.size() << " bytes";
  EXPECT_EQ(text.back(), '\n');
  const auto kept = read_jsonl(out / "results.jsonl");
  EXPECT_FALSE(kept.partial_tail);
  ASSERT_EQ(kept.records.size(), 1u);
  // No temporary files left behind by a failed atomic write.
  for (const auto& entry : fs::recursive_directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  // Space freed (no limit): the resume measures the two missing cases, nothing lost or duplicated.
  const auto resumed = rmtbench("run --resume " + out.string() + " --quiet");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(by_case(out), reference);
}

TEST(Faults, FullDiskIsAResourceError) {
  // /dev/full fails every write with ENOSPC.
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    append_jsonl_line("/dev/full", R"({"a":1})");
    FAIL() << "no error";
  } catch (const ResourceError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot append to '/dev/full': No space left on device (out of disk space"),
              std::string::npos)
        << e.what();
  }
}

// ---------------------------------------------------------------- corrupted results.jsonl

TEST(Faults, CorruptedLineStopsResumeNamingFileAndLine) {
  const auto root = scratch("corrupt");
  std::ofstream(root / "suite.toml") << kSweepSuite;
  const auto out = root / "run";
  ASSERT_EQ(rmtbench("run " + (root / "suite.toml").string() + " --backend cpu --quiet --out " + out.string()).code, 0);
  auto text = slurp(out / "results.jsonl");
  const auto second = text.find('\n') + 1;
  text.replace(second, 10, "#garbage#");  // line 2 damaged, still a complete line
  std::ofstream(out / "results.jsonl", std::ios::binary | std::ios::trunc) << text;
  const auto before = slurp(out / "results.jsonl");
  const auto report_before = slurp(out / "report.html");
  const auto r = rmtbench("run --resume " + out.string() + " --quiet");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find((out / "results.jsonl").string() + ":2: not a JSON object"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("#garbage#"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out / "results.jsonl"), before) << "nothing overwritten";
  EXPECT_EQ(slurp(out / "report.html"), report_before) << "nothing overwritten";
}

// ---------------------------------------------------------------- SIGINT / SIGTERM mid-case

TEST(Faults, SignalMidCaseKeepsWholeRecordsAndResumeCompletes) {
  const auto root = scratch("signal");
  // A fast case, then a slow one (about a second or more), then a fast one.
  std::ofstream(root / "suite.toml") << R"(
[defaults]
seed = 3

[[case]]
name = "fast"
model = "mp"
params = { n = 300 }

[[case]]
name = "slow"
model = "mp"
params = { n = 3000 }
replicates = 4

[[case]]
name = "last"
model = "mp"
params = { n = 400 }
)";
  for (const int sig : {SIGTERM, SIGINT}) {
    const auto out = root / ("run_" + std::to_string(sig));
    const pid_t pid = spawn({"run", (root / "suite.toml").string(), "--backend", "cpu", "--out", out.string()},
                            out.string() + ".log");
    const auto start = std::chrono::steady_clock::now();
    // Wait for the first record: the slow case has started.
    while (!fs::exists(out / "results.jsonl") || slurp(out / "results.jsonl").find('\n') == std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(120)) << "no first record";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(pid, sig);
    EXPECT_EQ(wait_exit(pid), 128 + sig) << "dies of the signal, as before";
    const auto err = slurp(out.string() + ".log.err");
    EXPECT_NE(err.find("interrupted; the cases finished so far are kept in " + (out / "results.jsonl").string() +
                       ", continue with: rmtbench run --resume " + out.string()),
              std::string::npos)
        << err;
    const auto kept = read_jsonl(out / "results.jsonl");
    EXPECT_FALSE(kept.partial_tail);
    ASSERT_EQ(kept.records.size(), 1u) << "the slow case in flight is not recorded";
    EXPECT_EQ(kept.records[0]["case"], "fast");
    const auto resumed = rmtbench("run --resume " + out.string() + " --quiet");
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    const auto all = by_case(out);
    EXPECT_EQ(all.size(), 3u);
    for (const char* name : {"fast", "slow", "last"}) EXPECT_TRUE(all.count(name)) << name;
  }
}

// ---------------------------------------------------------------- theory: no silent stalls

TEST(Faults, NewtonStopAcceptsStagnationOnlyAtTheRoundingFloor) {
  theory::numerics::NewtonStop quadratic;
  EXPECT_FALSE(quadratic.converged(1e-3, 2.5, 1e-6));
  EXPECT_FALSE(quadratic.converged(4e-8, 2.5, 1e-10));
  EXPECT_TRUE(quadratic.converged(1e-13, 2.5, 1e-14));
  // Near an edge: the step jitters at ~2e-11 with the residual at ~5e-14 (nearly singular Jacobian).
  theory::numerics::NewtonStop edge;
  EXPECT_FALSE(edge.converged(1e-3, 2.5, 4e-6));
  EXPECT_FALSE(edge.converged(3.5e-5, 2.5, 1.4e-7));
  EXPECT_FALSE(edge.converged(2.4e-11, 2.5, 7e-14));  // still shrinking fast
  EXPECT_TRUE(edge.converged(2.0e-11, 2.5, 3e-14));   // no longer shrinking: the rounding floor
  // Stagnation far from a solution (large residual or step) is not convergence.
  theory::numerics::NewtonStop stuck;
  EXPECT_FALSE(stuck.converged(1e-4, 1.0, 1e-3));
  EXPECT_FALSE(stuck.converged(1e-4, 1.0, 1e-3));
  theory::numerics::NewtonStop residual;
  EXPECT_FALSE(residual.converged(1e-10, 1.0, 1e-8));
  EXPECT_FALSE(residual.converged(1e-10, 1.0, 1e-8));
}

namespace {

// The law of a data-dependent model as `rmtbench theory MODEL --seed SEED` builds it; checks that it
// builds (the continuation used to stall near the left edge on some seeds) and that its density
// carries the mass the atoms leave.
void expect_law_builds(const std::string& model, int n, const std::string& data, std::uint64_t seed) {
  SCOPED_TRACE(model + " n=" + std::to_string(n) + " data=" + data + " seed=" + std::to_string(seed));
  const auto c = test_support::make_case(model, {{"n", std::to_string(n)}, {"data", data}}, 1, seed);
  std::unique_ptr<SpectralLaw> law;
  ASSERT_NO_THROW(law = c.model->law(c.params, StreamKey{seed, c.case_key, 0, 0}));
  ASSERT_FALSE(law->support().empty());
  double atoms = 0;
  for (const auto& a : law->atoms()) atoms += a.mass;
  double bulk = 0;
  for (const auto& s : law->support())
    bulk += test_support::integrate_interval(s.lo, s.hi, [&](double x) { return law->density(x); });
  EXPECT_NEAR(bulk + atoms, 1.0, 2e-3);
}

}  // namespace

TEST(Faults, RandomFeatureContinuationSeedsThatStalledAtN2000) {
  // `rmtbench theory rff --set n=2000 --set data=gmm --seed 4` (and these others) failed with
  // "RandomFeatureGram: continuation stalled at 0.0298+6.6e-07i".
  for (const int seed : {4, 12, 14, 19}) expect_law_builds("rff", 2000, "gmm", seed);
  for (const int seed : {9, 13}) expect_law_builds("rff", 2000, "gaussian", seed);
  for (const int seed : {4, 9}) expect_law_builds("llc_gram", 2000, "gmm", seed);
}

TEST(Faults, RandomFeatureContinuationSeedSweepN1000AgreesWithSampledSpectra) {
  for (const char* model : {"rff", "llc_gram"})
    for (const int seed : {1, 2, 3, 4, 5, 6}) expect_law_builds(model, 1000, seed % 2 ? "gmm" : "gaussian", seed);
  // Against the dense eigenvalues of sampled matrices (the case's own verdict and Stieltjes error).
  for (const char* model : {"rff", "llc_gram"}) {
    const auto c = test_support::make_case(model, {{"n", "1000"}, {"data", "gmm"}}, 1, 4);
    const auto r = test_support::run_on_cpu(c);
    EXPECT_EQ(r["verdict"], "pass") << model << " " << r["metrics"].dump() << " " << r["tolerance"].dump();
    EXPECT_LT(r["metrics"]["stieltjes_error"].get<double>(), 0.01) << model;
  }
}

TEST(Faults, RandomFeatureContinuationN3000AndN4000) {
  expect_law_builds("rff", 3000, "gmm", 4);
  expect_law_builds("llc_gram", 3000, "gaussian", 9);
  expect_law_builds("rff", 4000, "gaussian", 13);
  expect_law_builds("llc_gram", 4000, "gmm", 12);
}

// ---------------------------------------------------------------- theory: named errors with residuals

TEST(Faults, StalledContinuationIsANamedError) {
  // Newton that fails below Im z = 1e-3: the descent to 1e-12 stalls there, and says where.
  std::vector<complex> state{complex(0.1, 0.2)};
  double eta = 1.0;
  try {
    theory::numerics::descend_to_axis(
        state, 0.5, 1e-12, eta, 1e-9, 0.0, [](std::vector<complex>&, complex z) { return z.imag() >= 1e-3; }, "Probe");
    FAIL() << "no error";
  } catch (const NumericalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Probe: continuation stalled at 0.5+"), std::string::npos) << what;
    EXPECT_NE(what.find("target 1e-12"), std::string::npos) << what;
  }
  EXPECT_GE(eta, 1e-3);
}

TEST(Faults, UnconvergedNestedFixedPointIsANamedErrorWithItsResidual) {
  // The literal nested fixed point of the conjugate kernel, on the real axis inside the bulk: real
  // iterates cannot reach the complex root, so it wanders; it used to return its last iterate.
  const theory::ConjugateKernel ck(0.0, 1.0, {0.5});  // b = 0: the layer map is MP's own
  ASSERT_GT(ck.layer_density(1, 1.3), 0.1) << "z = 1.3 must be inside the bulk";
  try {
    const complex m = ck.nested_layer_stieltjes(1, complex(1.3, 0.0));
    FAIL() << "returned " << m;
  } catch (const NumericalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ConjugateKernel: the nested fixed point of layer 1 did not converge at z = 1.3+0i (stopped after 5000 steps"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("residual |T(m) − m| = "), std::string::npos) << what;
    std::cout << what << "\n";
  }
}
