#pragma once
// Reads a results file written by Hdf5Sink back into labels, provenance and the
// per-point Summaries (reconstructed exactly from /summary/raw). Of the per-run datasets
// only what `sco-sim score` counts is read (read_run_facts); scripts/sco_results.py reads
// them all for analysis.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/labels.h"
#include "sim/core/summary_data.h"
#include "sim/io/errors.h"
#include "sim/io/sink.h"

namespace sco::io {

struct Results {
    std::string path;
    std::string format;  ///< "sco-sim-results/2" (or /1 for a file of an earlier version)
    core::Labels labels;
    std::vector<std::string> params;  ///< paths of the non-fixed parameters
    Provenance provenance;
    std::string scenario_name;
    std::string scenario_sha256;
    std::string created;  ///< UTC, ISO 8601
    std::string variant_choice, variant_amendment, variant_pressure, variant_sponsor;

    std::uint64_t seed = 0;
    std::int64_t replications = 0;  ///< runs per point
    std::int64_t points = 0;        ///< points in this file
    std::int64_t first_point = 0;   ///< global index of the first point (shards)
    std::int64_t total_points = 0;  ///< points in the whole sweep
    std::int64_t runs = 0;          ///< runs simulated (all points)
    bool summary_only = false;      ///< no /runs group
    bool per_run_tension = false;   ///< /runs/tension present

    // The sweep design (empty design and no factors for a plain run).
    std::string design;               ///< grid, lhs, sobol or ""
    std::int64_t design_samples = 0;  ///< LHS points or Sobol base samples N
    std::uint64_t design_seed = 0;
    std::string sweep_text;            ///< the sweep file, when there was one
    std::string sweep_id;              ///< SHA-256 fingerprint of the sweep ("" for a plain run)
    std::vector<std::string> factors;  ///< the varied parameters
    std::vector<std::vector<double>> factor_values;  ///< [point of this file][factor]

    /// Pairs whose tension histograms the file keeps (/labels/tension_pairs; every pair in
    /// a file written before it existed).
    std::vector<int> tension_pairs;
    std::vector<std::string> point_descriptions;  ///< per point: "PATH=VALUE; ..."
    int max_rounds = 0;  ///< the largest of the points' max_rounds (/summary/raw/max_rounds)
    /// Per point: the counts of its Summary (experiment::Summary(std::move(counts)) gives
    /// the Summary back, without copying).
    std::vector<core::SummaryCounts> summaries;
};

/// The format of files written by versions before format 2 (variable-length strings).
/// They stay readable; kResultsFormat (hdf5_sink.h) is what this version writes.
inline constexpr const char* kResultsFormatV1 = "sco-sim-results/1";

/// Throws BadResults naming the file and the problem (missing file, not HDF5, wrong
/// format, missing dataset or attribute, wrong shape or type, implausible sizes, or a file
/// that crashes, hangs or exhausts the HDF5 library). Prints nothing. The file is first
/// read in a child process (sim/io/guard.h), then here.
Results read_results(const std::string& path);

/// What the per-event joint count of `sco-sim score` reads of one point's runs: per run its
/// outcome [period][proposal] and flags [period][proposal][agent], the RunRecord layout.
struct RunFacts {
    std::int64_t runs = 0;
    std::vector<std::uint8_t> outcome;
    std::vector<std::uint16_t> flags;
};

/// Reads /runs/outcome and /runs/flags of point `point` (0-based within the file) of a
/// results file `r` read by read_results (its rows point * replications onwards, which
/// /runs/point must confirm), first in a child process as read_results does. Before reading,
/// /runs/point, /runs/outcome and /runs/flags are checked against the format
/// (docs/hdf5-format.md, "Per-run datasets"): shapes [runs], [runs, periods, proposals] and
/// [runs, periods, proposals, agents] exactly, with runs = points x replications; types
/// int64, the 1-byte enum of the outcome names (codes 0..6 in order) and uint16; sizes
/// plausible for the file. The codes read must be outcomes and the flags only the bits of
/// /labels/flags. Throws BadResults naming the file for a summary-only file ("holds no
/// per-run records (written with --summary-only)"), rows that are not the point's runs, or
/// any of these checks; std::out_of_range (a caller's mistake: checked before the file is
/// opened) for a point outside 0 .. r.points - 1. Formats 1 and 2 alike (no strings are read).
RunFacts read_run_facts(const Results& r, std::int64_t point);

/// read_run_facts without the child process: for the child itself and the fuzz targets.
RunFacts read_run_facts_unguarded(const Results& r, std::int64_t point);

/// read_results without the child process: for the child itself and the fuzz targets.
/// A crafted file can crash or hang the calling process.
Results read_results_unguarded(const std::string& path);

/// read_results_unguarded without the summaries (`summaries` stays empty): every check
/// but the reading of /summary/raw's counts, whose shapes are still checked. For a merge,
/// which copies the summaries' stored chunks (validated by read_every_object in a child).
Results read_results_header_unguarded(const std::string& path);

/// Reads every group's and dataset's attributes and every dataset's values (in blocks),
/// checking each type (numbers, fixed-length strings; variable-length strings only in a
/// format 1 file) and size first: everything merge_results copies. Throws BadResults.
/// Unguarded: call it inside check_in_child.
void read_every_object(const std::string& path);

}  // namespace sco::io
