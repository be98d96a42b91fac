#pragma once
// Counter-based random numbers (Random123 Philox4x64-10).
//
// Every draw is a pure function of (key, counter): the key is (master seed, sweep
// point), the counter is (replication, purpose, a, b) where purpose names what the
// draw is for and a/b locate it (period, proposal, round, agent...). No state is
// carried between draws, so a run gives the same numbers whatever the thread, the
// shard or the order in which runs are executed, and any run can be replayed alone.
#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace sco::core {

/// What a draw is for. Each purpose has its own counter space, so adding draws for
/// one purpose never shifts the numbers of another.
enum class Purpose : std::uint32_t {
    SampleParams = 1,
    Choice = 2,
    Transit = 3,  ///< word 0: consent to transit; word 1: the participant's reroute decision
    Deferral = 5,
    Incident = 6,
    Implementation = 7,
    Design = 9,      ///< sweep designs (LHS permutations); key point 0
    Bootstrap = 10,  ///< resampling for confidence intervals of sensitivity indices
    Test = 99,
};

/// Identifies one run of an experiment.
struct RunKey {
    std::uint64_t seed = 0;
    std::uint64_t point = 0;
    std::uint64_t replication = 0;
};

/// Four 64-bit random words for one (purpose, a, b) within a run.
class Rng {
  public:
    using Philox = r123::Philox4x64;

    explicit Rng(const RunKey& k) : key_{{k.seed, k.point}}, rep_(k.replication) {}

    /// Four independent 64-bit words. `a` and `b` locate the draw inside its purpose;
    /// pack several small indices into them with `pack`.
    [[nodiscard]] std::array<std::uint64_t, 4> words(Purpose p, std::uint64_t a,
                                                     std::uint64_t b) const {
        Philox::ctr_type c{{rep_, static_cast<std::uint64_t>(p), a, b}};
        const auto r = Philox()(c, key_);
        return {r.v[0], r.v[1], r.v[2], r.v[3]};
    }

    /// A uniform double in the open interval (0, 1).
    static double to_unit(std::uint64_t w) {
        // 52 random bits, offset by half a step so that 0 and 1 never occur
        // (with 53 bits the largest value would round up to exactly 1.0).
        return (static_cast<double>(w >> 12) + 0.5) * 0x1.0p-52;
    }

    /// The largest index `pack` accepts in each of its four slots.
    static constexpr std::uint64_t kPackMax = 0xffff;

    /// Packs up to four 16-bit indices into one counter word. An index above kPackMax
    /// would silently share its counter with another draw, so it throws
    /// std::out_of_range (in every build: the check is one compare per draw site, and
    /// the scenario loader's caps keep real indices far below it).
    static constexpr std::uint64_t pack(std::uint64_t i0, std::uint64_t i1 = 0,
                                        std::uint64_t i2 = 0, std::uint64_t i3 = 0) {
        if ((i0 | i1 | i2 | i3) > kPackMax)
            throw std::out_of_range("Rng::pack: an index above 65535 would reuse a counter");
        return i0 | (i1 << 16) | (i2 << 32) | (i3 << 48);
    }

  private:
    Philox::key_type key_;
    std::uint64_t rep_;
};

/// Sequential uniforms for one purpose, for consumers that need a variable number of
/// draws (rejection samplers). Still counter-based: the n-th number is fixed by n.
class RngStream {
  public:
    RngStream(const Rng& rng, Purpose p, std::uint64_t a) : rng_(rng), p_(p), a_(a) {}
    double uniform() {
        if (i_ == 4) {
            buf_ = rng_.words(p_, a_, block_++);
            i_ = 0;
        }
        return Rng::to_unit(buf_[i_++]);
    }
    /// A standard normal variate (Box-Muller on two uniforms).
    double normal() {
        const double u1 = uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

  private:
    const Rng& rng_;
    Purpose p_;
    std::uint64_t a_;
    std::uint64_t block_ = 0;
    std::array<std::uint64_t, 4> buf_{};
    int i_ = 4;
};

}  // namespace sco::core
