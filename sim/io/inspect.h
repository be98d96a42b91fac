#pragma once
// Everything an HDF5 file holds, in comparable form: for tests that prove two files
// identical (a merged file and a single run's) and for debugging. Reads whole datasets:
// meant for small files.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sco::io {

struct StoredObject {
    std::string kind;  ///< "group" or "dataset" (or "other")
    std::string type;  ///< datatype: class, size, sign, string padding/charset, enum names
    std::vector<std::uint64_t> dims, maxdims;  ///< maxdims: UINT64_MAX = unlimited
    std::string layout;  ///< "contiguous", "compact" or "chunked[c0,c1,..] filters[id,..]"
    /// The values: raw bytes as stored for fixed-size types; variable-length strings as
    /// length-prefixed text.
    std::string data;
    std::map<std::string, std::string> attrs;  ///< name -> type, shape and value
    bool operator==(const StoredObject&) const = default;
};

/// Every object of the file by path ("/" is the root group). Throws BadResults if the
/// file cannot be read.
std::map<std::string, StoredObject> inspect_file(const std::string& path);

}  // namespace sco::io
