#pragma once
// Exceptions of the results-file layer. Messages name the file and say what to do.
#include <stdexcept>
#include <string>

namespace sco::io {

/// The output file exists and --force was not given.
struct OutputExists : std::runtime_error {
    explicit OutputExists(const std::string& path)
        : std::runtime_error("output file '" + path +
                             "' already exists; use --force to overwrite it or choose another "
                             "name with -o"),
          path(path) {}
    std::string path;
};

/// A file is not a readable sco-sim results file: missing, not HDF5, wrong format
/// string, a dataset missing or of the wrong shape. what() names the file.
struct BadResults : std::runtime_error {
    BadResults(const std::string& path, const std::string& problem)
        : std::runtime_error(path + ": not a usable sco-sim results file: " + problem),
          path(path),
          problem(problem) {}
    std::string path;
    std::string problem;
};

}  // namespace sco::io
