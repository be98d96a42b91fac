#include "sim/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "sim/io/errors.h"
#include "sim/io/h5.h"

namespace sco::io {

namespace fs = std::filesystem;

namespace {

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

std::string temp_name_for(const std::string& path) {
    const fs::path p(path);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    return (dir / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
}

std::string utc_now_iso() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void publish_file(const std::string& tmp, const std::string& path, bool force) {
    fsync_path(tmp, O_RDONLY);
    if (!force) {
        // link() refuses to replace an existing file: no race with another writer.
        if (::link(tmp.c_str(), path.c_str()) == 0) {
            ::unlink(tmp.c_str());
        } else if (errno == EEXIST) {
            throw OutputExists(path);
        } else {
            std::error_code ec;
            if (fs::exists(fs::symlink_status(path, ec))) throw OutputExists(path);
            if (std::rename(tmp.c_str(), path.c_str()) != 0)
                throw h5::Failure(std::string("cannot rename the temporary file: ") +
                                  std::strerror(errno));
        }
    } else if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        throw h5::Failure(std::string("cannot rename the temporary file: ") + std::strerror(errno));
    }
    const fs::path dir =
        fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
    fsync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

namespace {

fs::path directory_of(const std::string& path) {
    const fs::path p(path);
    return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

}  // namespace

std::optional<std::uintmax_t> free_bytes_for(const std::string& path) {
    std::error_code ec;
    const auto info = fs::space(directory_of(path), ec);
    if (ec) return std::nullopt;
    return info.available;
}

std::string disk_full_message(const std::string& path, std::uintmax_t need,
                              const std::string& doing) {
    const auto free = free_bytes_for(path);
    if (!free || *free >= need) return "";
    constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;
    return "the disk is full: " + doing + " needs about " +
           std::to_string((need + kMiB - 1) / kMiB) + " MiB but only " +
           std::to_string(*free / kMiB) + " MiB are free in '" + directory_of(path).string() +
           "'; free space or choose another directory with -o";
}

void discard_temp(const std::string& tmp, const std::function<void()>& close) noexcept {
    try {
        (void)::truncate(tmp.c_str(), 0);
        if (close) close();
        (void)::unlink(tmp.c_str());
    } catch (...) {
    }
}

}  // namespace sco::io
