#include "sim/io/inspect.h"

#include <cstring>
#include <limits>

#include "sim/io/errors.h"
#include "sim/io/h5.h"

namespace sco::io {

using h5::Handle;

namespace {

std::string type_text(hid_t t) {
    std::string s = "class" + std::to_string(static_cast<int>(H5Tget_class(t))) + " size" +
                    std::to_string(H5Tget_size(t));
    switch (H5Tget_class(t)) {
        case H5T_INTEGER:
            s += " sign" + std::to_string(static_cast<int>(H5Tget_sign(t)));
            s += " order" + std::to_string(static_cast<int>(H5Tget_order(t)));
            break;
        case H5T_FLOAT:
            s += " order" + std::to_string(static_cast<int>(H5Tget_order(t)));
            break;
        case H5T_STRING:
            s += H5Tis_variable_str(t) > 0 ? " variable" : " fixed";
            s += " cset" + std::to_string(static_cast<int>(H5Tget_cset(t)));
            s += " pad" + std::to_string(static_cast<int>(H5Tget_strpad(t)));
            break;
        case H5T_ENUM: {
            Handle base = h5::type(H5Tget_super(t), "reading an enum type");
            s += " base(" + type_text(base.get()) + ")";
            const int n = H5Tget_nmembers(t);
            for (int i = 0; i < n; ++i) {
                char* name = H5Tget_member_name(t, static_cast<unsigned>(i));
                long long v = 0;
                (void)H5Tget_member_value(t, static_cast<unsigned>(i), &v);
                s += " " + std::string(name ? name : "") + "=" + std::to_string(v);
                H5free_memory(name);
            }
            break;
        }
        default:
            break;
    }
    return s;
}

std::vector<std::uint64_t> extent(hid_t space, std::vector<std::uint64_t>* maxdims) {
    const int rank = H5Sget_simple_extent_ndims(space);
    h5::check_id(rank, "reading a dataspace");
    std::vector<hsize_t> d(static_cast<std::size_t>(rank)), m(d.size());
    if (rank > 0) h5::check_rc(H5Sget_simple_extent_dims(space, d.data(), m.data()), "shape");
    if (maxdims) {
        maxdims->clear();
        for (hsize_t v : m)
            maxdims->push_back(v == H5S_UNLIMITED ? std::numeric_limits<std::uint64_t>::max() : v);
    }
    return {d.begin(), d.end()};
}

/// Values of a dataset or attribute read through `read(mem_type, buf)`. inspect_file is
/// for tests and debugging (unguarded: it reads variable-length strings of format 1).
template <typename Read>
std::string values(hid_t file_type, hid_t space, Read read) {
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    h5::check_id(n, "reading a dataspace");
    if (n == 0) return "";
    if (H5Tis_variable_str(file_type) > 0) {
        Handle mt = h5::vlen_string_type();
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        h5::check_rc(read(mt.get(), ptrs.data()), "reading strings");
        std::string out;
        for (char* p : ptrs) {
            const std::string v = p ? p : "";
            out += std::to_string(v.size()) + ":" + v;
        }
        (void)H5Dvlen_reclaim(mt.get(), space, H5P_DEFAULT, ptrs.data());
        return out;
    }
    std::string out(static_cast<std::size_t>(n) * H5Tget_size(file_type), '\0');
    h5::check_rc(read(file_type, out.data()), "reading values");
    return out;
}

std::map<std::string, std::string> attributes(hid_t obj) {
    std::vector<std::string> names;
    auto cb = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    h5::check_rc(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, cb, &names),
                 "listing attributes");
    std::map<std::string, std::string> out;
    for (const auto& name : names) {
        Handle a = h5::attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening " + name);
        Handle t = h5::type(H5Aget_type(a.get()), "reading " + name);
        Handle sp = h5::space(H5Aget_space(a.get()), "reading " + name);
        std::string shape;
        for (auto v : extent(sp.get(), nullptr)) shape += std::to_string(v) + ",";
        out[name] = type_text(t.get()) + " [" + shape + "] " +
                    values(t.get(), sp.get(),
                           [&](hid_t mt, void* buf) { return H5Aread(a.get(), mt, buf); });
    }
    return out;
}

std::string layout_text(hid_t dset) {
    Handle dcpl = h5::plist(H5Dget_create_plist(dset), "reading creation properties");
    switch (H5Pget_layout(dcpl.get())) {
        case H5D_CONTIGUOUS:
            return "contiguous";
        case H5D_COMPACT:
            return "compact";
        case H5D_CHUNKED: {
            hsize_t dims[H5S_MAX_RANK];
            const int rank = H5Pget_chunk(dcpl.get(), H5S_MAX_RANK, dims);
            std::string s = "chunked[";
            for (int i = 0; i < rank; ++i) s += std::to_string(dims[i]) + ",";
            s += "] filters[";
            const int nf = H5Pget_nfilters(dcpl.get());
            for (int i = 0; i < nf; ++i) {
                unsigned flags = 0, cd[8];
                std::size_t ncd = 8;
                const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags,
                                                       &ncd, cd, 0, nullptr, nullptr);
                s += std::to_string(id) + "(";
                for (std::size_t c = 0; c < ncd && c < 8; ++c) s += std::to_string(cd[c]) + " ";
                s += "),";
            }
            return s + "]";
        }
        default:
            return "other";
    }
}

struct Visit {
    std::vector<std::pair<std::string, H5O_type_t>> objects;
};

}  // namespace

std::map<std::string, StoredObject> inspect_file(const std::string& path) {
    h5::QuietErrors quiet;
    try {
        if (H5Fis_hdf5(path.c_str()) <= 0) throw h5::Failure("not an HDF5 file");
        Handle f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open");
        Visit v;
        auto cb = [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
            static_cast<Visit*>(data)->objects.emplace_back(name, info->type);
            return 0;
        };
        h5::check_rc(H5Ovisit2(f.get(), H5_INDEX_NAME, H5_ITER_INC, cb, &v, H5O_INFO_BASIC),
                     "visiting the file");
        std::map<std::string, StoredObject> out;
        for (const auto& [name, type] : v.objects) {
            const std::string p = std::string(name) == "." ? "/" : "/" + name;
            StoredObject o;
            if (type == H5O_TYPE_GROUP) {
                o.kind = "group";
                Handle g = h5::group(H5Gopen2(f.get(), p.c_str(), H5P_DEFAULT), "opening " + p);
                o.attrs = attributes(g.get());
            } else if (type == H5O_TYPE_DATASET) {
                o.kind = "dataset";
                Handle d = h5::dataset(H5Dopen2(f.get(), p.c_str(), H5P_DEFAULT), "opening " + p);
                Handle t = h5::type(H5Dget_type(d.get()), "reading " + p);
                Handle sp = h5::space(H5Dget_space(d.get()), "reading " + p);
                o.type = type_text(t.get());
                o.dims = extent(sp.get(), &o.maxdims);
                o.layout = layout_text(d.get());
                // Sizes are checked against the file before anything is allocated.
                const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
                h5::check_id(n, "reading " + p);
                const std::size_t esize = H5Tget_size(t.get());
                if (esize == 0 || esize > h5::kMaxStringBytes ||
                    static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 40) / esize)
                    throw h5::Failure(p + " has an implausible size");
                h5::check_plausible(d.get(), static_cast<std::size_t>(n) * esize, p);
                o.data = values(t.get(), sp.get(), [&](hid_t mt, void* buf) {
                    return H5Dread(d.get(), mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
                });
                o.attrs = attributes(d.get());
            } else {
                o.kind = "other";
            }
            out[p] = std::move(o);
        }
        return out;
    } catch (const h5::Failure& e) {
        throw BadResults(path, e.what());
    }
}

}  // namespace sco::io
