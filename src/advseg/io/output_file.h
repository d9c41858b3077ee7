// How every command writes what it produces: the output is checked before
// any work, never lands on what the command reads, and replaces an existing
// file in one step (written beside it, then renamed), so a reader never sees
// half a file and an interrupted or failed write leaves the old one.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace advseg {

// Something a command reads: a file, or a folder whose files it reads (a
// checkpoint, a run folder, a dataset root). `what` names it in errors,
// e.g. "the checkpoint".
struct ReadPath {
  std::filesystem::path path;
  std::string what;
};

// Throws advseg::Error "OUT: FLAG ..." when the output file `out` is a
// folder, is one of `reads`, or lies inside one of them (compared after
// resolving symbolic links and "..", so no other spelling gets through).
// Empty paths in `reads` are ignored.
void check_output_file(const std::filesystem::path& out, const std::vector<ReadPath>& reads,
                       const std::string& flag = "--out");

// The same for an output folder: it may not be a file, one of `reads`, or
// inside one of them.
void check_output_folder(const std::filesystem::path& out, const std::vector<ReadPath>& reads,
                         const std::string& flag = "--out");

// Writes `out` by calling `write` on a temporary path beside it (same folder,
// same extension, hidden name), then, once that is on the disk (fsync),
// renaming it over `out`. When `write`
// throws, the temporary is removed and `out` is left as it was. A symbolic
// link is written through; a FIFO or device (e.g. /dev/stdout) is written
// directly, as nothing can be renamed over it. out's folder must exist.
void replace_file(const std::filesystem::path& out,
                  const std::function<void(const std::filesystem::path&)>& write);

}  // namespace advseg
