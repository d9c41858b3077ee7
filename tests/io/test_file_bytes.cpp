// read_file_bytes and the file and folder checks, on real special files:
// a FIFO, a socket, a device, a symbolic link loop, a directory.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "advseg/io/file_bytes.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::error_message;

std::string read_error(const fs::path& path) {
  return error_message([&] { read_file_bytes(path); });
}

std::string file_error(const fs::path& path) {
  return error_message([&] { require_regular_file(path, "image of sample 3"); });
}

std::string folder_error(const fs::path& path) {
  return error_message([&] { require_folder(path, "dataset root"); });
}

TEST(FileBytes, ReadsRegularFilesWholeEvenEmptyOnes) {
  const test::TempDir dir;
  const std::string bytes = std::string("a\0b", 3) + std::string(200000, 'x');  // longer than one read
  test::write_bytes(dir.file("data.bin"), bytes);
  EXPECT_EQ(read_file_bytes(dir.file("data.bin")), bytes);
  test::write_bytes(dir.file("empty"), "");
  EXPECT_EQ(read_file_bytes(dir.file("empty")), "");
  // Through a symbolic link too.
  fs::create_symlink(dir.file("data.bin"), dir.file("link"));
  EXPECT_EQ(read_file_bytes(dir.file("link")), bytes);
  EXPECT_NO_THROW(require_regular_file(dir.file("link"), "x"));
}

TEST(FileBytes, FifoIsRefusedWithoutBlocking) {
  const test::TempDir dir;
  ASSERT_EQ(::mkfifo(dir.file("pipe").c_str(), 0600), 0) << std::strerror(errno);
  // Opening a FIFO without a writer would block forever; the check comes first.
  EXPECT_EQ(read_error(dir.file("pipe")),
            dir.file("pipe").string() + ": is a FIFO (named pipe), not a regular file");
  EXPECT_EQ(file_error(dir.file("pipe")),
            dir.file("pipe").string() + ": image of sample 3: is a FIFO (named pipe), not a regular file");
  EXPECT_EQ(folder_error(dir.file("pipe")),
            dir.file("pipe").string() + ": dataset root: not a folder, it is a FIFO (named pipe)");
}

TEST(FileBytes, SocketAndDevicesAreRefusedNamingTheirKind) {
  const test::TempDir dir;
  const fs::path socket_path = dir.file("sock");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.string().size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0)
      << std::strerror(errno);
  EXPECT_EQ(read_error(socket_path), socket_path.string() + ": is a socket, not a regular file");
  ::close(fd);

  EXPECT_EQ(read_error("/dev/null"), "/dev/null: is a character device, not a regular file");
  EXPECT_EQ(file_error("/dev/null"),
            "/dev/null: image of sample 3: is a character device, not a regular file");
  EXPECT_EQ(describe_file_type(fs::file_type::block), "a block device");
  EXPECT_EQ(describe_file_type(fs::file_type::regular), "a regular file");
}

TEST(FileBytes, DirectoryIsRefusedAsAFileAndAcceptedAsAFolder) {
  const test::TempDir dir;
  EXPECT_EQ(read_error(dir.path()), dir.path().string() + ": is a directory, not a file");
  EXPECT_EQ(file_error(dir.path()), dir.path().string() + ": image of sample 3: is a directory, not a file");
  EXPECT_NO_THROW(require_folder(dir.path(), "dataset root"));
  test::write_bytes(dir.file("a.txt"), "x");
  EXPECT_EQ(folder_error(dir.file("a.txt")),
            dir.file("a.txt").string() + ": dataset root: not a folder, it is a regular file");
}

TEST(FileBytes, MissingPathsAreNamedAsGiven) {
  const test::TempDir dir;
  const fs::path relative = fs::relative(dir.file("none.txt"));  // shown as given, not made absolute
  EXPECT_EQ(read_error(relative), relative.string() + ": no such file");
  EXPECT_EQ(file_error(dir.file("none.txt")),
            dir.file("none.txt").string() + ": image of sample 3: no such file");
  EXPECT_EQ(folder_error(dir.file("none")), dir.file("none").string() + ": dataset root: no such folder");
  // A path through a regular file (ENOTDIR) is missing too.
  test::write_bytes(dir.file("a.txt"), "x");
  EXPECT_EQ(read_error(dir.file("a.txt") / "b"), (dir.file("a.txt") / "b").string() + ": no such file");
  // A dangling symbolic link says where it points.
  fs::create_symlink("gone.txt", dir.file("dangling"));
  EXPECT_EQ(read_error(dir.file("dangling")),
            dir.file("dangling").string() + ": no such file (a symbolic link to the missing gone.txt)");
}

TEST(FileBytes, SymbolicLinkLoopIsNamed) {
  const test::TempDir dir;
  fs::create_symlink(dir.file("b"), dir.file("a"));
  fs::create_symlink(dir.file("a"), dir.file("b"));
  EXPECT_EQ(read_error(dir.file("a")), dir.file("a").string() + ": symbolic link loop");
  EXPECT_EQ(file_error(dir.file("a")), dir.file("a").string() + ": image of sample 3: symbolic link loop");
  EXPECT_EQ(folder_error(dir.file("b")), dir.file("b").string() + ": dataset root: symbolic link loop");
}

TEST(FileBytes, PermissionDeniedIsNamed) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root, which may read files of mode 000, so permission cannot be denied";
  }
  const test::TempDir dir;
  test::write_bytes(dir.file("secret.txt"), "x");
  fs::permissions(dir.file("secret.txt"), fs::perms::none);
  EXPECT_EQ(read_error(dir.file("secret.txt")), dir.file("secret.txt").string() + ": permission denied");
  EXPECT_EQ(file_error(dir.file("secret.txt")),
            dir.file("secret.txt").string() + ": image of sample 3: permission denied");
  fs::create_directory(dir.file("closed"));
  fs::permissions(dir.file("closed"), fs::perms::none);
  EXPECT_EQ(folder_error(dir.file("closed")),
            dir.file("closed").string() + ": dataset root: permission denied");
  EXPECT_EQ(read_error(dir.file("closed") / "x.txt"),
            (dir.file("closed") / "x.txt").string() + ": permission denied");
  fs::permissions(dir.file("closed"), fs::perms::owner_all);  // so that TempDir can remove it
}

}  // namespace
}  // namespace advseg
