// rmtbench.theory(): the engine's TheoryQuery (bench/queries.hpp), the object `rmtbench theory`
// prints, with the law's density and Stieltjes transform evaluated at NumPy arrays of points.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include "bench/queries.hpp"
#include "python/src/bindings.hpp"

namespace rmt::python {

namespace {

using bench::TheoryQuery;

// Row-major (rows × columns) values as a 2-D array.
py::array_t<double> table(std::vector<double>&& values, std::size_t columns) {
  const auto rows = static_cast<py::ssize_t>(values.size() / columns);
  return to_numpy(std::move(values), {rows, static_cast<py::ssize_t>(columns)});
}

py::array_t<double> support(const TheoryQuery& q) {
  std::vector<double> v;
  for (const auto& s : q.law("support").support()) v.insert(v.end(), {s.lo, s.hi});
  return table(std::move(v), 2);
}

py::array_t<double> atoms(const TheoryQuery& q) {
  std::vector<double> v;
  for (const auto& a : q.law("atoms").atoms()) v.insert(v.end(), {a.x, a.mass});
  return table(std::move(v), 2);
}

py::array_t<double> outliers(const TheoryQuery& q) {
  std::vector<double> v;
  for (const auto& o : q.outliers()) v.insert(v.end(), {o.spike, o.position, o.alignment});
  return table(std::move(v), 3);
}

py::array_t<double> density(const TheoryQuery& q, const py::array_t<double, py::array::c_style | py::array::forcecast>& x) {
  const auto& law = q.law("density");
  py::array_t<double> out(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  const double* in = x.data();
  double* res = out.mutable_data();
  for (py::ssize_t i = 0; i < x.size(); ++i) res[i] = law.density(in[i]);
  return out;
}

py::array_t<complex> stieltjes(const TheoryQuery& q,
                               const py::array_t<complex, py::array::c_style | py::array::forcecast>& z) {
  const auto& law = q.law("stieltjes");
  py::array_t<complex> out(std::vector<py::ssize_t>(z.shape(), z.shape() + z.ndim()));
  const complex* in = z.data();
  complex* res = out.mutable_data();
  for (py::ssize_t i = 0; i < z.size(); ++i) res[i] = law.stieltjes(in[i]);
  return out;
}

// The curve's axis and its train/test/bias/variance columns (NaN where the theory predicts nothing).
py::dict curve(const TheoryQuery& q) {
  std::vector<double> train, test, bias, variance;
  for (const auto& p : q.points()) {
    train.push_back(p.train);
    test.push_back(p.test);
    bias.push_back(p.bias);
    variance.push_back(p.variance);
  }
  py::dict d;
  d["axis"] = q.axis().name;
  d[py::str(q.axis().name)] = to_numpy(std::vector<double>(q.axis().values));
  d["train"] = to_numpy(std::move(train));
  d["test"] = to_numpy(std::move(test));
  d["bias"] = to_numpy(std::move(bias));
  d["variance"] = to_numpy(std::move(variance));
  return d;
}

}  // namespace

void bind_theory(py::module_& m) {
  py::class_<TheoryQuery>(m, "TheoryQuery", "The resolved theory of one model (bench/queries.hpp)")
      .def(py::init([](const std::string& model, const std::vector<std::string>& sets, const std::string& t,
                       std::uint64_t seed) {
             return without_gil([&] {
               auto q = std::make_unique<TheoryQuery>(model, sets, t, seed);
               if (!q->is_curve() && !q->is_functional()) q->law("theory");  // built now (and once): later calls only read it
               return q;
             });
           }),
           py::arg("model"), py::arg("sets"), py::arg("t"), py::arg("seed"))
      .def_property_readonly("is_curve", &TheoryQuery::is_curve)
      .def_property_readonly("is_functional", &TheoryQuery::is_functional)
      .def_property_readonly("params_json", [](const TheoryQuery& q) { return q.params().to_json().dump(); })
      .def_property_readonly("support", &support)
      .def_property_readonly("atoms", &atoms)
      .def_property_readonly("outliers", &outliers)
      .def_property_readonly("has_outliers", &TheoryQuery::has_outliers)
      .def_property_readonly("moments", [](const TheoryQuery& q) { return to_numpy(q.law("moments").moments(2)); })
      .def_property_readonly("curve", &curve)
      .def("density", &density, py::arg("x"))
      .def("stieltjes", &stieltjes, py::arg("z"))
      .def("json", [](const TheoryQuery& q, const std::vector<double>& x, const std::vector<complex>& z) {
             return q.json(x, z).dump();
           }, py::arg("x"), py::arg("z"), "The object `rmtbench theory` prints (JSON text); empty lists: the defaults.");
}

}  // namespace rmt::python
