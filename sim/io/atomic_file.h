#pragma once
// Public (cli/limits.cpp uses its free-space reading for its estimate): results files are
// written under a temporary name in the output's directory and renamed onto the output only
// when complete (Hdf5Sink, merge_results), after a check for free space.
#include <cstdint>
#include <functional>
#include <optional>
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

/// Bytes free in the directory of `path` ("." when it names none); nullopt when the file
/// system cannot tell (a writer then reports a full disk when it happens).
std::optional<std::uintmax_t> free_bytes_for(const std::string& path);

/// "the disk is full: DOING needs about N MiB but only F MiB are free in 'DIR'; free space
/// or choose another directory with -o" when `need` bytes are more than are free in the
/// directory of `path`; "" when they fit or the free space cannot be told.
std::string disk_full_message(const std::string& path, std::uintmax_t need,
                              const std::string& doing);

/// Discards the temporary file `tmp` of a failed write: empties it first (so that the
/// closes `close` then does, which flush, succeed even on a full disk), runs `close`, and
/// deletes it. Never throws.
void discard_temp(const std::string& tmp, const std::function<void()>& close) noexcept;

}  // namespace sco::io
