#include "sim/io/file_sweep_store.h"

#include <filesystem>

#include "sim/io/errors.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/merge.h"
#include "sim/io/results_reader.h"

namespace fs = std::filesystem;

namespace sco::io {

FileSweepStore::FileSweepStore(const core::SummaryStatistics& stats, std::string command_line,
                               std::string tool_version, std::string git_commit,
                               const std::atomic<bool>* stop)
    : stats_(&stats),
      command_line_(std::move(command_line)),
      tool_version_(std::move(tool_version)),
      git_commit_(std::move(git_commit)),
      stop_(stop) {}

bool FileSweepStore::exists(const std::string& name) const {
    return fs::exists(name);
}

std::string FileSweepStore::not_this_slice(const std::string& name, const std::string& id,
                                           const Slice& s) const {
    if (!fs::is_regular_file(name)) return "it is not a regular file";
    try {
        const Results r = read_results(name);
        if (r.sweep_id != id)
            return "it belongs to another sweep (different parameters, design, seed or runs)";
        if (r.first_point != s.first || r.points != s.size()) return "it holds other points";
        return "";
    } catch (const std::exception& e) {
        return e.what();
    }
}

void FileSweepStore::refuse_existing(const std::string& name, bool overwrite) const {
    if (fs::exists(name) && !overwrite) throw OutputExists(name);
}

std::unique_ptr<Sink> FileSweepStore::create(const std::string& name, bool overwrite) {
    return std::make_unique<Hdf5Sink>(*stats_, name, overwrite);
}

std::unique_ptr<Sink> FileSweepStore::create_part(const std::string& name) {
    ChunkOptions opt;
    opt.summary_deflate = 1;
    opt.summary_shuffle = false;
    return std::make_unique<Hdf5Sink>(*stats_, name, true, opt);
}

void FileSweepStore::make_folder(const std::string& name) {
    fs::create_directories(name);
}

void FileSweepStore::remove_all(const std::string& name) {
    if (fs::exists(name)) fs::remove_all(name);
}

void FileSweepStore::merge(const std::vector<std::string>& inputs, const std::string& output,
                           bool overwrite) {
    merge_results(*stats_, inputs, output, overwrite, command_line_, tool_version_, git_commit_,
                  stop_);
}

}  // namespace sco::io
