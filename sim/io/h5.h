#pragma once
// Internal to sim/io: thin RAII and error-checking helpers over the HDF5 C API.
// Every failing call becomes an h5::Failure whose message says what was being done
// and what HDF5 reported (innermost error first, e.g. "No space left on device").
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace sco::io::h5 {

/// A count as an HDF5 dimension.
inline hsize_t hs(std::int64_t v) {
    return static_cast<hsize_t>(v);
}

/// What a derived dataset holds where it is undefined (e.g. a never-tabled proposal).
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// An HDF5 call failed. The callers add the file name.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Turns off HDF5's automatic error printing for its lifetime and restores the previous
/// handler afterwards.
class QuietErrors {
  public:
    QuietErrors();
    ~QuietErrors();
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

  private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
    bool saved_ = false;
};

/// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
  public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    ~Handle() { (void)close(); }
    Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            (void)close();
            id_ = o.id_;
            closer_ = o.closer_;
            o.id_ = H5I_INVALID_HID;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    [[nodiscard]] hid_t get() const { return id_; }
    [[nodiscard]] bool valid() const { return id_ >= 0; }
    /// Closes now; returns false if HDF5 reported an error (e.g. a failed flush).
    bool close() noexcept {
        if (id_ < 0) return true;
        const herr_t rc = closer_(id_);
        id_ = H5I_INVALID_HID;
        return rc >= 0;
    }

  private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

/// The innermost messages of the current HDF5 error stack, or "" if it is empty.
std::string error_detail();

/// Throws Failure("WHAT: detail") if id < 0; returns id.
hid_t check_id(hid_t id, const std::string& what);
/// Throws Failure("WHAT: detail") if rc < 0.
void check_rc(herr_t rc, const std::string& what);

Handle file(hid_t id, const std::string& what);
Handle group(hid_t id, const std::string& what);
Handle dataset(hid_t id, const std::string& what);
Handle space(hid_t id, const std::string& what);
Handle type(hid_t id, const std::string& what);
Handle plist(hid_t id, const std::string& what);
Handle attribute(hid_t id, const std::string& what);

/// Native memory types for the element types used in results files.
template <typename T>
hid_t native();
template <>
inline hid_t native<std::uint8_t>() {
    return H5T_NATIVE_UINT8;
}
template <>
inline hid_t native<std::int8_t>() {
    return H5T_NATIVE_INT8;
}
template <>
inline hid_t native<std::uint16_t>() {
    return H5T_NATIVE_UINT16;
}
template <>
inline hid_t native<std::int32_t>() {
    return H5T_NATIVE_INT32;
}
template <>
inline hid_t native<std::int64_t>() {
    return H5T_NATIVE_INT64;
}
template <>
inline hid_t native<std::uint64_t>() {
    return H5T_NATIVE_UINT64;
}
template <>
inline hid_t native<float>() {
    return H5T_NATIVE_FLOAT;
}
template <>
inline hid_t native<double>() {
    return H5T_NATIVE_DOUBLE;
}

/// Variable-length UTF-8 string type. Format 2 files never store it (it lives in the
/// global heap, which a damaged file can make libhdf5 crash or hang on); it is only the
/// memory type for reading format-1 files.
Handle vlen_string_type();

/// Fixed-length UTF-8 string type of `len` bytes (at least 1), null-padded.
Handle fixed_string_type(std::size_t len);

/// A file access list for files this version writes: strong close, and the HDF5 1.8
/// object format at least (attributes over 64 KiB, such as a long scenario_text stored
/// as a fixed-length string, need its dense attribute storage).
Handle file_access();

/// Enum type over uint8 with values 0..names.size()-1.
Handle enum_u8_type(const std::vector<std::string>& names);

Handle create_group(hid_t loc, const std::string& name);

/// Chunk dimensions of at most about `target_bytes` for a dataset of `dims`
/// (dims[0] may be a size hint for an extendible axis); every entry >= 1.
std::vector<hsize_t> chunk_dims(std::vector<hsize_t> dims, std::size_t elem_size,
                                std::size_t target_bytes);

/// The filters of a chunked dataset: deflate level (-1: no deflate filter) and byte
/// shuffle first (for multi-byte types). The default is what results files store.
struct Filters {
    int deflate = 4;
    bool shuffle = true;
};

/// Creates a dataset. With extendible, the first axis is unlimited and starts at 0
/// (dims[0] is then only a chunking hint). Non-empty datasets are chunked and
/// filtered with `filters` (by default deflate 4 with shuffle) when chunked is true.
/// With chunk_rows > 0 (fixed-size datasets) the chunk shape does not depend on dims[0]:
/// it is chosen as for chunk_rows rows (so chunk[0] divides chunk_rows if that is a power
/// of two), then chunk[0] is cut to dims[0].
Handle create_dataset(hid_t loc, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, bool extendible, bool chunked,
                      const Filters& filters = {}, hsize_t chunk_rows = 0);

/// What HDF5's shuffle (if `shuffle` and esize > 1) and deflate (level 0..9; < 0: none)
/// filters make of a chunk of `bytes` bytes: the bytes transposed by byte position, then
/// compressed into a zlib stream (the format H5Z_deflate writes and reads; made by
/// libdeflate, so the compressed bytes are not zlib's compress2's, the values are the same),
/// into `out` (`tmp`: scratch), ready for H5Dwrite_chunk. Any thread; throws
/// std::runtime_error if the compressor fails.
void encode_chunk(const std::byte* src, std::size_t bytes, std::size_t esize, int level,
                  bool shuffle, std::vector<std::byte>& out, std::vector<std::byte>& tmp);

/// Writes `buf` (row-major, whole dataset) with memory type mem_type.
void write_all(hid_t dset, hid_t mem_type, const void* buf, const std::string& what);

/// Grows the first axis to new_rows and writes rows [first, new_rows) from buf.
void append_rows(hid_t dset, hid_t mem_type, hsize_t first, hsize_t rows, const void* buf,
                 const std::string& what);

void set_attr(hid_t obj, const std::string& name, const std::string& value);
void set_attr(hid_t obj, const std::string& name, std::int64_t value);
void set_attr(hid_t obj, const std::string& name, std::uint64_t value);
void set_attr(hid_t obj, const std::string& name, double value);
/// A 1-D attribute of fixed-length UTF-8 strings (the longest value's length).
void set_attr(hid_t obj, const std::string& name, const std::vector<std::string>& values);

/// Sets the `axes` and `description` attributes every object of a results file carries.
void describe(hid_t obj, const std::string& axes, const std::string& description);

/// Writes a 1-D dataset of fixed-length UTF-8 strings (the longest value's length).
Handle write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values);

template <typename T>
Handle write_array(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                   const std::vector<T>& values, bool compress) {
    Handle d = create_dataset(loc, name, native<T>(), dims, false, compress);
    write_all(d.get(), native<T>(), values.data(), "writing " + name);
    return d;
}

// ---- reading ----
bool exists(hid_t loc, const std::string& path);
/// Opens a dataset; Failure("dataset PATH is missing") if it does not exist.
Handle open_dataset(hid_t loc, const std::string& path);
/// Dimensions of a dataset.
std::vector<hsize_t> shape(hid_t dset);

/// A shape as text, "[3, 4]", for messages.
std::string dims_text(const std::vector<hsize_t>& d);
/// Whether a reader accepts variable-length strings (format 1 files) or refuses them
/// before reading (format 2: no global heap is ever read).
enum class Vlen { Refuse, Allow };
/// Largest string, string dataset or attribute a reader accepts (a plausibility bound
/// checked before anything is allocated or read).
inline constexpr std::size_t kMaxStringBytes = std::size_t{256} << 20;
std::vector<std::string> read_strings(hid_t loc, const std::string& path, Vlen vlen = Vlen::Refuse);
std::string read_attr_string(hid_t obj, const std::string& name, Vlen vlen = Vlen::Refuse);
/// A 1-D string attribute (an empty vector for an empty one).
std::vector<std::string> read_attr_strings(hid_t obj, const std::string& name,
                                           Vlen vlen = Vlen::Refuse);
/// Throws Failure if reading `bytes` of data from dataset `dset` is implausible: more than
/// the file's size could hold (stored size times the best deflate ratio, 1032:1, plus
/// slack), or more than the file's own size for unfiltered data.
void check_plausible(hid_t dset, std::size_t bytes, const std::string& path);
std::int64_t read_attr_int(hid_t obj, const std::string& name);
std::uint64_t read_attr_uint(hid_t obj, const std::string& name);

/// The provenance attributes at the root of every sco-sim file (results and calibration
/// files: docs/hdf5-format.md, docs/calibration-format.md), read in this order.
struct RootProvenance {
    std::string tool_version, git_commit, command_line, scenario_path, scenario_text, scenario_name,
        scenario_sha256, created;
    std::uint64_t seed = 0;
    std::int64_t replications = 0;
};
RootProvenance read_root_provenance(hid_t f, Vlen vlen);
/// Reads a whole numeric dataset converted to T; throws Failure if its shape differs
/// from `dims`, its type is not an integer, float or enum of at most 8 bytes, or its
/// size is implausible for the file (check_plausible).
template <typename T>
std::vector<T> read_array(hid_t loc, const std::string& path, const std::vector<hsize_t>& dims);

}  // namespace sco::io::h5
