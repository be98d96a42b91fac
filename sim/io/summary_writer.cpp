#include "sim/io/summary_writer.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <zlib.h>

#include "sim/core/model.h"
#include "sim/io/errors.h"
#include "sim/io/h5.h"
#include "sim/io/layout.h"

namespace sco::io {

using h5::describe;
using h5::Handle;
using h5::hs;
using h5::kNaN;

namespace {

/// Writes rows [first, first + rows) along the leading (point) axis of `dset` from `buf`.
template <typename T>
void write_rows(hid_t dset, std::size_t first, std::size_t rows, const std::vector<T>& buf,
                const std::string& what) {
    if (rows == 0) return;
    Handle sp = h5::space(H5Dget_space(dset), what);
    const int rank = H5Sget_simple_extent_ndims(sp.get());
    h5::check_id(rank, what);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    h5::check_rc(H5Sget_simple_extent_dims(sp.get(), dims.data(), nullptr), what);
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = first;
    count[0] = rows;
    if (std::find(count.begin(), count.end(), hsize_t{0}) != count.end()) return;
    h5::check_rc(
        H5Sselect_hyperslab(sp.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        what);
    Handle mem = h5::space(H5Screate_simple(rank, count.data(), nullptr), what);
    h5::check_rc(H5Dwrite(dset, h5::native<T>(), mem.get(), sp.get(), H5P_DEFAULT, buf.data()),
                 what);
}

/// Summaries are written in blocks of about this many bytes of raw counts.
constexpr std::size_t kSummaryBlockBytes = std::size_t{32} << 20;

/// A chunked /summary dataset written chunk by chunk: its rows are gathered until they fill
/// a row of chunks (c0 points), whose chunks are then encoded (the dataset's own filters,
/// by h5::encode_chunk, on the writer's threads) and written with H5Dwrite_chunk, so that
/// no chunk is compressed twice and compression need not run on one thread inside HDF5.
/// Datasets that are not chunked, or have filters other than shuffle and deflate, are
/// written through H5Dwrite (`direct` false).
struct ChunkedSet {
    hid_t dset = -1;
    std::string name;
    bool direct = false;
    std::vector<hsize_t> dims, chunk;
    int deflate = -1;
    bool shuffle = false;
    std::size_t row_elems = 0;       ///< elements of one point's row
    hsize_t first_row = 0;           ///< the file row of rows[0]
    std::vector<std::int64_t> rows;  ///< buffered rows (8-byte elements, as raw bits)
};

/// One chunk to encode and write.
struct SummaryChunk {
    ChunkedSet* set = nullptr;
    std::vector<hsize_t> offset;
    std::vector<std::byte> raw, out;
};

ChunkedSet chunked_set(hid_t dset, const std::string& name) {
    ChunkedSet c;
    c.dset = dset;
    c.name = name;
    const std::string what = "reading the layout of " + name;
    c.dims = h5::shape(dset);
    c.row_elems = 1;
    for (std::size_t i = 1; i < c.dims.size(); ++i) c.row_elems *= c.dims[i];
    Handle dcpl = h5::plist(H5Dget_create_plist(dset), what);
    if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED || c.dims.empty()) return c;
    Handle type = h5::type(H5Dget_type(dset), what);
    if (H5Tget_size(type.get()) != 8) return c;
    c.chunk.assign(c.dims.size(), 0);
    h5::check_id(H5Pget_chunk(dcpl.get(), static_cast<int>(c.chunk.size()), c.chunk.data()), what);
    const int nf = H5Pget_nfilters(dcpl.get());
    h5::check_id(nf, what);
    for (int i = 0; i < nf; ++i) {
        unsigned flags = 0, cd[8] = {};
        std::size_t ncd = 8;
        const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &ncd,
                                               cd, 0, nullptr, nullptr);
        if (id == H5Z_FILTER_SHUFFLE && c.deflate < 0) {
            c.shuffle = true;
        } else if (id == H5Z_FILTER_DEFLATE && ncd >= 1) {
            c.deflate = static_cast<int>(cd[0]);
        } else {
            return c;  // another filter (or an order h5::encode_chunk does not make)
        }
    }
    c.direct = true;
    return c;
}

/// Moves `o` to the next tile of the inner axes in row-major order (axis 0 stays: one row of
/// chunks); false when the row's last tile was passed.
bool next_tile(const ChunkedSet& c, std::vector<hsize_t>& o) {
    for (std::size_t x = o.size(); --x >= 1;) {
        o[x] += c.chunk[x];
        if (o[x] < c.dims[x]) return true;
        o[x] = 0;
    }
    return false;
}

/// Cuts the buffered rows of `c` into chunks: whole rows of chunks (c0 points), and with
/// `last` the remainder too, padded with zeros (HDF5 stores edge chunks whole; the padding
/// lies beyond the dataset's extent and is never read).
void cut_chunks(ChunkedSet& c, bool last, std::vector<SummaryChunk>& jobs) {
    const std::size_t rank = c.dims.size();
    const std::size_t c0 = c.chunk[0];
    std::size_t tile_elems = 1;
    for (hsize_t n : c.chunk) tile_elems *= n;
    const std::size_t buffered = c.rows.size() / std::max<std::size_t>(c.row_elems, 1);
    std::size_t at = 0;  // rows of c.rows consumed
    while (buffered - at >= c0 || (last && at < buffered)) {
        const std::size_t n0 = std::min(c0, buffered - at);  // rows present; the rest pad
        const std::int64_t* slab = c.rows.data() + at * c.row_elems;
        std::vector<hsize_t> o(rank, 0);  // the tile's offset along the inner axes
        for (;;) {
            SummaryChunk job;
            job.set = &c;
            job.offset = o;
            job.offset[0] = c.first_row + at;
            job.raw.assign(tile_elems * 8, std::byte{0});
            auto* dst = reinterpret_cast<std::int64_t*>(job.raw.data());
            if (rank == 1) {
                std::copy_n(slab, n0, dst);
            } else {
                // Lines along the last axis; `line` runs row-major over the tile's other axes.
                const std::size_t L = rank - 1, cl = c.chunk[L];
                const std::size_t len = std::min<std::size_t>(cl, c.dims[L] - o[L]);
                std::size_t lines = 1;
                for (std::size_t x = 0; x < L; ++x) lines *= c.chunk[x];
                std::vector<std::size_t> q(L, 0);
                for (std::size_t line = 0; line < lines; ++line) {
                    std::size_t rem = line;
                    for (std::size_t x = L; x-- > 0;) {
                        q[x] = rem % c.chunk[x];
                        rem /= c.chunk[x];
                    }
                    bool inside = q[0] < n0;
                    std::size_t src = q[0];
                    for (std::size_t x = 1; x < L && inside; ++x) {
                        const std::size_t pos = o[x] + q[x];
                        inside = pos < c.dims[x];
                        src = src * c.dims[x] + pos;
                    }
                    if (!inside) continue;
                    src = src * c.dims[L] + o[L];
                    std::copy_n(slab + src, len, dst + line * cl);
                }
            }
            jobs.push_back(std::move(job));
            if (!next_tile(c, o)) break;
        }
        at += n0;
    }
    c.rows.erase(c.rows.begin(), c.rows.begin() + static_cast<std::ptrdiff_t>(at * c.row_elems));
    c.first_row += at;
}

/// Encodes the jobs on `threads` threads (the caller's included), then writes them in
/// order: the file is the same whatever the thread count.
void encode_and_write(std::vector<SummaryChunk>& jobs, int threads) {
    if (jobs.empty()) return;
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        std::vector<std::byte> tmp;
        for (std::size_t j; (j = next.fetch_add(1)) < jobs.size();) {
            SummaryChunk& job = jobs[j];
            try {
                h5::encode_chunk(job.raw.data(), job.raw.size(), 8, job.set->deflate,
                                 job.set->shuffle, job.out, tmp);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
            std::vector<std::byte>().swap(job.raw);
        }
    };
    const int n = static_cast<int>(
        std::clamp<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), 1, jobs.size()));
    std::vector<std::thread> helpers;
    for (int t = 1; t < n; ++t) helpers.emplace_back(work);
    work();
    for (auto& h : helpers) h.join();
    if (error) std::rethrow_exception(error);
    for (const SummaryChunk& job : jobs)
        h5::check_rc(H5Dwrite_chunk(job.set->dset, H5P_DEFAULT, 0, job.offset.data(),
                                    job.out.size(), job.out.data()),
                     "writing " + job.set->name);
    jobs.clear();
}

/// Rows [first, first + rows) of `c` from `buf`: buffered and cut into whole chunks (a
/// dataset written directly), or written at once through H5Dwrite.
template <typename T>
void stage_rows(ChunkedSet& c, std::size_t first, std::size_t rows, const std::vector<T>& buf,
                std::vector<SummaryChunk>& jobs) {
    static_assert(sizeof(T) == 8);
    if (!c.direct) {
        write_rows(c.dset, first, rows, buf, "writing " + c.name);
        return;
    }
    if (buf.size() != rows * c.row_elems)
        throw std::logic_error("summary rows of the wrong size for " + c.name);
    // Rows below c.first_row were copied as stored chunks (copy_chunks): skipped.
    std::size_t skip = 0;
    if (first < c.first_row && c.rows.empty())
        skip = std::min<std::size_t>(rows, static_cast<std::size_t>(c.first_row - first));
    if (skip == rows) return;
    if (first + skip != c.first_row + c.rows.size() / std::max<std::size_t>(c.row_elems, 1))
        throw std::logic_error("summary rows out of order for " + c.name);
    const std::size_t n = (rows - skip) * c.row_elems;
    if (n == 0) return;
    const std::size_t old = c.rows.size();
    c.rows.resize(old + n);
    std::memcpy(c.rows.data() + old, buf.data() + skip * c.row_elems, n * 8);
    cut_chunks(c, false, jobs);
}

/// The offsets of every chunk of `c` in chunk rows [r0, r1) of the file (chunk row =
/// c.chunk[0] points), row-major over the inner tiles as cut_chunks makes them.
std::vector<std::vector<hsize_t>> chunk_offsets(const ChunkedSet& c, hsize_t r0, hsize_t r1) {
    std::vector<std::vector<hsize_t>> out;
    const std::size_t rank = c.dims.size();
    for (hsize_t row = r0; row < r1; row += c.chunk[0]) {
        std::vector<hsize_t> o(rank, 0);
        o[0] = row;
        do {
            out.push_back(o);
        } while (next_tile(c, o));
    }
    return out;
}

/// Checks that a stored chunk decodes (inflate, when the set is deflated) to exactly
/// `tile_bytes` bytes: copied chunks are untrusted bytes. Throws BadResults naming `path`.
void check_chunk(const std::vector<std::byte>& stored, std::size_t tile_bytes, int deflate,
                 std::vector<std::byte>& scratch, const std::string& path,
                 const std::string& dataset, const std::vector<hsize_t>& offset) {
    auto bad = [&](const std::string& why) {
        std::string at;
        for (hsize_t v : offset) at += (at.empty() ? "" : ",") + std::to_string(v);
        throw BadResults(path, dataset + ": the stored chunk at (" + at + ") " + why);
    };
    if (deflate < 0) {
        if (stored.size() != tile_bytes) bad("has the wrong size");
        return;
    }
    scratch.resize(tile_bytes + 1);
    uLongf len = static_cast<uLongf>(scratch.size());
    const int rc = uncompress(reinterpret_cast<Bytef*>(scratch.data()), &len,
                              reinterpret_cast<const Bytef*>(stored.data()),
                              static_cast<uLong>(stored.size()));
    if (rc != Z_OK) bad("does not decode (zlib error " + std::to_string(rc) + ")");
    if (len != tile_bytes)
        bad("decodes to " + std::to_string(len) + " bytes, not " + std::to_string(tile_bytes));
}

}  // namespace

struct SummaryGroupWriter::Impl {
    hid_t file = -1;
    const core::SummaryStatistics* stats = nullptr;
    core::RecordShape shape;
    std::size_t points = 0, done = 0;
    hsize_t T = 0, P = 0, N = 0, D = 0, K = 0, J = 0, RB = 0;
    std::vector<int> tension_pairs;
    static constexpr hsize_t O = core::kOutcomes, B = core::kFlagBits, DB = core::kDilutionBins,
                             TB = core::kTensionBins;
    Handle g, raw;
    std::vector<std::pair<const layout::RawField*, Handle>> raw_sets;
    Handle runs_set, max_rounds_set;
    std::vector<std::pair<std::string, Handle>> derived;  // in the order they are filled
    std::vector<core::SummaryCounts> pending;
    std::size_t pending_bytes = 0;
    std::vector<ChunkedSet> chunked;  // the raw sets, then the derived ones, in that order
    int threads = 1;
    std::vector<double> pass_p;  // [point][t * P + p]
    std::vector<char> tabled_any;

    hsize_t axis_len(char axis) const {
        switch (axis) {
            case 't':
                return T;
            case 'p':
                return P;
            case 'o':
                return O;
            case 'i':
                return N;
            case 'b':
                return B;
            case 'd':
                return D;
            case 'k':
                return K;
            case 'j':
                return J;
            case 'D':
                return DB;
            case 'T':
                return TB;
            case 'R':
                return RB;
            case 'A':
                return T + 1;
            default:
                throw std::logic_error("bad axis code");
        }
    }
    std::size_t derived_index(const char* name) const {
        for (std::size_t i = 0; i < derived.size(); ++i)
            if (derived[i].first == name) return i;
        throw std::logic_error(std::string("no summary dataset ") + name);
    }
};

SummaryGroupWriter::SummaryGroupWriter(hid_t file, const core::SummaryStatistics& stats,
                                       const core::RecordShape& shape, std::int64_t points,
                                       int max_rounds, std::vector<int> tension_pairs,
                                       const h5::Filters& filters, int threads)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.threads = std::max(threads, 1);
    m.file = file;
    m.stats = &stats;
    m.shape = shape;
    m.points = static_cast<std::size_t>(points);
    m.T = hs(shape.periods);
    m.P = hs(shape.proposals);
    m.N = hs(shape.agents);
    m.D = hs(shape.dims);
    m.K = hs(shape.pairs);
    m.J = tension_pairs.size();
    m.tension_pairs = std::move(tension_pairs);
    m.RB = hs(max_rounds) + 1;
    m.tabled_any.assign(m.T * m.P, 0);
    const hsize_t Pt = m.points, RB = m.RB;

    m.g = h5::create_group(file, layout::kSummary);
    describe(m.g.get(), "",
             "per-point statistics; probabilities are over runs where the proposal was tabled");
    m.raw = h5::create_group(m.g.get(), "raw");
    describe(m.raw.get(), "",
             "the exact integer state of each point's Summary: files merge by adding these");
    h5::set_attr(m.raw.get(), "fixed_scale", core::kFixedScale);
    h5::set_attr(m.raw.get(), "dilution_bins", static_cast<std::int64_t>(core::kDilutionBins));
    h5::set_attr(m.raw.get(), "tension_bins", static_cast<std::int64_t>(core::kTensionBins));
    for (const auto& f : layout::raw_fields()) {
        std::vector<hsize_t> dims{Pt};
        for (char axis : std::string_view(f.axes_code)) dims.push_back(m.axis_len(axis));
        Handle d = h5::create_dataset(m.raw.get(), f.name, h5::native<std::int64_t>(), dims, false,
                                      true, filters, kSummaryChunkPoints);
        describe(d.get(), f.axes, f.description);
        m.raw_sets.emplace_back(&f, std::move(d));
    }
    m.runs_set =
        h5::create_dataset(m.raw.get(), "runs", h5::native<std::int64_t>(), {Pt}, false, false);
    describe(m.runs_set.get(), "point", "runs summarised");
    m.max_rounds_set = h5::create_dataset(m.raw.get(), "max_rounds", h5::native<std::int64_t>(),
                                          {Pt}, false, false);
    describe(m.max_rounds_set.get(), "point",
             "the point's own max_rounds: rounds_hist bins beyond it are padding (zero)");

    // The derived datasets: names, axes and descriptions as experiment defines them.
    for (const auto& a : stats.derived(shape, static_cast<int>(RB), {})) {
        std::vector<hsize_t> dims{Pt};
        for (auto n : a.dims) dims.push_back(n);
        Handle d = h5::create_dataset(m.g.get(), a.name.c_str(),
                                      a.integer ? h5::native<std::int64_t>() : h5::native<double>(),
                                      dims, false, true, filters, kSummaryChunkPoints);
        describe(d.get(), a.axes.c_str(), a.description.c_str());
        m.derived.emplace_back(a.name, std::move(d));
    }
    for (const auto& [fp, d] : m.raw_sets)
        m.chunked.push_back(chunked_set(d.get(), std::string("/summary/raw/") + fp->name));
    for (const auto& [n, d] : m.derived) m.chunked.push_back(chunked_set(d.get(), "/summary/" + n));
}

SummaryGroupWriter::~SummaryGroupWriter() = default;

std::size_t SummaryGroupWriter::copy_chunks(hid_t src, const std::string& src_path,
                                            std::int64_t rows) {
    Impl& m = *impl_;
    write_pending();
    const hsize_t at = m.done, n = h5::hs(rows);
    if (rows <= 0 || at + n > m.points) return 0;
    std::size_t copied = 0;
    for (ChunkedSet& c : m.chunked) {
        // The rows must start a chunk row of this file, with nothing buffered before them.
        if (!c.direct || !c.rows.empty() || c.first_row != at || at % c.chunk[0] != 0) continue;
        const std::string what = "reading " + c.name + " of '" + src_path + "'";
        if (!h5::exists(src, c.name)) continue;
        Handle d = h5::open_dataset(src, c.name);
        ChunkedSet sc = chunked_set(d.get(), c.name);
        std::vector<hsize_t> want = c.dims;
        want[0] = n;
        if (!sc.direct || sc.dims != want || sc.chunk != c.chunk || sc.deflate != c.deflate ||
            sc.shuffle != c.shuffle)
            continue;
        {
            Handle ft = h5::type(H5Dget_type(d.get()), what);
            Handle ft0 = h5::type(H5Dget_type(c.dset), what);
            if (H5Tequal(ft.get(), ft0.get()) <= 0) continue;
        }
        // Whole chunk rows, and the last (edge) one if the shard ends where this file does.
        const hsize_t c0 = c.chunk[0];
        const hsize_t end = at + n == m.points ? n : n / c0 * c0;
        if (end == 0) continue;
        // Every chunk must be stored (a missing one reads as fill values: not copied).
        // A failure to read the input is the input's (BadResults), not the output's.
        const auto rd = [&](herr_t rc) {
            if (rc < 0) throw BadResults(src_path, what + ": " + h5::error_detail());
        };
        const auto all = chunk_offsets(sc, 0, end);
        std::vector<hsize_t> sizes(all.size(), 0);
        for (std::size_t i = 0; i < all.size(); ++i)
            rd(H5Dget_chunk_storage_size(d.get(), all[i].data(), &sizes[i]));
        if (std::find(sizes.begin(), sizes.end(), hsize_t{0}) != sizes.end()) continue;
        std::size_t tile_bytes = 8;
        for (hsize_t v : c.chunk) tile_bytes *= v;
        const std::size_t bound = compressBound(static_cast<uLong>(tile_bytes)) + 64;
        // Read in order (libhdf5 is not thread-safe), checked on the writer's threads, written
        // in order: the file does not depend on the thread count.
        std::vector<std::vector<std::byte>> stored(all.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (sizes[i] > bound)
                throw BadResults(src_path, c.name + ": a stored chunk of " +
                                               std::to_string(sizes[i]) + " bytes cannot hold " +
                                               std::to_string(tile_bytes));
            stored[i].resize(static_cast<std::size_t>(sizes[i]));
            std::uint32_t mask = 0;
            rd(H5Dread_chunk(d.get(), H5P_DEFAULT, all[i].data(), &mask, stored[i].data()));
            if (mask != 0)
                throw BadResults(src_path, c.name + ": a stored chunk skipped its filters");
        }
        {
            std::atomic<std::size_t> next{0};
            std::exception_ptr error;
            std::mutex error_mutex;
            auto work = [&] {
                std::vector<std::byte> scratch;
                for (std::size_t j; (j = next.fetch_add(1)) < all.size();) {
                    try {
                        check_chunk(stored[j], tile_bytes, c.deflate, scratch, src_path, c.name,
                                    all[j]);
                    } catch (...) {
                        const std::lock_guard<std::mutex> lock(error_mutex);
                        if (!error) error = std::current_exception();
                    }
                }
            };
            const int nt = static_cast<int>(std::clamp<std::size_t>(
                static_cast<std::size_t>(std::max(m.threads, 1)), 1, all.size()));
            std::vector<std::thread> helpers;
            for (int t = 1; t < nt; ++t) helpers.emplace_back(work);
            work();
            for (auto& h : helpers) h.join();
            if (error) std::rethrow_exception(error);
        }
        for (std::size_t i = 0; i < all.size(); ++i) {
            std::vector<hsize_t> out = all[i];
            out[0] += at;
            h5::check_rc(H5Dwrite_chunk(c.dset, H5P_DEFAULT, 0, out.data(), stored[i].size(),
                                        stored[i].data()),
                         "writing " + c.name);
        }
        c.first_row = at + std::min(end, n);
        ++copied;
    }
    return copied;
}

bool SummaryGroupWriter::needs_rows(std::int64_t n) const {
    const Impl& m = *impl_;
    const std::size_t at = m.done + m.pending.size();
    for (const ChunkedSet& c : m.chunked) {
        if (!c.direct && c.row_elems == 0) continue;  // an empty dataset: nothing to write
        if (!c.direct || !c.rows.empty() || c.first_row < at + static_cast<std::size_t>(n))
            return true;
    }
    return false;
}

void SummaryGroupWriter::add(core::SummaryCounts&& s) {
    Impl& m = *impl_;
    std::size_t bytes = 0;
    for (const auto& f : layout::raw_fields()) bytes += 8 * (s.*f.member).size();
    m.pending.push_back(std::move(s));
    m.pending_bytes += bytes;
    if (m.pending_bytes >= kSummaryBlockBytes) {
        write_pending();
    }
}

void SummaryGroupWriter::write_pending() {
    Impl& m = *impl_;
    std::vector<const core::SummaryCounts*> block;
    block.reserve(m.pending.size());
    for (const auto& s : m.pending) block.push_back(&s);
    write(block);
    m.pending.clear();
    m.pending_bytes = 0;
}

void SummaryGroupWriter::write(std::span<const core::SummaryCounts* const> block) {
    Impl& m = *impl_;
    const std::size_t npt = block.size();
    if (npt == 0) return;
    if (m.done + npt > m.points)
        throw std::invalid_argument("finish: more summaries than the file's " +
                                    std::to_string(m.points) + " points");
    const core::RecordShape& shape = m.shape;
    for (const core::SummaryCounts* c : block) {
        const core::SummaryCounts& s = *c;
        s.require_shape(shape, "finish");
        if (s.tension_pairs != m.tension_pairs)
            throw std::invalid_argument(
                "finish: a summary keeps the tension histograms of other pairs than the file");
        if (hs(s.max_rounds) + 1 > m.RB)
            throw std::invalid_argument("finish: a summary has more rounds than the file");
    }
    const std::size_t at = m.done;
    const hsize_t T = m.T, P = m.P, RB = m.RB;
    std::vector<SummaryChunk> jobs;

    // ---- raw arrays, concatenated along a leading point axis ----
    // A set whose rows [at, at + npt) were all copied as stored chunks needs none of them.
    const auto copied = [&](const ChunkedSet& c) {
        if (!c.direct) return c.row_elems == 0;  // an empty dataset: nothing to write
        return c.rows.empty() && c.first_row >= at + npt;
    };
    for (std::size_t fi = 0; fi < m.raw_sets.size(); ++fi) {
        if (copied(m.chunked[fi])) continue;
        const layout::RawField& f = *m.raw_sets[fi].first;
        std::size_t per = 1;
        for (char axis : std::string_view(f.axes_code)) per *= m.axis_len(axis);
        std::vector<std::int64_t> values;
        if (std::string_view(f.name) == "rounds_hist") {
            // Pad every point's histogram to the largest max_rounds.
            values.assign(npt * per, 0);
            for (std::size_t k = 0; k < npt; ++k) {
                const auto& s = *block[k];
                const std::size_t rb = static_cast<std::size_t>(s.max_rounds) + 1;
                if (s.rounds_hist.size() != T * P * rb)
                    throw std::invalid_argument("finish: rounds_hist has the wrong size");
                for (std::size_t tp = 0; tp < T * P; ++tp)
                    for (std::size_t r = 0; r < rb; ++r)
                        values[k * per + tp * RB + r] = s.rounds_hist[tp * rb + r];
            }
        } else {
            values.reserve(npt * per);
            for (const core::SummaryCounts* s : block) {
                const auto& v = s->*f.member;
                if (v.size() != per)
                    throw std::invalid_argument(std::string("finish: summary field ") + f.name +
                                                " has the wrong size");
                values.insert(values.end(), v.begin(), v.end());
            }
        }
        stage_rows(m.chunked[fi], at, npt, values, jobs);
    }
    {
        std::vector<std::int64_t> runs, mr;
        for (const core::SummaryCounts* s : block) {
            runs.push_back(s->runs);
            mr.push_back(s->max_rounds);
        }
        write_rows(m.runs_set.get(), at, npt, runs, "writing runs");
        write_rows(m.max_rounds_set.get(), at, npt, mr, "writing max_rounds");
    }

    // ---- derived datasets, computed by experiment (m.stats), stored as given ----
    const bool derive =
        std::any_of(m.chunked.begin() + static_cast<std::ptrdiff_t>(m.raw_sets.size()),
                    m.chunked.end(), [&](const ChunkedSet& c) { return !copied(c); });
    for (const auto& a : derive ? m.stats->derived(shape, static_cast<int>(m.RB), block)
                                : std::vector<core::DerivedArray>{}) {
        ChunkedSet& c = m.chunked[m.raw_sets.size() + m.derived_index(a.name.c_str())];
        if (a.integer)
            stage_rows(c, at, npt, a.ints, jobs);
        else
            stage_rows(c, at, npt, a.reals, jobs);
    }
    encode_and_write(jobs, m.threads);
    // The compact per-point output of the sensitivity analysis.
    m.stats->append_pass_probabilities(block, m.pass_p, m.tabled_any);
    m.done += npt;
}

void SummaryGroupWriter::finish() {
    Impl& m = *impl_;
    write_pending();
    if (m.done != m.points)
        throw std::invalid_argument("finish: " + std::to_string(m.done) + " summaries for " +
                                    std::to_string(m.points) + " points");
    {
        std::vector<SummaryChunk> jobs;
        for (ChunkedSet& c : m.chunked)
            if (c.direct) cut_chunks(c, true, jobs);
        encode_and_write(jobs, m.threads);
    }
    Handle lg = h5::group(H5Gopen2(m.file, layout::kLabels, H5P_DEFAULT), "opening labels");
    std::vector<std::int64_t> rounds;
    for (hsize_t r = 1; r < m.RB; ++r) rounds.push_back(static_cast<std::int64_t>(r));
    Handle d = h5::write_array(lg.get(), "rounds", {rounds.size()}, rounds, false);
    describe(d.get(), "round", "number of rounds (1..max_rounds)");
    const std::vector<std::int64_t> tp(m.tension_pairs.begin(), m.tension_pairs.end());
    Handle dt = h5::write_array(lg.get(), "tension_pairs", {tp.size()}, tp, false);
    describe(dt.get(), "tension_pair",
             "the pairs (indices along the pair axis) whose tension histograms are kept");
}

const std::vector<double>& SummaryGroupWriter::pass_probabilities() const {
    return impl_->pass_p;
}

const std::vector<char>& SummaryGroupWriter::tabled_anywhere() const {
    return impl_->tabled_any;
}

void write_summary_group(hid_t file, const core::SummaryStatistics& stats,
                         const core::RecordShape& shape,
                         std::span<const core::SummaryCounts* const> per_point) {
    int max_rounds = 0;
    for (const core::SummaryCounts* s : per_point) max_rounds = std::max(max_rounds, s->max_rounds);
    SummaryGroupWriter w(
        file, stats, shape, static_cast<std::int64_t>(per_point.size()), max_rounds,
        per_point.empty() ? core::all_pairs(shape.pairs) : per_point.front()->tension_pairs);
    w.write(per_point);
    w.finish();
}

namespace {

std::vector<core::SummaryCounts> read_rows(hid_t file, const core::RecordShape& shape,
                                           const std::vector<int>& tension_pairs,
                                           std::int64_t points, std::int64_t first, std::int64_t n,
                                           bool light) {
    if (first < 0 || n < 0 || first + n > points)
        throw h5::Failure("summary rows " + std::to_string(first) + "+" + std::to_string(n) +
                          " are outside the file's " + std::to_string(points) + " points");
    const std::string raw = layout::kRaw;
    // Reads rows [first, first + n) of a dataset whose shape is {points, per...}.
    auto rows = [&](const std::string& name, std::size_t per_expected, std::size_t* per_out) {
        const std::string path = raw + "/" + name;
        Handle d = h5::open_dataset(file, path);
        const auto dims = h5::shape(d.get());
        std::size_t per = 1;
        for (std::size_t i = 1; i < dims.size(); ++i) per *= dims[i];
        if (dims.empty() || dims[0] != hs(points) || (per_expected > 0 && per != per_expected))
            throw h5::Failure(path + " has the wrong shape for the labels");
        if (per_out) *per_out = per;
        std::vector<std::int64_t> out(static_cast<std::size_t>(n) * per);
        if (out.empty()) return out;
        Handle sp = h5::space(H5Dget_space(d.get()), "reading " + path);
        std::vector<hsize_t> start(dims.size(), 0), count = dims;
        start[0] = hs(first);
        count[0] = hs(n);
        h5::check_rc(H5Sselect_hyperslab(sp.get(), H5S_SELECT_SET, start.data(), nullptr,
                                         count.data(), nullptr),
                     "reading " + path);
        Handle mem =
            h5::space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                      "reading " + path);
        h5::check_rc(
            H5Dread(d.get(), H5T_NATIVE_INT64, mem.get(), sp.get(), H5P_DEFAULT, out.data()),
            "reading " + path);
        return out;
    };
    const auto runs = rows("runs", 1, nullptr);
    const auto max_rounds = rows("max_rounds", 1, nullptr);
    std::vector<core::SummaryCounts> out;
    out.reserve(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
        if (max_rounds[k] < 0 || max_rounds[k] > 255)
            throw h5::Failure("/summary/raw/max_rounds is out of range");
        out.emplace_back(shape, static_cast<int>(max_rounds[k]), tension_pairs);
        out.back().runs = runs[k];
    }
    for (const auto& field : layout::raw_fields()) {
        if (light && std::string_view(field.name) != "outcome_counts") continue;
        const bool rounds = std::string_view(field.name) == "rounds_hist";
        std::size_t per = 0;
        const auto all =
            rows(field.name, rounds || n == 0 ? 0 : (out[0].*field.member).size(), &per);
        const std::size_t TP = hs(shape.periods) * hs(shape.proposals);
        if (rounds && (TP == 0 || per % TP != 0))
            throw h5::Failure(raw + "/rounds_hist has the wrong shape for the labels");
        const std::size_t RB = rounds ? per / TP : 0;
        for (std::int64_t k = 0; k < n; ++k) {
            auto& dst = out[k].*field.member;
            const auto* src = all.data() + static_cast<std::size_t>(k) * per;
            if (!rounds) {
                dst.assign(src, src + per);
                continue;
            }
            const std::size_t rb = static_cast<std::size_t>(max_rounds[k]) + 1;
            if (rb > RB) throw h5::Failure(raw + "/max_rounds exceeds the rounds histogram");
            for (std::size_t tp = 0; tp < TP; ++tp)
                for (std::size_t b = 0; b < rb; ++b) dst[tp * rb + b] = src[tp * RB + b];
        }
    }
    return out;
}

}  // namespace

std::vector<core::SummaryCounts> read_summary_rows(hid_t file, const core::RecordShape& shape,
                                                   const std::vector<int>& tension_pairs,
                                                   std::int64_t points, std::int64_t first,
                                                   std::int64_t n) {
    return read_rows(file, shape, tension_pairs, points, first, n, false);
}

std::vector<core::SummaryCounts> read_summary_light(hid_t file, const core::RecordShape& shape,
                                                    const std::vector<int>& tension_pairs,
                                                    std::int64_t points, std::int64_t first,
                                                    std::int64_t n) {
    return read_rows(file, shape, tension_pairs, points, first, n, true);
}

bool has_sensitivity(const std::string& design, std::int64_t first_point, std::int64_t points,
                     std::int64_t total_points) {
    return design == "sobol" && first_point == 0 && points == total_points;
}

void write_sensitivity(hid_t file, const core::SensitivityArrays& a) {
    const std::size_t n = a.factors * a.periods * a.proposals;
    for (const auto* v : {&a.first, &a.first_lo, &a.first_hi, &a.total, &a.total_lo, &a.total_hi})
        if (v->size() != n)
            throw std::invalid_argument("sensitivity: an index array does not fit its shape");
    Handle g = h5::create_group(file, "/sensitivity");
    describe(g.get(), "",
             "Sobol indices of the pass probability of each proposal at each summit (over tabled "
             "runs; 0 at points where it was not tabled) across the points of the whole design");
    h5::set_attr(g.get(), "bootstrap", static_cast<std::int64_t>(a.bootstrap));
    h5::set_attr(g.get(), "confidence", a.confidence);
    const std::vector<hsize_t> dims{a.factors, a.periods, a.proposals};
    auto put = [&](const char* name, const std::vector<double>& v, const char* what) {
        Handle d = h5::write_array(g.get(), name, dims, v, false);
        describe(d.get(), "factor,period,proposal", what);
    };
    put("first", a.first,
        "first-order index (Saltelli 2010): share of variance due to the factor alone");
    put("first_lo", a.first_lo, "lower end of the 95% bootstrap interval of first");
    put("first_hi", a.first_hi, "upper end of the 95% bootstrap interval of first");
    put("total", a.total,
        "total-order index (Jansen 1999): share of variance involving the factor");
    put("total_lo", a.total_lo, "lower end of the 95% bootstrap interval of total");
    put("total_hi", a.total_hi, "upper end of the 95% bootstrap interval of total");
}

}  // namespace sco::io
