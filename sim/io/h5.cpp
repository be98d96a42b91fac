#include "sim/io/h5.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include <libdeflate.h>

namespace sco::io::h5 {

QuietErrors::QuietErrors() {
    if (H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0) saved_ = true;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
}

namespace {

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* client) {
    auto* out = static_cast<std::vector<std::string>*>(client);
    std::string line;
    char minor[256] = {};
    if (H5Eget_msg(err->min_num, nullptr, minor, sizeof minor) > 0) line = minor;
    if (err->desc && *err->desc)
        line += (line.empty() ? "" : " (") + std::string(err->desc) + (line.empty() ? "" : ")");
    if (!line.empty()) out->push_back(std::move(line));
    return 0;
}

}  // namespace

std::string error_detail() {
    std::vector<std::string> lines;
    // Upwards: the innermost (most specific) error first.
    if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &lines) < 0) return {};
    H5Eclear2(H5E_DEFAULT);
    std::string out;
    const std::size_t keep = std::min<std::size_t>(lines.size(), 2);
    for (std::size_t i = 0; i < keep; ++i) out += (i ? "; " : "") + lines[i];
    return out;
}

hid_t check_id(hid_t id, const std::string& what) {
    if (id < 0) {
        const std::string detail = error_detail();
        throw Failure(what + (detail.empty() ? "" : ": " + detail));
    }
    return id;
}

void check_rc(herr_t rc, const std::string& what) {
    if (rc < 0) {
        const std::string detail = error_detail();
        throw Failure(what + (detail.empty() ? "" : ": " + detail));
    }
}

Handle file(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Fclose};
}
Handle group(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Gclose};
}
Handle dataset(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Dclose};
}
Handle space(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Sclose};
}
Handle type(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Tclose};
}
Handle plist(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Pclose};
}
Handle attribute(hid_t id, const std::string& what) {
    return {check_id(id, what), H5Aclose};
}

Handle vlen_string_type() {
    Handle t = type(H5Tcopy(H5T_C_S1), "creating a string type");
    check_rc(H5Tset_size(t.get(), H5T_VARIABLE), "creating a string type");
    check_rc(H5Tset_cset(t.get(), H5T_CSET_UTF8), "creating a string type");
    return t;
}

Handle fixed_string_type(std::size_t len) {
    Handle t = type(H5Tcopy(H5T_C_S1), "creating a string type");
    check_rc(H5Tset_size(t.get(), std::max<std::size_t>(len, 1)), "creating a string type");
    check_rc(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "creating a string type");
    check_rc(H5Tset_cset(t.get(), H5T_CSET_UTF8), "creating a string type");
    return t;
}

Handle file_access() {
    Handle fapl = plist(H5Pcreate(H5P_FILE_ACCESS), "creating a file access list");
    check_rc(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "setting the close degree");
    check_rc(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V110),
             "setting the file format version");
    return fapl;
}

Handle enum_u8_type(const std::vector<std::string>& names) {
    Handle t = type(H5Tenum_create(H5T_NATIVE_UINT8), "creating an enum type");
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto v = static_cast<std::uint8_t>(i);
        check_rc(H5Tenum_insert(t.get(), names[i].c_str(), &v),
                 "adding '" + names[i] + "' to an enum type");
    }
    return t;
}

Handle create_group(hid_t loc, const std::string& name) {
    return group(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 "creating group " + name);
}

std::vector<hsize_t> chunk_dims(std::vector<hsize_t> dims, std::size_t elem_size,
                                std::size_t target_bytes) {
    for (auto& d : dims) d = std::max<hsize_t>(d, 1);
    auto bytes = [&] {
        return std::accumulate(dims.begin(), dims.end(), static_cast<hsize_t>(elem_size),
                               [](hsize_t a, hsize_t b) { return a * b; });
    };
    // Halve the largest axis (the first on ties) until the chunk is small enough.
    while (bytes() > target_bytes) {
        const auto it = std::max_element(dims.begin(), dims.end());
        if (*it == 1) break;
        *it = (*it + 1) / 2;
    }
    return dims;
}

namespace {
constexpr std::size_t kChunkBytes = std::size_t{1} << 18;  // 256 KiB: fits the chunk cache
constexpr hsize_t kRunChunkHint = hsize_t{1} << 16;
}  // namespace

Handle create_dataset(hid_t loc, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, bool extendible, bool chunked,
                      const Filters& filters, hsize_t chunk_rows) {
    const std::string what = "creating dataset " + name;
    const int rank = static_cast<int>(dims.size());
    std::vector<hsize_t> cur = dims, max = dims;
    const bool empty = std::find(dims.begin(), dims.end(), hsize_t{0}) != dims.end();
    if (extendible) {
        cur[0] = 0;
        max[0] = H5S_UNLIMITED;
        // A zero-length inner axis cannot be chunked with a fixed maximum of 0.
        for (int i = 1; i < rank; ++i)
            if (dims[i] == 0) max[i] = H5S_UNLIMITED;
    }
    Handle sp = space(H5Screate_simple(rank, cur.data(), max.data()), what);
    Handle dcpl = plist(H5Pcreate(H5P_DATASET_CREATE), what);
    if (extendible || (chunked && !empty)) {
        std::vector<hsize_t> hint = dims;
        if (extendible) hint[0] = kRunChunkHint;
        if (!extendible && chunk_rows > 0 && rank > 0) hint[0] = chunk_rows;
        const std::size_t esize = H5Tget_size(file_type);
        std::vector<hsize_t> chunk = chunk_dims(hint, esize ? esize : 1, kChunkBytes);
        if (!extendible && rank > 0) chunk[0] = std::min(chunk[0], std::max<hsize_t>(dims[0], 1));
        check_rc(H5Pset_chunk(dcpl.get(), rank, chunk.data()), what);
        if (filters.deflate >= 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            if (filters.shuffle && esize > 1) check_rc(H5Pset_shuffle(dcpl.get()), what);
            check_rc(
                H5Pset_deflate(dcpl.get(), static_cast<unsigned>(std::min(filters.deflate, 9))),
                what);
        }
    }
    return dataset(
        H5Dcreate2(loc, name.c_str(), file_type, sp.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        what);
}

namespace {

/// One libdeflate compressor per level (0..9) for the calling thread, made on first use and
/// freed when the thread ends: compressing a chunk then allocates and clears nothing but the
/// compressor's own match finder.
libdeflate_compressor* compressor(int level) {
    struct Cache {
        std::array<libdeflate_compressor*, 10> c{};
        Cache() = default;
        Cache(const Cache&) = delete;
        Cache& operator=(const Cache&) = delete;
        ~Cache() {
            for (libdeflate_compressor* p : c)
                if (p) libdeflate_free_compressor(p);
        }
    };
    thread_local Cache cache;
    libdeflate_compressor*& p = cache.c[static_cast<std::size_t>(level)];
    if (!p) {
        p = libdeflate_alloc_compressor(level);
        if (!p) throw std::runtime_error("deflate: cannot allocate a compressor (out of memory)");
    }
    return p;
}

}  // namespace

void encode_chunk(const std::byte* src, std::size_t bytes, std::size_t esize, int level,
                  bool shuffle, std::vector<std::byte>& out, std::vector<std::byte>& tmp) {
    const std::byte* p = src;
    if (shuffle && esize > 1) {
        tmp.resize(bytes);
        const std::size_t n = bytes / esize;
        for (std::size_t b = 0; b < esize; ++b)
            for (std::size_t k = 0; k < n; ++k) tmp[b * n + k] = src[k * esize + b];
        p = tmp.data();
    }
    if (level < 0) {  // no compression
        out.assign(p, p + bytes);
        return;
    }
    // A zlib stream (RFC 1950: header, deflate blocks, Adler-32), which HDF5's deflate
    // filter decodes like its own; libdeflate's, not zlib's compress2: the same format in
    // about half the instructions (docs/performance.md, "4. The per-run records path").
    // Compressed into a per-thread buffer of the bound's size, so that `out` is only ever
    // written with the compressed bytes (no zero-filled bound per chunk).
    libdeflate_compressor* c = compressor(std::min(level, 9));
    thread_local std::vector<std::byte> packed;
    const std::size_t bound = libdeflate_zlib_compress_bound(c, bytes);
    if (packed.size() < bound) packed.resize(bound);
    const std::size_t len = libdeflate_zlib_compress(c, p, bytes, packed.data(), packed.size());
    if (len == 0) throw std::runtime_error("deflate failed (the output exceeded its bound)");
    out.assign(packed.data(), packed.data() + len);
}

void write_all(hid_t dset, hid_t mem_type, const void* buf, const std::string& what) {
    Handle sp = space(H5Dget_space(dset), what);
    const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
    check_id(n, what);
    if (n == 0) return;
    check_rc(H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), what);
}

void append_rows(hid_t dset, hid_t mem_type, hsize_t first, hsize_t rows, const void* buf,
                 const std::string& what) {
    if (rows == 0) return;
    Handle sp = space(H5Dget_space(dset), what);
    const int rank = H5Sget_simple_extent_ndims(sp.get());
    check_id(rank, what);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check_rc(H5Sget_simple_extent_dims(sp.get(), dims.data(), nullptr), what);
    dims[0] = first + rows;
    check_rc(H5Dset_extent(dset, dims.data()), what);
    sp = space(H5Dget_space(dset), what);
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = first;
    count[0] = rows;
    if (std::find(count.begin(), count.end(), hsize_t{0}) != count.end()) return;
    check_rc(
        H5Sselect_hyperslab(sp.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        what);
    Handle mem = space(H5Screate_simple(rank, count.data(), nullptr), what);
    check_rc(H5Dwrite(dset, mem_type, mem.get(), sp.get(), H5P_DEFAULT, buf), what);
}

namespace {

template <typename T>
void set_scalar_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                     const T& value) {
    const std::string what = "writing attribute " + name;
    Handle sp = space(H5Screate(H5S_SCALAR), what);
    Handle a = attribute(
        H5Acreate2(obj, name.c_str(), file_type, sp.get(), H5P_DEFAULT, H5P_DEFAULT), what);
    check_rc(H5Awrite(a.get(), mem_type, &value), what);
    if (!a.close()) check_rc(-1, what);
}

}  // namespace

namespace {

/// The values packed as fixed-length strings of the longest value's length (at least 1).
std::vector<char> pack_fixed(const std::vector<std::string>& values, std::size_t* len) {
    std::size_t n = 1;
    for (const auto& v : values) n = std::max(n, v.size());
    std::vector<char> buf(n * std::max<std::size_t>(values.size(), 1), '\0');
    for (std::size_t i = 0; i < values.size(); ++i)
        std::memcpy(buf.data() + i * n, values[i].data(), values[i].size());
    *len = n;
    return buf;
}

}  // namespace

void set_attr(hid_t obj, const std::string& name, const std::string& value) {
    const std::string what = "writing attribute " + name;
    std::size_t len = 0;
    const std::vector<char> buf = pack_fixed({value}, &len);
    Handle t = fixed_string_type(len);
    Handle sp = space(H5Screate(H5S_SCALAR), what);
    Handle a =
        attribute(H5Acreate2(obj, name.c_str(), t.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT), what);
    check_rc(H5Awrite(a.get(), t.get(), buf.data()), what);
    if (!a.close()) check_rc(-1, what);
}

void set_attr(hid_t obj, const std::string& name, std::int64_t value) {
    set_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, value);
}

void set_attr(hid_t obj, const std::string& name, std::uint64_t value) {
    set_scalar_attr(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, value);
}

void set_attr(hid_t obj, const std::string& name, double value) {
    set_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, value);
}

void set_attr(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
    const std::string what = "writing attribute " + name;
    std::size_t len = 0;
    const std::vector<char> buf = pack_fixed(values, &len);
    Handle t = fixed_string_type(len);
    const hsize_t n = values.size();
    Handle sp = space(H5Screate_simple(1, &n, nullptr), what);
    Handle a =
        attribute(H5Acreate2(obj, name.c_str(), t.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT), what);
    if (n > 0) check_rc(H5Awrite(a.get(), t.get(), buf.data()), what);
    if (!a.close()) check_rc(-1, what);
}

void describe(hid_t obj, const std::string& axes, const std::string& description) {
    set_attr(obj, "axes", axes);
    set_attr(obj, "description", description);
}

Handle write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values) {
    std::size_t len = 0;
    const std::vector<char> buf = pack_fixed(values, &len);
    Handle t = fixed_string_type(len);
    Handle d = create_dataset(loc, name, t.get(), {values.size()}, false, false);
    write_all(d.get(), t.get(), buf.data(), "writing " + name);
    return d;
}

// ---- reading ----

bool exists(hid_t loc, const std::string& path) {
    // Check each component so that a missing group is not an error.
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        const std::string prefix = path.substr(0, pos);
        if (prefix.empty() || prefix == "/") continue;
        const htri_t e = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
        if (e <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
    }
    return true;
}

std::vector<hsize_t> shape(hid_t dset) {
    Handle sp = space(H5Dget_space(dset), "reading a dataspace");
    const int rank = H5Sget_simple_extent_ndims(sp.get());
    check_id(rank, "reading a dataspace");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) check_rc(H5Sget_simple_extent_dims(sp.get(), dims.data(), nullptr), "shape");
    return dims;
}

Handle open_dataset(hid_t loc, const std::string& path) {
    if (!exists(loc, path)) throw Failure("dataset " + path + " is missing");
    return dataset(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), "opening " + path);
}

std::string dims_text(const std::vector<hsize_t>& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
}

namespace {

void reclaim(hid_t t, hid_t sp, void* buf) {
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(t, sp, H5P_DEFAULT, buf);
#else
    H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
#endif
}

}  // namespace

namespace {

/// The file's size in bytes (0 if unknown).
std::uint64_t file_size_of(hid_t obj) {
    const hid_t fid = H5Iget_file_id(obj);
    if (fid < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    hsize_t size = 0;
    if (H5Fget_filesize(fid, &size) < 0) {
        H5Eclear2(H5E_DEFAULT);
        size = 0;
    }
    H5Fclose(fid);
    return size;
}

/// Checks a string type before anything is read with it: fixed-length strings of a
/// plausible size, or variable-length ones only where `vlen` allows them.
/// Returns the fixed length (0 for variable-length).
std::size_t check_string_type(hid_t ft, std::uint64_t count, const std::string& what, Vlen vlen,
                              std::uint64_t file_bytes) {
    if (H5Tget_class(ft) != H5T_STRING) throw Failure(what + " does not hold strings");
    const htri_t var = H5Tis_variable_str(ft);
    if (var < 0) check_rc(-1, "reading the type of " + what);
    if (var > 0) {
        if (vlen == Vlen::Refuse)
            throw Failure(what +
                          " is stored as variable-length strings, which this format does not use");
        return 0;
    }
    const std::size_t len = H5Tget_size(ft);
    if (len == 0) throw Failure(what + " has a string type of size 0");
    if (len > kMaxStringBytes || (count > 0 && len > kMaxStringBytes / count))
        throw Failure(what + " claims " + std::to_string(count) + " strings of " +
                      std::to_string(len) + " bytes: implausibly large");
    // Attribute and contiguous string data are stored unfiltered: never more than the file.
    if (file_bytes > 0 && len * count > file_bytes + (std::uint64_t{1} << 20))
        throw Failure(what + " claims " + std::to_string(len * count) +
                      " bytes of strings, more than the file holds");
    return len;
}

/// The memory type to read fixed-length strings of file type `ft` with: `len` bytes,
/// null-padded, in the file's character set (HDF5 converts no ASCII to UTF-8).
Handle memory_string_type(hid_t ft, std::size_t len) {
    Handle mt = fixed_string_type(len);
    const H5T_cset_t cset = H5Tget_cset(ft);
    if (cset < 0) check_rc(-1, "reading a string type");
    check_rc(H5Tset_cset(mt.get(), cset), "reading a string type");
    return mt;
}

/// A fixed-length string read as a std::string (up to the first NUL).
std::string from_fixed(const char* s, std::size_t len) {
    return std::string(s, strnlen(s, len));
}

}  // namespace

std::vector<std::string> read_strings(hid_t loc, const std::string& path, Vlen vlen) {
    Handle d = open_dataset(loc, path);
    const auto dims = shape(d.get());
    if (dims.size() != 1) throw Failure(path + " should be 1-D but has shape " + dims_text(dims));
    Handle ft = type(H5Dget_type(d.get()), "reading " + path);
    const std::size_t len = check_string_type(ft.get(), dims[0], path, vlen, file_size_of(loc));
    std::vector<std::string> out;
    if (dims[0] == 0) return out;
    out.reserve(dims[0]);
    Handle sp = space(H5Dget_space(d.get()), "reading " + path);
    if (len == 0) {
        Handle mt = vlen_string_type();
        std::vector<char*> ptrs(dims[0], nullptr);
        check_rc(H5Dread(d.get(), mt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
                 "reading " + path);
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        reclaim(mt.get(), sp.get(), ptrs.data());
    } else {
        check_plausible(d.get(), len * dims[0], path);
        Handle mt = memory_string_type(ft.get(), len);
        std::vector<char> buf(len * dims[0]);
        check_rc(H5Dread(d.get(), mt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
                 "reading " + path);
        for (hsize_t i = 0; i < dims[0]; ++i) out.push_back(from_fixed(buf.data() + i * len, len));
    }
    return out;
}

void check_plausible(hid_t dset, std::size_t bytes, const std::string& path) {
    const std::uint64_t fsize = file_size_of(dset);
    if (fsize == 0 || bytes == 0) return;
    Handle dcpl = plist(H5Dget_create_plist(dset), "reading the creation properties of " + path);
    const int nfilters = H5Pget_nfilters(dcpl.get());
    if (nfilters < 0) check_rc(-1, "reading the filters of " + path);
    // Deflate compresses at most about 1032:1; unfiltered data is stored as it is.
    constexpr std::uint64_t kSlack = std::uint64_t{1} << 20;
    const std::uint64_t limit = nfilters > 0 ? fsize * 1100 + kSlack : fsize + kSlack;
    if (bytes > limit)
        throw Failure(path + " claims " + std::to_string(bytes) + " bytes of data, more than a " +
                      std::to_string(fsize) + "-byte file can hold");
}

namespace {

Handle open_attr(hid_t obj, const std::string& name) {
    const htri_t e = H5Aexists(obj, name.c_str());
    if (e <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw Failure("attribute '" + name + "' is missing");
    }
    return attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
}

}  // namespace

std::string read_attr_string(hid_t obj, const std::string& name, Vlen vlen) {
    Handle a = open_attr(obj, name);
    const std::string what = "reading attribute " + name;
    Handle ft = type(H5Aget_type(a.get()), what);
    Handle sp = space(H5Aget_space(a.get()), what);
    if (H5Sget_simple_extent_npoints(sp.get()) != 1)
        throw Failure("attribute '" + name + "' is not a single string");
    if (H5Tget_class(ft.get()) != H5T_STRING) throw Failure("attribute '" + name + "' is not text");
    const std::size_t len =
        check_string_type(ft.get(), 1, "attribute '" + name + "'", vlen, file_size_of(obj));
    if (len == 0) {
        Handle mt = vlen_string_type();
        char* p = nullptr;
        check_rc(H5Aread(a.get(), mt.get(), &p), what);
        std::string out = p ? p : "";
        reclaim(mt.get(), sp.get(), &p);
        return out;
    }
    Handle mt = memory_string_type(ft.get(), len);
    std::vector<char> buf(len, '\0');
    check_rc(H5Aread(a.get(), mt.get(), buf.data()), what);
    return from_fixed(buf.data(), len);
}

std::vector<std::string> read_attr_strings(hid_t obj, const std::string& name, Vlen vlen) {
    Handle a = open_attr(obj, name);
    const std::string what = "reading attribute " + name;
    Handle ft = type(H5Aget_type(a.get()), what);
    Handle sp = space(H5Aget_space(a.get()), what);
    if (H5Sget_simple_extent_ndims(sp.get()) != 1)
        throw Failure("attribute '" + name + "' is not a 1-D list of strings");
    const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
    check_id(n, what);
    const std::size_t len = check_string_type(ft.get(), static_cast<std::uint64_t>(n),
                                              "attribute '" + name + "'", vlen, file_size_of(obj));
    std::vector<std::string> out;
    if (n == 0) return out;
    if (len == 0) {
        Handle mt = vlen_string_type();
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        check_rc(H5Aread(a.get(), mt.get(), ptrs.data()), what);
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        reclaim(mt.get(), sp.get(), ptrs.data());
        return out;
    }
    Handle mt = memory_string_type(ft.get(), len);
    std::vector<char> buf(len * static_cast<std::size_t>(n), '\0');
    check_rc(H5Aread(a.get(), mt.get(), buf.data()), what);
    for (hssize_t i = 0; i < n; ++i)
        out.push_back(from_fixed(buf.data() + static_cast<std::size_t>(i) * len, len));
    return out;
}

namespace {

template <typename T>
T read_scalar_attr(hid_t obj, const std::string& name) {
    Handle a = open_attr(obj, name);
    const std::string what = "reading attribute " + name;
    Handle ft = type(H5Aget_type(a.get()), what);
    const H5T_class_t cls = H5Tget_class(ft.get());
    if (cls != H5T_INTEGER) throw Failure("attribute '" + name + "' is not an integer");
    Handle sp = space(H5Aget_space(a.get()), what);
    if (H5Sget_simple_extent_npoints(sp.get()) != 1)
        throw Failure("attribute '" + name + "' is not a single number");
    T v{};
    check_rc(H5Aread(a.get(), native<T>(), &v), what);
    return v;
}

}  // namespace

std::int64_t read_attr_int(hid_t obj, const std::string& name) {
    return read_scalar_attr<std::int64_t>(obj, name);
}

std::uint64_t read_attr_uint(hid_t obj, const std::string& name) {
    return read_scalar_attr<std::uint64_t>(obj, name);
}

RootProvenance read_root_provenance(hid_t f, Vlen vlen) {
    RootProvenance p;
    p.tool_version = read_attr_string(f, "tool_version", vlen);
    p.git_commit = read_attr_string(f, "git_commit", vlen);
    p.command_line = read_attr_string(f, "command_line", vlen);
    p.scenario_path = read_attr_string(f, "scenario_path", vlen);
    p.scenario_text = read_attr_string(f, "scenario_text", vlen);
    p.scenario_name = read_attr_string(f, "scenario_name", vlen);
    p.scenario_sha256 = read_attr_string(f, "scenario_sha256", vlen);
    p.created = read_attr_string(f, "created", vlen);
    p.seed = read_attr_uint(f, "seed");
    p.replications = read_attr_int(f, "replications");
    return p;
}

template <typename T>
std::vector<T> read_array(hid_t loc, const std::string& path, const std::vector<hsize_t>& dims) {
    Handle d = open_dataset(loc, path);
    const auto got = shape(d.get());
    if (got != dims)
        throw Failure(path + " has shape " + dims_text(got) + ", expected " + dims_text(dims));
    Handle ft = type(H5Dget_type(d.get()), "reading " + path);
    const H5T_class_t cls = H5Tget_class(ft.get());
    if (cls != H5T_INTEGER && cls != H5T_FLOAT && cls != H5T_ENUM)
        throw Failure(path + " is not numeric");
    const std::size_t esize = H5Tget_size(ft.get());
    if (esize == 0 || esize > 8)
        throw Failure(path + " has a numeric type of " + std::to_string(esize) + " bytes");
    std::size_t n = 1;
    for (hsize_t v : dims) {
        if (v != 0 && n > (std::size_t{1} << 40) / v)
            throw Failure(path + " has an implausible shape " + dims_text(dims));
        n *= static_cast<std::size_t>(v);
    }
    if (n == 0) return std::vector<T>{};
    check_plausible(d.get(), n * esize, path);
    std::vector<T> out(n);
    check_rc(H5Dread(d.get(), native<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
             "reading " + path);
    return out;
}

template std::vector<std::int64_t> read_array<std::int64_t>(hid_t, const std::string&,
                                                            const std::vector<hsize_t>&);
template std::vector<std::int32_t> read_array<std::int32_t>(hid_t, const std::string&,
                                                            const std::vector<hsize_t>&);
template std::vector<double> read_array<double>(hid_t, const std::string&,
                                                const std::vector<hsize_t>&);

}  // namespace sco::io::h5
