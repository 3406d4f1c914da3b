# The Python package `rmtbench` (python/): pybind11 bindings over rmt_engine. On by default when
# pybind11 and Python's development files are found, off in sanitizer builds (an ASan-instrumented
# module cannot be loaded by a plain interpreter). `pip install .` (pyproject.toml, scikit-build-core)
# configures this same project with the interpreter that runs pip.
#
# Interpreter: -DPython_EXECUTABLE=... chooses it. Left out (and not under pip), Debian's
# /usr/bin/python3 is preferred when it exists, because cmake/install_deps.sh installs NumPy and
# pytest for it (python3-numpy, python3-pytest); a pyenv or conda `python3` earlier on PATH would lack
# them. The module is built for that interpreter and the `python` test runs pytest with it.
if(DEFINED RMT_ENABLE_PYTHON AND NOT RMT_ENABLE_PYTHON)
  return()
endif()

set(_rmt_python_why "")
if(RMT_SANITIZE)
  set(_rmt_python_why "sanitizer build")
else()
  if(NOT DEFINED Python_EXECUTABLE AND NOT DEFINED SKBUILD AND EXISTS /usr/bin/python3)
    set(Python_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python 3.8 COMPONENTS Interpreter Development.Module)
  if(Python_FOUND)
    # pybind11 from Debian (pybind11-dev: /usr/lib/cmake/pybind11) or the interpreter's pip package.
    execute_process(COMMAND ${Python_EXECUTABLE} -m pybind11 --cmakedir OUTPUT_VARIABLE _rmt_pybind11_dir
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    set(PYBIND11_FINDPYTHON ON)
    find_package(pybind11 2.10 CONFIG QUIET HINTS ${_rmt_pybind11_dir})
    if(NOT pybind11_FOUND)
      set(_rmt_python_why "pybind11 not found (Debian: pybind11-dev)")
    endif()
  else()
    set(_rmt_python_why "Python development files not found (Debian: python3-dev)")
  endif()
endif()

if(_rmt_python_why STREQUAL "")
  option(RMT_ENABLE_PYTHON "Build the Python package (python/, pybind11)" ON)
else()
  option(RMT_ENABLE_PYTHON "Build the Python package (python/, pybind11)" OFF)
  if(RMT_ENABLE_PYTHON)
    message(FATAL_ERROR "RMT_ENABLE_PYTHON=ON: ${_rmt_python_why}")
  endif()
  message(STATUS "rmtbench: Python package off (${_rmt_python_why})")
endif()

if(RMT_ENABLE_PYTHON)
  # The static libraries end up inside a shared extension module.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
endif()
