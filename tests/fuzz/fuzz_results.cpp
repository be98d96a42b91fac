// libFuzzer target: io::read_results, io::read_run_facts (the per-run records of
// `sco-sim score`), io::read_every_object, io::is_calibration_file and io::merge_results on
// arbitrary bytes written to a file.
//
// The readers run in this process (SCO_SIM_READ_UNGUARDED=1): the child-process guard
// (sim/io/guard.h) that sco-sim puts around every read of an untrusted file is skipped,
// so that the fuzzer sees (and gets coverage from) what libhdf5 and our code do with the
// bytes. A finding inside libhdf5 is what the guard turns into an error message in sco-sim;
// a finding in our code is a bug.
//
// Contract (sim/io/results_reader.h, sim/io/merge.h): a bad file gives BadResults,
// MergeError or OutputExists; nothing else escapes, nothing crashes, HDF5 prints no
// error stack, and a failed merge leaves nothing at the output or beside it. The run facts
// read_run_facts returns have the point's runs and the labels' sizes, outcome codes that
// are outcomes and only the flag bits of /labels/flags (what score's joint count indexes
// by); a point outside the file is std::out_of_range, whatever the file.
//
// The HDF5 check: our own "automatic error printer" is installed before each input.
// The code under test silences HDF5 (h5::QuietErrors) around its calls; if HDF5 ever
// reaches the automatic printer, the user would have seen an "HDF5-DIAG" stack, and
// the target aborts.
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <stdexcept>
#include <string>

#include "sim/experiment/statistics.h"
#include "sim/io/calibration_writer.h"
#include "sim/io/errors.h"
#include "sim/io/merge.h"
#include "sim/io/results_reader.h"

namespace fs = std::filesystem;

// Production semantics for absurd allocations. read_results sizes buffers from the
// file's dataspaces and turns std::bad_alloc into BadResults ("implausible sizes"); but
// ASan's own operator new reports any failed allocation as a fatal out-of-memory error
// instead of throwing. These replacements throw std::bad_alloc as a release build does
// (run with ASAN_OPTIONS=allocator_may_return_null=1, which fuzz.sh sets); memory is still
// ASan's malloc, so every other check stays on.
void* operator new(std::size_t n) {
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

fs::path g_dir;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_results: %s\n", what);
    std::abort();
}

/// read_run_facts on the first and the last point of a file read_results accepted.
void run_facts(const sco::io::Results& r) {
    const std::size_t tp = r.labels.periods.size() * r.labels.proposals.size();
    const std::size_t n = r.labels.agents.size();
    for (const std::int64_t k : {std::int64_t{0}, r.points - 1}) {
        try {
            const sco::io::RunFacts facts = sco::io::read_run_facts(r, k);
            const auto runs = static_cast<std::size_t>(facts.runs);
            if (facts.runs != r.replications || facts.outcome.size() != runs * tp ||
                facts.flags.size() != runs * tp * n)
                fail("read_run_facts returned sizes that are not the point's runs and labels");
            for (const auto o : facts.outcome)
                if (o >= sco::core::kOutcomeNames.names.size())
                    fail("read_run_facts returned an outcome code that is no outcome");
            for (const auto b : facts.flags)
                if (b >> sco::core::kFlagBits)
                    fail("read_run_facts returned flag bits /labels/flags does not name");
        } catch (const sco::io::BadResults&) {
        }
        if (r.points == 1) break;
    }
    try {
        (void)sco::io::read_run_facts(r, r.points);
        fail("read_run_facts read a point past the file's last");
    } catch (const std::out_of_range&) {
    }
}

herr_t on_hdf5_error(hid_t stack, void*) {
    std::fprintf(stderr, "fuzz_results: HDF5 would have printed an error stack:\n");
    H5Eprint2(stack, stderr);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    setenv("SCO_SIM_READ_UNGUARDED", "1", 1);
    const char* tmp = std::getenv("TMPDIR");
    g_dir = fs::path(tmp && *tmp ? tmp : "/tmp") / ("sco-fuzz-results-" + std::to_string(getpid()));
    fs::remove_all(g_dir);
    fs::create_directories(g_dir / "out");
    std::atexit([] {
        std::error_code ec;
        fs::remove_all(g_dir, ec);
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    H5Eset_auto2(H5E_DEFAULT, on_hdf5_error, nullptr);
    const fs::path in = g_dir / "input.h5";
    const fs::path out_dir = g_dir / "out";
    const fs::path out = out_dir / "merged.h5";
    {
        std::ofstream f(in, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    bool readable = false;
    try {
        const sco::io::Results r = sco::io::read_results(in.string());
        readable = true;
        run_facts(r);
    } catch (const sco::io::BadResults&) {
    }
    try {
        sco::io::read_every_object(in.string());
    } catch (const sco::io::BadResults&) {
    }
    (void)sco::io::is_calibration_file_unguarded(in.string());
    bool merged = false;
    try {
        (void)sco::io::merge_results(sco::experiment::stored_statistics(), {in.string()},
                                     out.string(), /*force=*/true, "fuzz", "0", "fuzz");
        merged = true;
    } catch (const sco::io::BadResults&) {
    } catch (const sco::io::MergeError&) {
    } catch (const sco::io::OutputExists&) {
    }
    // A failed merge leaves nothing behind; a merge of an unreadable file cannot succeed.
    if (!merged && !fs::is_empty(out_dir)) {
        std::fprintf(stderr, "fuzz_results: a failed merge left files in %s\n", out_dir.c_str());
        std::abort();
    }
    if (merged && !readable) {
        std::fprintf(stderr, "fuzz_results: merge accepted a file read_results refused\n");
        std::abort();
    }
    if (merged) {
        // The merged file must itself be readable.
        try {
            (void)sco::io::read_results(out.string());
        } catch (const sco::io::BadResults& e) {
            std::fprintf(stderr, "fuzz_results: merge wrote an unreadable file: %s\n", e.what());
            std::abort();
        }
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(out_dir, ec)) fs::remove_all(e.path(), ec);
    return 0;
}
