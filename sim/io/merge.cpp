#include "sim/io/merge.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <numeric>
#include <set>
#include <system_error>
#include <thread>

#include "sim/io/atomic_file.h"
#include "sim/io/guard.h"
#include "sim/io/h5.h"
#include "sim/io/layout.h"
#include "sim/io/results_reader.h"
#include "sim/io/summary_writer.h"

namespace sco::io {

namespace fs = std::filesystem;
using h5::Handle;

namespace {

/// Per-run rows are copied in blocks of about this many bytes.
constexpr std::size_t kBlockBytes = std::size_t{8} << 20;

/// Root attributes that describe the making of the merged file rather than its content.
const std::set<std::string> kOwnRootAttrs = {
    "command_line", "created", "merged_from", "merged_by", "points", "first_point", "runs"};

struct Shard {
    std::string path;
    Results r;
    Handle file;
};

std::string quoted(const std::string& s) {
    return "'" + s + "'";
}

std::string range_text(std::int64_t first, std::int64_t last) {
    return first == last ? "point " + std::to_string(first)
                         : "points " + std::to_string(first) + "-" + std::to_string(last);
}

/// The cores this process may run on (its affinity mask: a Slurm task's allocation).
int usable_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string shard_range(const Shard& s) {
    return range_text(s.r.first_point, s.r.first_point + s.r.points - 1);
}

// ---- listing and copying HDF5 objects ----

std::vector<std::string> child_names(hid_t group, const std::string& what) {
    std::vector<std::string> names;
    auto cb = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    h5::check_rc(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, cb, &names),
                 "listing " + what);
    return names;
}

std::vector<std::string> attr_names(hid_t obj, const std::string& what) {
    std::vector<std::string> names;
    auto cb = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    h5::check_rc(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, cb, &names),
                 "listing the attributes of " + what);
    return names;
}

bool has_vlen(hid_t type) {
    return H5Tis_variable_str(type) > 0 || H5Tdetect_class(type, H5T_VLEN) > 0;
}

/// The memory type to read `file_type` with: the type itself (no conversion, so the bytes
/// stay exactly as stored) unless it holds variable-length data.
Handle memory_type(hid_t file_type, const std::string& what) {
    if (has_vlen(file_type)) return h5::type(H5Tget_native_type(file_type, H5T_DIR_DEFAULT), what);
    return h5::type(H5Tcopy(file_type), what);
}

/// A buffer that frees the variable-length data HDF5 read into it.
struct ReadBuffer {
    std::vector<unsigned char> bytes;
    hid_t type = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    bool holds_vlen = false;
    void release() noexcept {
        if (holds_vlen) (void)H5Dvlen_reclaim(type, space, H5P_DEFAULT, bytes.data());
        holds_vlen = false;
    }
    ~ReadBuffer() { release(); }
};

void copy_attribute(hid_t src, hid_t dst, const std::string& name, const std::string& what) {
    const std::string doing = "copying attribute " + name + " of " + what;
    Handle a = h5::attribute(H5Aopen(src, name.c_str(), H5P_DEFAULT), doing);
    Handle ft = h5::type(H5Aget_type(a.get()), doing);
    Handle sp = h5::space(H5Aget_space(a.get()), doing);
    Handle mt = memory_type(ft.get(), doing);
    const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
    h5::check_id(n, doing);
    ReadBuffer buf;
    buf.bytes.assign(std::max<std::size_t>(1, static_cast<std::size_t>(n)) * H5Tget_size(mt.get()),
                     0);
    Handle out = h5::attribute(
        H5Acreate2(dst, name.c_str(), ft.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT), doing);
    if (n == 0) return;
    h5::check_rc(H5Aread(a.get(), mt.get(), buf.bytes.data()), doing);
    buf.type = mt.get();
    buf.space = sp.get();
    buf.holds_vlen = has_vlen(mt.get());
    h5::check_rc(H5Awrite(out.get(), mt.get(), buf.bytes.data()), doing);
    buf.release();
    if (!out.close()) h5::check_rc(-1, doing);
}

void copy_attributes(hid_t src, hid_t dst, const std::string& what,
                     const std::set<std::string>& skip = {}) {
    for (const auto& name : attr_names(src, what))
        if (!skip.contains(name)) copy_attribute(src, dst, name, what);
}

std::vector<hsize_t> dims_of(hid_t space, std::vector<hsize_t>* max = nullptr) {
    const int rank = H5Sget_simple_extent_ndims(space);
    h5::check_id(rank, "reading a dataspace");
    std::vector<hsize_t> d(static_cast<std::size_t>(rank)), m(d.size());
    if (rank > 0) h5::check_rc(H5Sget_simple_extent_dims(space, d.data(), m.data()), "shape");
    if (max) *max = m;
    return d;
}

/// The whole content of a dataset, for comparisons: its type, shape and values
/// (variable-length strings by value).
std::string dataset_content(hid_t loc, const std::string& path) {
    Handle d = h5::open_dataset(loc, path);
    Handle ft = h5::type(H5Dget_type(d.get()), "reading " + path);
    Handle sp = h5::space(H5Dget_space(d.get()), "reading " + path);
    std::string key;
    for (hsize_t v : dims_of(sp.get())) key += std::to_string(v) + ",";
    key += "|";
    if (H5Tget_class(ft.get()) == H5T_STRING) {
        for (const auto& s : h5::read_strings(loc, path, h5::Vlen::Allow))
            key += std::to_string(s.size()) + ":" + s;
        return key;
    }
    Handle mt = memory_type(ft.get(), "reading " + path);
    const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
    h5::check_id(n, "reading " + path);
    std::vector<unsigned char> buf(static_cast<std::size_t>(n) * H5Tget_size(mt.get()));
    if (n > 0)
        h5::check_rc(H5Dread(d.get(), mt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
                     "reading " + path);
    key.append(reinterpret_cast<const char*>(buf.data()), buf.size());
    return key;
}

/// Thrown between blocks when the caller's stop flag is set.
struct Stopped {};

/// An HDF5 call that writes the output failed (a full disk): merge_results turns it into a
/// MergeWriteError, unlike a failure to read an input.
struct WriteFailed : h5::Failure {
    using h5::Failure::Failure;
};

/// Runs `f`, which writes the output, turning an h5::Failure into a WriteFailed.
template <typename F>
decltype(auto) writing(F&& f) {
    try {
        return f();
    } catch (const WriteFailed&) {
        throw;
    } catch (const h5::Failure& e) {
        throw WriteFailed(e.what());
    }
}

void check_stop(const std::atomic<bool>* stop) {
    if (stop && stop->load(std::memory_order_relaxed)) throw Stopped{};
}

/// True if `ft` equals `ft0`, or both are fixed-length strings that differ only in length
/// (each file sizes its labels to its own longest: a sweep's parts hold different points);
/// then `ft0` becomes the longer of the two, into which HDF5 converts the shorter on read.
bool same_or_wider_string(Handle& ft0, hid_t ft, const std::string& what) {
    if (H5Tequal(ft, ft0.get()) > 0) return true;
    const auto fixed_string = [](hid_t t) {
        return H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0;
    };
    if (!fixed_string(ft) || !fixed_string(ft0.get())) return false;
    if (H5Tget_cset(ft) != H5Tget_cset(ft0.get()) || H5Tget_strpad(ft) != H5Tget_strpad(ft0.get()))
        return false;
    if (H5Tget_size(ft) > H5Tget_size(ft0.get())) {
        Handle wider = h5::type(H5Tcopy(ft), what);
        ft0 = std::move(wider);
    }
    return true;
}

/// Creates dst/name as the concatenation along axis 0 of the same dataset in every shard,
/// with the first shard's type, creation properties (chunking, filters) and attributes.
/// Copies in blocks of about kBlockBytes.
void concat_rows(hid_t dst, const std::string& group, const std::string& name,
                 const std::vector<Shard>& shards, const std::atomic<bool>* stop) {
    const std::string path = group + "/" + name;
    std::vector<Handle> src;
    std::vector<hsize_t> inner, max0;
    Handle ft0;
    hsize_t total = 0;
    for (const Shard& s : shards) {
        const std::string what = "reading " + path + " of " + quoted(s.path);
        Handle d = h5::open_dataset(s.file.get(), path);
        Handle ft = h5::type(H5Dget_type(d.get()), what);
        Handle sp = h5::space(H5Dget_space(d.get()), what);
        std::vector<hsize_t> mx;
        const auto dims = dims_of(sp.get(), &mx);
        if (dims.empty()) throw h5::Failure(path + " of " + quoted(s.path) + " is a scalar");
        const std::vector<hsize_t> in(dims.begin() + 1, dims.end());
        if (src.empty()) {
            inner = in;
            max0 = mx;
            ft0 = std::move(ft);
        } else if (in != inner || !same_or_wider_string(ft0, ft.get(), what)) {
            throw h5::Failure(path + " of " + quoted(s.path) + " differs in type or shape from " +
                              quoted(shards.front().path));
        }
        total += dims[0];
        src.push_back(std::move(d));
    }
    const std::string doing = "writing " + path;
    std::vector<hsize_t> cur{total};
    cur.insert(cur.end(), inner.begin(), inner.end());
    std::vector<hsize_t> max = max0;
    for (std::size_t i = 0; i < max.size(); ++i)
        if (max[i] != H5S_UNLIMITED) max[i] = cur[i];
    Handle space =
        h5::space(H5Screate_simple(static_cast<int>(cur.size()), cur.data(), max.data()), doing);
    Handle dcpl = h5::plist(H5Dget_create_plist(src.front().get()), doing);
    Handle out = writing([&] {
        return h5::dataset(H5Dcreate2(dst, name.c_str(), ft0.get(), space.get(), H5P_DEFAULT,
                                      dcpl.get(), H5P_DEFAULT),
                           doing);
    });
    copy_attributes(src.front().get(), out.get(), path);

    Handle mt = memory_type(ft0.get(), doing);
    const std::size_t per_row =
        std::accumulate(inner.begin(), inner.end(), std::size_t{1},
                        [](std::size_t a, hsize_t b) { return a * static_cast<std::size_t>(b); });
    const std::size_t row_bytes = per_row * H5Tget_size(mt.get());
    if (row_bytes == 0 || total == 0) return;
    const hsize_t block = std::max<hsize_t>(1, kBlockBytes / row_bytes);
    const bool vlen = has_vlen(mt.get());
    ReadBuffer buf;
    hsize_t at = 0;  // first row of the current shard in the output
    for (std::size_t k = 0; k < src.size(); ++k) {
        const std::string reading = "reading " + path + " of " + quoted(shards[k].path);
        Handle fsp = h5::space(H5Dget_space(src[k].get()), reading);
        const hsize_t rows = dims_of(fsp.get())[0];
        for (hsize_t r0 = 0; r0 < rows; r0 += block) {
            check_stop(stop);
            std::vector<hsize_t> start(cur.size(), 0), count{std::min(block, rows - r0)};
            count.insert(count.end(), inner.begin(), inner.end());
            buf.bytes.resize(static_cast<std::size_t>(count[0]) * row_bytes);
            Handle msp = h5::space(
                H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), reading);
            start[0] = r0;
            h5::check_rc(H5Sselect_hyperslab(fsp.get(), H5S_SELECT_SET, start.data(), nullptr,
                                             count.data(), nullptr),
                         reading);
            h5::check_rc(H5Dread(src[k].get(), mt.get(), msp.get(), fsp.get(), H5P_DEFAULT,
                                 buf.bytes.data()),
                         reading);
            buf.type = mt.get();
            buf.space = msp.get();
            buf.holds_vlen = vlen;
            Handle osp = h5::space(H5Dget_space(out.get()), doing);
            start[0] = at + r0;
            h5::check_rc(H5Sselect_hyperslab(osp.get(), H5S_SELECT_SET, start.data(), nullptr,
                                             count.data(), nullptr),
                         doing);
            writing([&] {
                h5::check_rc(H5Dwrite(out.get(), mt.get(), msp.get(), osp.get(), H5P_DEFAULT,
                                      buf.bytes.data()),
                             doing);
            });
            buf.release();
        }
        at += rows;
    }
}

/// Creates `group` in the output with the first shard's attributes and fills it with
/// every dataset of the shards' group, concatenated along axis 0.
void concat_group(hid_t out, const std::string& group, const std::vector<Shard>& shards,
                  const std::atomic<bool>* stop) {
    Handle src = h5::group(H5Gopen2(shards.front().file.get(), group.c_str(), H5P_DEFAULT),
                           "opening " + group + " of " + quoted(shards.front().path));
    const auto names = child_names(src.get(), group);
    for (const Shard& s : shards) {
        Handle g = h5::group(H5Gopen2(s.file.get(), group.c_str(), H5P_DEFAULT),
                             "opening " + group + " of " + quoted(s.path));
        if (child_names(g.get(), group) != names)
            throw h5::Failure(group + " of " + quoted(s.path) + " holds other datasets than in " +
                              quoted(shards.front().path));
    }
    Handle dst = h5::create_group(out, group);
    copy_attributes(src.get(), dst.get(), group);
    for (const auto& name : names) concat_rows(dst.get(), group, name, shards, stop);
}

// ---- checks ----

/// "3 of 28 pairs (CHN-IND, KGZ-TJK, ...)" or "all 28 pairs".
std::string tracked_pairs_text(const Results& r) {
    const auto& pairs = r.labels.pairs;
    if (r.tension_pairs.size() == pairs.size())
        return "all " + std::to_string(pairs.size()) + " pairs";
    std::string out =
        std::to_string(r.tension_pairs.size()) + " of " + std::to_string(pairs.size()) + " pairs (";
    for (std::size_t j = 0; j < r.tension_pairs.size() && j < 4; ++j) {
        const auto k = static_cast<std::size_t>(r.tension_pairs[j]);
        out += (j ? ", " : "") + (k < pairs.size() ? pairs[k] : std::to_string(k));
    }
    return out + (r.tension_pairs.size() > 4 ? ", ...)" : ")");
}

/// Why `s` cannot be merged with `ref` (empty if it can).
std::vector<std::string> differences(const Shard& s, const Shard& ref) {
    std::vector<std::string> out;
    const Results &a = s.r, &b = ref.r;
    auto differ = [&](const std::string& what, const std::string& va, const std::string& vb) {
        out.push_back(quoted(s.path) + " has " + what + " " + va + " but " + quoted(ref.path) +
                      " has " + vb);
    };
    auto text = [](const std::string& v) { return quoted(v); };
    auto num = [](auto v) { return std::to_string(v); };
    if (a.format != b.format) differ("format", text(a.format), text(b.format));
    if (a.scenario_sha256 != b.scenario_sha256)
        differ("another scenario: scenario_sha256", a.scenario_sha256.substr(0, 12) + "...",
               b.scenario_sha256.substr(0, 12) + "...");
    if (a.seed != b.seed) differ("seed", num(a.seed), num(b.seed));
    if (a.replications != b.replications)
        differ("replications", num(a.replications), num(b.replications));
    if (a.design != b.design) differ("design", text(a.design), text(b.design));
    if (a.design_samples != b.design_samples)
        differ("design_samples", num(a.design_samples), num(b.design_samples));
    if (a.design_seed != b.design_seed)
        differ("design_seed", num(a.design_seed), num(b.design_seed));
    if (a.sweep_id != b.sweep_id)
        out.push_back(
            quoted(s.path) + " and " + quoted(ref.path) +
            " belong to different sweeps (sweep_id differs: the parameters, the design or "
            "its values, the seed or the runs per point)");
    if (a.sweep_text != b.sweep_text)
        out.push_back(quoted(s.path) + " and " + quoted(ref.path) +
                      " were made from different sweep files (sweep_text differs)");
    if (a.total_points != b.total_points)
        differ("total_points", num(a.total_points), num(b.total_points));
    if (a.summary_only != b.summary_only)
        differ("summary_only", num(int(a.summary_only)), num(int(b.summary_only)));
    if (a.per_run_tension != b.per_run_tension)
        differ("per_run_tension", num(int(a.per_run_tension)), num(int(b.per_run_tension)));
    if (a.variant_choice != b.variant_choice)
        differ("variant_choice", text(a.variant_choice), text(b.variant_choice));
    if (a.variant_amendment != b.variant_amendment)
        differ("variant_amendment", text(a.variant_amendment), text(b.variant_amendment));
    if (a.variant_pressure != b.variant_pressure)
        differ("variant_pressure", text(a.variant_pressure), text(b.variant_pressure));
    if (a.variant_sponsor != b.variant_sponsor)
        differ("variant_sponsor", text(a.variant_sponsor), text(b.variant_sponsor));
    if (a.tension_pairs != b.tension_pairs)
        out.push_back(quoted(s.path) + " keeps tension histograms for " + tracked_pairs_text(a) +
                      " but " + quoted(ref.path) + " for " + tracked_pairs_text(b) +
                      " (made with and without --tension-histograms all, or from another model)");
    if (a.provenance.tool_version != b.provenance.tool_version)
        differ("tool_version", text(a.provenance.tool_version), text(b.provenance.tool_version));
    if (a.provenance.git_commit != b.provenance.git_commit)
        differ("git_commit", text(a.provenance.git_commit), text(b.provenance.git_commit));
    return out;
}

/// Label datasets that differ between the shards (all of /labels but `rounds`, which
/// follows from the points' max_rounds and is rewritten).
std::vector<std::string> label_differences(const Shard& s, const Shard& ref) {
    std::vector<std::string> out;
    Handle ga = h5::group(H5Gopen2(s.file.get(), layout::kLabels, H5P_DEFAULT),
                          "opening /labels of " + quoted(s.path));
    Handle gb = h5::group(H5Gopen2(ref.file.get(), layout::kLabels, H5P_DEFAULT),
                          "opening /labels of " + quoted(ref.path));
    auto na = child_names(ga.get(), "/labels"), nb = child_names(gb.get(), "/labels");
    std::erase(na, "rounds");
    std::erase(nb, "rounds");
    // Compared by differences() with its own message; files before it kept every pair.
    std::erase(na, "tension_pairs");
    std::erase(nb, "tension_pairs");
    if (na != nb) {
        out.push_back(quoted(s.path) + " and " + quoted(ref.path) + " have other /labels datasets");
        return out;
    }
    std::vector<std::string> differing;
    for (const auto& n : na) {
        const std::string p = std::string(layout::kLabels) + "/" + n;
        if (dataset_content(s.file.get(), p) != dataset_content(ref.file.get(), p))
            differing.push_back(p);
    }
    if (!differing.empty()) {
        std::string list;
        for (const auto& d : differing) list += (list.empty() ? "" : ", ") + d;
        out.push_back(quoted(s.path) + " and " + quoted(ref.path) +
                      " have different labels (another model or sweep): " + list);
    }
    return out;
}

/// Missing and overlapping point ranges of shards sorted by first_point.
std::vector<std::string> coverage_problems(const std::vector<Shard>& shards, std::int64_t total) {
    std::vector<std::string> out;
    std::int64_t next = 0;         // first point not yet covered
    const Shard* reach = nullptr;  // the shard that covers up to next - 1
    for (const Shard& s : shards) {
        const std::int64_t first = s.r.first_point, last = first + s.r.points - 1;
        if (first < 0 || last >= total) {
            out.push_back(quoted(s.path) + " holds " + shard_range(s) + " but the sweep has " +
                          std::to_string(total) + " points (0-" + std::to_string(total - 1) + ")");
            continue;
        }
        if (first > next) {
            const bool one = first - 1 == next;
            out.push_back(range_text(next, first - 1) + (one ? " is" : " are") +
                          " missing: is the shard for " + (one ? "it" : "them") +
                          " still running or failed?");
        } else if (first < next && reach) {
            const std::int64_t end = std::min(last, next - 1);
            const bool same = reach->r.first_point == first && reach->r.points == s.r.points;
            out.push_back(quoted(s.path) + " (" + shard_range(s) + ") and " + quoted(reach->path) +
                          " (" + shard_range(*reach) + ") " +
                          (same ? "are duplicates: both hold " : "overlap: both hold ") +
                          range_text(first, end) + "; give each shard once");
        }
        if (last + 1 > next) {
            next = last + 1;
            reach = &s;
        }
    }
    if (next < total) {
        const bool one = total - 1 == next;
        out.push_back(range_text(next, total - 1) + (one ? " is" : " are") +
                      " missing: is the shard for " + (one ? "it" : "them") +
                      " still running or failed?");
    }
    return out;
}

[[noreturn]] void fail(const std::string& out, const std::vector<std::string>& problems) {
    std::string msg = "cannot merge into " + quoted(out) + ": ";
    if (problems.size() == 1) {
        msg += problems.front();
    } else {
        for (const auto& p : problems) msg += "\n  " + p;
    }
    throw MergeError(msg);
}

Handle open_file(const std::string& path, unsigned flags, bool create) {
    Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS), "creating a file access list");
    h5::check_rc(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "setting the close degree");
    if (create)
        return h5::file(H5Fcreate(path.c_str(), flags, H5P_DEFAULT, h5::file_access().get()),
                        "cannot create the temporary file " + quoted(path));
    return h5::file(H5Fopen(path.c_str(), flags, fapl.get()), "cannot open " + quoted(path));
}

}  // namespace

MergeReport merge_results(const core::SummaryStatistics& stats,
                          const std::vector<std::string>& inputs, const std::string& out,
                          bool force, const std::string& command_line,
                          const std::string& tool_version, const std::string& git_commit,
                          const std::atomic<bool>* stop) {
    if (inputs.empty()) throw MergeError("merge: no input files");
    if (out.empty()) throw MergeError("merge: the output name is empty");
    std::error_code ec;
    if (fs::exists(fs::symlink_status(out, ec))) {
        if (!force) throw OutputExists(out);
        if (fs::is_directory(fs::status(out, ec)))
            throw MergeError("cannot merge into " + quoted(out) +
                             ": it is a directory; choose a file name with -o");
        for (const auto& in : inputs)
            if (fs::equivalent(in, out, ec))
                throw MergeError("cannot merge into " + quoted(out) +
                                 ": it is also an input; choose another output name");
    }

    // Read and check every input before writing anything.
    std::vector<Shard> shards;
    shards.reserve(inputs.size());
    int max_rounds = 0;
    // Each input is first read whole in a child process (every attribute and dataset,
    // types and sizes checked: sim/io/guard.h), so that a crafted or damaged shard cannot
    // crash or hang the merge; then the reads below are the same the child survived.
    // The summaries are not read here: the merge copies their stored chunks (checking that
    // each decodes) or reads them block by block while writing, so that each input's
    // summaries are decoded once in the child (read_every_object) and at most once here.
    for (const auto& in : inputs) {
        check_in_child(in, [&] {
            (void)read_results_header_unguarded(in);
            read_every_object(in);
        });
        shards.push_back({in, read_results_header_unguarded(in), Handle()});
        max_rounds = std::max(max_rounds, shards.back().r.max_rounds);
    }
    std::stable_sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) {
        return a.r.first_point < b.r.first_point;
    });
    h5::QuietErrors quiet;
    try {
        for (Shard& s : shards) s.file = open_file(s.path, H5F_ACC_RDONLY, false);
    } catch (const h5::Failure& e) {
        throw MergeError("cannot merge into " + quoted(out) + ": " + e.what());
    }
    std::vector<std::string> problems;
    const Shard& ref = shards.front();
    for (std::size_t k = 1; k < shards.size(); ++k) {
        auto d = differences(shards[k], ref);
        problems.insert(problems.end(), d.begin(), d.end());
    }
    if (!problems.empty()) fail(out, problems);
    try {
        for (std::size_t k = 1; k < shards.size(); ++k) {
            auto d = label_differences(shards[k], ref);
            problems.insert(problems.end(), d.begin(), d.end());
        }
    } catch (const h5::Failure& e) {
        problems.push_back(e.what());
    }
    if (!problems.empty()) fail(out, problems);
    const std::int64_t total = ref.r.total_points;
    problems = coverage_problems(shards, total);
    if (!problems.empty()) fail(out, problems);

    MergeReport report;
    report.points = total;
    std::uintmax_t bytes = 0;
    for (Shard& s : shards) {
        report.inputs.push_back(s.path);
        report.runs += s.r.runs;
        const auto size = fs::file_size(s.path, ec);
        if (!ec) bytes += size;
    }

    // Room for about the inputs' size (plus slack for metadata and the chunk caches).
    {
        constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;
        const std::string full = disk_full_message(out, bytes + 16 * kMiB, "merging");
        if (!full.empty()) throw MergeWriteError("cannot merge into " + quoted(out) + ": " + full);
    }

    const std::string tmp = temp_name_for(out);
    Handle file;
    auto discard = [&]() noexcept { discard_temp(tmp, [&] { (void)file.close(); }); };
    try {
        file = writing([&] { return open_file(tmp, H5F_ACC_TRUNC, true); });
        const hid_t root = file.get();
        // Root attributes: the shards' (checked equal above), then this file's own.
        copy_attributes(ref.file.get(), root, "/", kOwnRootAttrs);
        h5::set_attr(root, "points", total);
        h5::set_attr(root, "first_point", std::int64_t{0});
        h5::set_attr(root, "runs", report.runs);
        h5::set_attr(root, "command_line", command_line);
        h5::set_attr(root, "created", utc_now_iso());
        h5::set_attr(root, "merged_from", report.inputs);
        h5::set_attr(root, "merged_by", tool_version + " (" + git_commit + ")");

        // Every top-level group must be one this version knows how to merge.
        for (const auto& name : child_names(ref.file.get(), "/"))
            if (name != "labels" && name != "points" && name != "runs" && name != "summary" &&
                name != "sensitivity")
                throw h5::Failure(quoted(ref.path) + " has a group /" + name +
                                  " this version cannot merge");

        // Labels: equal in every shard; /labels/rounds is rewritten with the summaries.
        {
            Handle src = h5::group(H5Gopen2(ref.file.get(), layout::kLabels, H5P_DEFAULT),
                                   "opening /labels of " + quoted(ref.path));
            Handle dst = h5::create_group(root, layout::kLabels);
            copy_attributes(src.get(), dst.get(), layout::kLabels);
            for (const auto& name : child_names(src.get(), layout::kLabels)) {
                // Rewritten with the summaries (the tension pairs: checked equal above).
                if (name == "rounds" || name == "tension_pairs") continue;
                h5::check_rc(H5Ocopy(src.get(), name.c_str(), dst.get(), name.c_str(), H5P_DEFAULT,
                                     H5P_DEFAULT),
                             "copying /labels/" + name + " of " + quoted(ref.path));
            }
        }
        concat_group(root, layout::kPoints, shards, stop);
        if (!ref.r.summary_only) concat_group(root, layout::kRuns, shards, stop);

        core::RecordShape shape;
        const auto& lab = ref.r.labels;
        shape.periods = static_cast<int>(lab.periods.size());
        shape.proposals = static_cast<int>(lab.proposals.size());
        shape.agents = static_cast<int>(lab.agents.size());
        shape.dims = static_cast<int>(lab.dimensions.size());
        shape.pairs = static_cast<int>(lab.pairs.size());
        shape.random_params = static_cast<int>(ref.r.params.size());
        check_stop(stop);
        writing([&] {
            // One shard's summaries at a time (in point order), written as they are read.
            // Compressed on every core this process may use (the merge runs alone).
            SummaryGroupWriter summaries(root, stats, shape, total, max_rounds, ref.r.tension_pairs,
                                         kSummaryFilters, usable_cores());
            // Blocks of points, so that memory does not grow with a shard's points either.
            constexpr std::int64_t kPointsPerRead = 64;
            for (const Shard& s : shards) {
                // The shard's stored chunks where they line up with the output's (same
                // filters and chunk shape, the shard starting at a chunk row: a sweep's
                // parts); the other datasets' rows are decoded and encoded again.
                check_stop(stop);
                (void)summaries.copy_chunks(s.file.get(), s.path, s.r.points);
                for (std::int64_t a = 0; a < s.r.points; a += kPointsPerRead) {
                    check_stop(stop);
                    const std::int64_t n = std::min(kPointsPerRead, s.r.points - a);
                    for (auto& x : summaries.needs_rows(n)
                                       ? read_summary_rows(s.file.get(), shape, ref.r.tension_pairs,
                                                           s.r.points, a, n)
                                       : read_summary_light(s.file.get(), shape,
                                                            ref.r.tension_pairs, s.r.points, a, n))
                        summaries.add(std::move(x));
                }
            }
            summaries.finish();
            if (has_sensitivity(ref.r.design, 0, total, total))
                write_sensitivity(root, stats.sensitivity(static_cast<int>(ref.r.factors.size()),
                                                          ref.r.design_samples, ref.r.design_seed,
                                                          shape, summaries.pass_probabilities(),
                                                          summaries.tabled_anywhere()));
        });

        check_stop(stop);
        writing([&] {
            h5::check_rc(H5Fflush(root, H5F_SCOPE_GLOBAL), "writing the file");
            if (!file.close()) h5::check_rc(-1, "closing the file");
            for (Shard& s : shards) (void)s.file.close();
            publish_file(tmp, out, force);
        });
    } catch (const Stopped&) {
        discard();
        throw MergeInterrupted("merging into " + quoted(out) +
                               " was interrupted; nothing was written");
    } catch (const OutputExists&) {
        discard();
        throw;
    } catch (const WriteFailed& e) {
        discard();
        throw MergeWriteError("cannot merge into " + quoted(out) + ": " + e.what());
    } catch (const h5::Failure& e) {
        discard();
        throw MergeError("cannot merge into " + quoted(out) + ": " + e.what());
    } catch (const std::exception& e) {
        discard();
        throw MergeError("cannot merge into " + quoted(out) + ": " + e.what());
    }
    return report;
}

}  // namespace sco::io
