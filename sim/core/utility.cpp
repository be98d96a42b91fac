#include "sim/core/utility.h"

#include <algorithm>
#include <cmath>
#include <limits>

// Every function of utility.h but the one below is defined inline there, so that the
// engine's inner loops inline them.

namespace sco::core {

WaitTerms wait_terms_open(double support, double stay, double object, double s, double rho,
                          double sigma) {
    if (!(s > 0.0) || !(rho > 0.0)) return {0.0, rho};  // nothing of the text to learn about
    struct Line {
        double b, m;
    };
    // Ascending slope; of two lines with one slope the higher is kept (the earlier on a tie).
    const Line lines[3] = {{object, 0.0}, {stay, rho * sigma}, {support, rho}};
    Line hull[3]{};
    double kink[3] = {-std::numeric_limits<double>::infinity(), 0.0, 0.0};
    int h = 0;
    for (const Line& l : lines) {
        if (!std::isfinite(l.b)) continue;
        if (h > 0 && l.m == hull[h - 1].m) {
            if (l.b <= hull[h - 1].b) continue;
            --h;
        }
        while (h > 0) {
            const double x = (hull[h - 1].b - l.b) / (l.m - hull[h - 1].m);
            if (h > 1 && x <= kink[h - 1]) {
                --h;  // the line below never tops the envelope
                continue;
            }
            kink[h] = x;
            break;
        }
        hull[h++] = l;
    }
    // The exposure: the expected slope of the option taken after the news (objecting's is
    // 0). Continuous wherever two lines trade places on the envelope, including staying out
    // and objecting at stay_out_share 0, which have one slope (session 19's third attack:
    // the chance conditional on not objecting jumped there).
    double e = hull[0].b, shared = 0.0;
    for (int i = 0; i < h; ++i) {
        if (i > 0) e += (hull[i].m - hull[i - 1].m) * s * normal_loss(kink[i] / s);
        const double lo = i > 0 ? normal_cdf(kink[i] / s) : 0.0;
        const double hi = i + 1 < h ? normal_cdf(kink[i + 1] / s) : 1.0;
        shared += (hi - lo) * hull[i].m;
    }
    const double now = std::max({support, stay, object});
    return {std::max(0.0, e - now), shared};
}

}  // namespace sco::core
