#include "sim/experiment/sweep.h"

#include <algorithm>
#include <future>
#include <iomanip>
#include <mutex>
#include <sstream>

namespace sco::experiment {

std::string sweep_id(const Digest& digest, const std::string& scenario_text,
                     const core::ModelSpec& spec, const Design& design, const RunConfig& cfg) {
    return digest(digest(scenario_text) + "\n" + sweep_fingerprint(spec, design, cfg));
}

std::string run_id(const Digest& digest, const std::string& scenario_text,
                   const core::ModelSpec& spec, const RunConfig& cfg) {
    return digest("sco-sim-run\n" + digest(scenario_text) + "\n" +
                  sweep_fingerprint(spec, Design{}, cfg));
}

std::vector<Slice> sweep_parts(std::int64_t total, std::int64_t replications,
                               std::int64_t runs_per_part) {
    std::int64_t per_part =
        std::max<std::int64_t>({1, runs_per_part / std::max<std::int64_t>(1, replications),
                                (total + kMaxParts - 1) / kMaxParts});
    // A multiple of the summary chunk rows when a part is that large: every part then begins
    // at a chunk boundary of the merged file, whose merge copies the stored chunks.
    const std::int64_t q = io::kSummaryChunkPoints;
    if (per_part > q) per_part = (per_part + q - 1) / q * q;
    std::vector<Slice> parts;
    for (std::int64_t a = 0; a < total; a += per_part)
        parts.push_back({a, std::min(total, a + per_part)});
    return parts;
}

std::string part_name(const Slice& s) {
    std::ostringstream os;
    os << "points-" << std::setw(8) << std::setfill('0') << s.first << "-" << std::setw(8)
       << std::setfill('0') << s.last - 1 << ".h5";
    return os.str();
}

std::string parts_folder(const std::string& output) {
    return output + ".parts";
}

std::string failed_parts_text(const std::vector<FailedPart>& failed, std::size_t parts) {
    std::string s = std::to_string(failed.size()) + " of " + std::to_string(parts) +
                    (parts == 1 ? " part" : " parts") + " failed: ";
    for (std::size_t i = 0; i < failed.size(); ++i)
        s += (i ? "; points " : "points ") + std::to_string(failed[i].points.first) + "-" +
             std::to_string(failed[i].points.last - 1) + ": " + failed[i].message;
    return s;
}

std::string check_complete_output(SweepStore& store, const SweepRequest& req, const Slice& slice,
                                  bool whole_sweep) {
    const std::string why = store.not_this_slice(req.output, req.id, slice);
    if (why.empty() && whole_sweep) store.remove_all(parts_folder(req.output));
    return why;
}

namespace {

void run_into(SweepStore& store, const SweepRequest& req, const std::string& name, const Slice& s,
              bool overwrite, const RunnerHooks& hooks) {
    Plan plan = make_plan(req.design, s.first, s.last);
    plan.sweep.sweep_text = req.sweep_text;
    plan.sweep.id = req.id;
    auto sink = store.create(name, overwrite);
    run_plan(*req.spec, plan, req.cfg, sink.get(), req.prov, hooks);
}

/// A part's sink whose finish is kept for later: run_in_parts finishes a part (its
/// summaries written and compressed, the file closed) on another thread while the next
/// part runs, instead of leaving the run's threads idle meanwhile. Every call reaches the
/// store's sink under `io` (the HDF5 library is not thread-safe): the runner of the next
/// part waits there while its workers go on simulating.
class DeferredFinish final : public Sink {
  public:
    DeferredFinish(std::unique_ptr<Sink> in, std::mutex& io) : in_(std::move(in)), io_(io) {}
    DeferredFinish(const DeferredFinish&) = delete;
    DeferredFinish& operator=(const DeferredFinish&) = delete;
    ~DeferredFinish() override {
        const std::lock_guard<std::mutex> lock(io_);
        in_.reset();
    }
    void begin(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
               const Provenance& prov) override {
        const std::lock_guard<std::mutex> lock(io_);
        in_->begin(spec, plan, cfg, prov);
    }
    void write_block(std::int64_t first_run, std::span<const core::RunRecord> runs) override {
        const std::lock_guard<std::mutex> lock(io_);
        in_->write_block(first_run, runs);
    }
    // The runner's hand-off (Sink::stage_block): staging and committing touch HDF5, under
    // `io`; encoding touches only the staged jobs, on the run's threads, without it.
    std::size_t stage_block(std::int64_t first_run,
                            std::span<const core::RunRecord> runs) override {
        const std::lock_guard<std::mutex> lock(io_);
        return in_->stage_block(first_run, runs);
    }
    void encode_staged(std::size_t job) noexcept override { in_->encode_staged(job); }
    void commit_staged() override {
        const std::lock_guard<std::mutex> lock(io_);
        in_->commit_staged();
    }
    void finish(std::span<const core::SummaryCounts* const> per_point) override {
        kept_.clear();
        for (const core::SummaryCounts* s : per_point) kept_.emplace_back(core::SummaryCounts(*s));
    }
    [[nodiscard]] bool streams_summaries() const override { return in_->streams_summaries(); }
    void write_summary(std::int64_t point, core::SummaryCounts&& s) override {
        const std::lock_guard<std::mutex> lock(io_);
        in_->write_summary(point, std::move(s));
    }
    void abort() noexcept override {
        const std::lock_guard<std::mutex> lock(io_);
        in_->abort();
    }
    /// The kept finish, then the store's sink destroyed (its file closed); under `io`.
    void complete() {
        const std::lock_guard<std::mutex> lock(io_);
        in_->finish(count_pointers(kept_));
        kept_.clear();
        in_.reset();
    }

  private:
    std::unique_ptr<Sink> in_;
    std::mutex& io_;
    std::vector<Summary> kept_;
};

}  // namespace

void run_slice(SweepStore& store, const SweepRequest& req, const Slice& slice,
               const RunnerHooks& hooks) {
    store.refuse_existing(req.output, req.force);
    run_into(store, req, req.output, slice, req.force, hooks);
}

SweepReport run_in_parts(SweepStore& store, const SweepRequest& req, const RunnerHooks& hooks,
                         const PartDone& on_part) {
    store.refuse_existing(req.output, req.force);
    const std::string folder = parts_folder(req.output);
    if (store.exists(folder) && !req.resume) {
        if (!req.force) throw PartsInTheWay(folder);
        store.remove_all(folder);
    }
    store.make_folder(folder);
    const std::int64_t total = design_size(req.design);
    const std::vector<Slice> parts = sweep_parts(total, req.cfg.replications, req.runs_per_part);
    SweepReport rep;
    rep.parts = parts.size();
    std::vector<std::string> inputs;
    // The store and the sinks are used under `io`; one part at a time is being finished on
    // another thread (`finishing`, of part `finishing_part`) while the next one runs.
    std::mutex io;
    std::future<void> finishing;
    Slice finishing_part{};
    auto settle = [&] {  // waits for the part being finished; a failure is that part's
        if (!finishing.valid()) return;
        try {
            finishing.get();
        } catch (const Interrupted&) {
            throw;
        } catch (const std::exception& e) {
            if (req.errors == ErrorLevel::Fast) throw;
            rep.failed.push_back({finishing_part, e.what()});
        }
    };
    // While the previous part is being finished the next one's sink waits for `io` in
    // begin: up to 64 MiB of finished points' summaries wait with it, and the threads go on
    // (run_plan starts its workers before it calls begin).
    RunnerHooks part_hooks = hooks;
    part_hooks.window_bytes = std::int64_t{64} << 20;
    // Which parts a resume keeps, decided up front (the files are read under `io`).
    std::vector<char> keep(parts.size(), 0);
    if (req.resume) {
        const std::lock_guard<std::mutex> lock(io);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const std::string part = folder + "/" + part_name(parts[i]);
            keep[i] = store.exists(part) && store.not_this_slice(part, req.id, parts[i]).empty();
        }
    }
    auto open_part = [&](std::size_t i) {
        const std::lock_guard<std::mutex> lock(io);
        return std::make_unique<DeferredFinish>(
            store.create_part(folder + "/" + part_name(parts[i])), io);
    };
    // The next part's sink, made while no part is being finished: its file is created
    // before the previous part's finish takes `io`, so that its run starts at once.
    std::unique_ptr<DeferredFinish> next;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Slice& s = parts[i];
        inputs.push_back(folder + "/" + part_name(s));
        const std::int64_t runs = s.size() * req.cfg.replications;
        if (keep[i]) {
            ++rep.skipped;
            if (on_part) on_part(runs, true);
            continue;
        }
        std::unique_ptr<DeferredFinish> sink = std::move(next);
        try {
            Plan plan = make_plan(req.design, s.first, s.last);
            plan.sweep.sweep_text = req.sweep_text;
            plan.sweep.id = req.id;
            if (!sink) sink = open_part(i);
            run_plan(*req.spec, plan, req.cfg, sink.get(), req.prov, part_hooks);
        } catch (const Interrupted&) {
            sink.reset();
            settle();
            throw;
        } catch (const std::exception& e) {
            sink.reset();
            settle();
            if (req.errors == ErrorLevel::Fast) throw;
            rep.failed.push_back({s, e.what()});
            continue;
        }
        settle();
        if (on_part) on_part(runs, false);
        std::size_t j = i + 1;
        while (j < parts.size() && keep[j]) ++j;
        if (j < parts.size()) {
            try {
                next = open_part(j);
            } catch (const std::exception&) {
                next.reset();  // made again (and its failure reported) in part j's turn
            }
        }
        finishing_part = s;
        finishing = std::async(std::launch::async, [f = std::move(sink)] { f->complete(); });
    }
    settle();
    if (!rep.failed.empty()) {
        if (req.errors == ErrorLevel::Slow)
            throw PartsFailed(failed_parts_text(rep.failed, rep.parts), rep.failed);
        return rep;  // Off: reported, nothing merged, the complete parts kept
    }
    store.merge(inputs, req.output, req.force);
    store.remove_all(folder);
    rep.merged = true;
    return rep;
}

}  // namespace sco::experiment
