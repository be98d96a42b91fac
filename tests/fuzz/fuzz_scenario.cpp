// libFuzzer target: scenario::load_string on arbitrary bytes.
//
// The loader's contract (sim/scenario/loader.h): no exception other than ScenarioError
// leaves it. Anything else (another exception, a crash, a sanitizer report, a hang) is a
// finding. A loaded scenario is also listed with format_params, which walks every
// parameter.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        // A display name in a folder that does not exist: `extends:` with a relative
        // name then finds no base (an absolute name may still reach a real file).
        const auto sc = sco::scenario::load_string(text, "/nonexistent-fuzz-dir/fuzz.yaml");
        (void)sco::scenario::format_params(sc.spec);
    } catch (const sco::scenario::ScenarioError&) {
        // expected for almost every input
    }
    return 0;
}
