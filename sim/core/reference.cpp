#include "sim/core/reference.h"

#include <algorithm>

namespace sco::core {

double compromise_position(const World& w, int d) {
    return compromise_position(w, d, nullptr);
}

double compromise_position(const World& w, int d, const unsigned char* outside) {
    double num = 0.0, den = 0.0;
    for (int i = 0; i < w.n; ++i) {
        if (!w.member(i) || (outside && outside[i])) continue;
        const double wt = w.capability(i) * w.salience(i, d);
        num += wt * w.position(i, d);
        den += wt;
    }
    return den > 0.0 ? num / den : w.status_quo(d);
}

double weighted_median_position(const World& w, int d,
                                std::vector<std::pair<double, double>>& scratch) {
    scratch.clear();
    double total = 0.0;
    for (int i = 0; i < w.n; ++i) {
        if (!w.member(i)) continue;
        const double wt = w.capability(i) * w.salience(i, d);
        scratch.emplace_back(w.position(i, d), wt);
        total += wt;
    }
    if (total <= 0.0) return w.status_quo(d);
    std::sort(scratch.begin(), scratch.end());
    double acc = 0.0;
    for (const auto& [x, wt] : scratch) {
        acc += wt;
        if (acc >= 0.5 * total) return x;
    }
    return scratch.back().first;
}

}  // namespace sco::core
