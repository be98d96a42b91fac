#include "sim/experiment/sweep.h"

#include <algorithm>
#include <iomanip>
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
    const std::int64_t per_part =
        std::max<std::int64_t>({1, runs_per_part / std::max<std::int64_t>(1, replications),
                                (total + kMaxParts - 1) / kMaxParts});
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
    for (const Slice& s : parts) {
        const std::string part = folder + "/" + part_name(s);
        inputs.push_back(part);
        const std::int64_t runs = s.size() * req.cfg.replications;
        if (req.resume && store.exists(part) && store.not_this_slice(part, req.id, s).empty()) {
            ++rep.skipped;
            if (on_part) on_part(runs, true);
            continue;
        }
        try {
            run_into(store, req, part, s, true, hooks);
        } catch (const Interrupted&) {
            throw;
        } catch (const std::exception& e) {
            if (req.errors == ErrorLevel::Fast) throw;
            rep.failed.push_back({s, e.what()});
            continue;
        }
        if (on_part) on_part(runs, false);
    }
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
