// Whole-file reads and writes, with the errors a user needs: a missing file,
// a folder or a special file (FIFO, device, socket) given for a file, a
// symbolic link loop, an unreadable file. Also the same checks on their own,
// for code that opens files by other means (dataset readers, predict).
#pragma once

#include <filesystem>
#include <string>

namespace advseg {

// Returns the bytes of `path`; throws advseg::Error "PATH: REASON" when it is
// missing, not a regular file (a directory, FIFO, socket or device; checked
// before opening, so a FIFO never blocks), a symbolic link loop, or
// unreadable ("permission denied"). An empty file is returned as "".
std::string read_file_bytes(const std::filesystem::path& path);

// Writes `bytes` to `path`, replacing it in one rename (output_file.h:
// replace_file); throws advseg::Error naming the path when it cannot be
// written completely (disk full, no permission, no such folder), leaving an
// existing file as it was.
void write_file_bytes(const std::filesystem::path& path, const std::string& bytes);

// Creates `folder` and its parents (nothing when it exists); throws
// advseg::Error "FOLDER: cannot create the folder (REASON)".
void create_folders(const std::filesystem::path& folder);

// Creates the folder `file` will be written into, as create_folders().
void create_parent_folders(const std::filesystem::path& file);

// Throws advseg::Error "PATH: WHAT: REASON" unless `path` is a regular file
// (after following symbolic links) that this process may read. REASON is
// "no such file", "is a FIFO (named pipe), not a regular file" (likewise a
// socket, a character or block device), "is a directory, not a file",
// "symbolic link loop" or "permission denied". An empty `what` gives
// "PATH: REASON". The path is shown as given.
void require_regular_file(const std::filesystem::path& path, const std::string& what);

// Throws advseg::Error "PATH: WHAT: REASON" unless `path` is a folder (after
// following symbolic links) whose entries this process may list and open.
// REASON is "no such folder", "not a folder, it is a regular file" (or a
// FIFO, a device, ...), "symbolic link loop" or "permission denied".
void require_folder(const std::filesystem::path& path, const std::string& what);

// The kind of file as a noun phrase for messages: "a regular file",
// "a directory", "a FIFO (named pipe)", "a socket", "a character device",
// "a block device", "a symbolic link", "nothing (not found)", or
// "a file of unknown type".
std::string describe_file_type(std::filesystem::file_type type);

}  // namespace advseg
