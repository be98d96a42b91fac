#include "sim/core/dynamics.h"

#include <algorithm>
#include <cmath>

namespace sco::core {

void between_summits(World& w, int t, const Rng& rng, float* tension_out) {
    const double dialogue = w.d(Dyn::DialogueRate);
    const double rate = w.d(Dyn::IncidentRate), size = w.d(Dyn::IncidentSize);
    int pair = 0;
    for (int i = 0; i < w.n; ++i) {
        for (int j = i + 1; j < w.n; ++j, ++pair) {
            double x = w.tension(i, j);
            if (x > 0.0) {  // else no rivalry, no incidents
                if (w.member(i) && w.member(j)) x *= 1.0 - dialogue;
                const double u = Rng::to_unit(rng.words(Purpose::Incident, Rng::pack(t), pair)[0]);
                if (u < rate * x) x = std::min(1.0, x + size);
                w.tension(i, j) = w.tension(j, i) = x;
            }
            if (tension_out) tension_out[pair] = static_cast<float>(x);
        }
    }
}

std::int8_t implementation(const World& w, int t, int p, const Rng& rng) {
    const auto u = rng.words(Purpose::Implementation, Rng::pack(t, p), 0);
    if (Rng::to_unit(u[0]) >= w.d(Dyn::ImplementationRate)) return 0;
    // Lag = 1 + geometric number of extra periods, with mean implementation_lag.
    const double mean = w.d(Dyn::ImplementationLag);
    if (mean <= 1.0) return 1;
    const double q = 1.0 - 1.0 / mean;  // chance of one more period of delay
    // A mean so large (about 1e16 and more) that q rounds to 1: the lag is the cap, "never
    // within any horizon", as for the large means below it (log(q) would be 0 and the lag -inf).
    if (!(q < 1.0)) return 127;
    const double extra = std::floor(std::log(Rng::to_unit(u[1])) / std::log(q));
    return static_cast<std::int8_t>(std::min(127.0, 1.0 + extra));
}

double implemented_change(double q, double change, double to) {
    // to - q is the change itself, bit for bit, where q is the status quo the text was
    // judged against (change = to - q was computed from the same operands then).
    if (change > 0.0) return std::min(change, std::max(0.0, to - q));
    if (change < 0.0) return std::max(change, std::min(0.0, to - q));
    return 0.0;
}

double implemented_status_quo(double q, double up, double down) {
    return std::clamp(q + (up + down), 0.0, 1.0);
}

}  // namespace sco::core
