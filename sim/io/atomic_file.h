#pragma once
// Internal to sim/io: results files are written under a temporary name in the output's
// directory and renamed onto the output only when complete (Hdf5Sink, merge_results).
#include <string>

namespace sco::io {

/// ".NAME.tmp-PID" in NAME's directory.
std::string temp_name_for(const std::string& path);

/// Current UTC time as ISO 8601 ("2024-05-01T12:00:00Z"): the `created` attribute.
std::string utc_now_iso();

/// Makes the closed file `tmp` durable and renames it onto `path`. Without force an
/// existing `path` is never replaced (OutputExists; link() makes this race-free). Throws
/// h5::Failure("cannot rename the temporary file: ...") otherwise. `tmp` is left in
/// place on failure: the caller removes it.
void publish_file(const std::string& tmp, const std::string& path, bool force);

}  // namespace sco::io
