// The rule for every command's output (io/output_file.h): never onto what it
// reads, in whatever spelling, and replaced in one step or not at all.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "advseg/io/file_bytes.h"
#include "advseg/io/output_file.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;

using test::contains;
using test::error_message;

TEST(OutputFile, AFileOfAFolderReadIsRefusedInAnySpelling) {
  const test::TempDir dir;
  const auto checkpoint = dir.file("run/last");
  fs::create_directories(checkpoint);
  test::write_bytes(checkpoint / "config.yaml", "data: {}\n");
  fs::create_directory_symlink(checkpoint, dir.file("link"));
  const std::vector<ReadPath> reads = {{checkpoint, "the checkpoint"}};
  for (const auto& out : {checkpoint / "config.yaml", checkpoint / "new.json",
                          dir.file("run/x/../last/config.yaml"), dir.file("link/config.yaml")}) {
    const auto message = error_message([&] { check_output_file(out, reads); });
    EXPECT_PRED2(contains, message, out.string() + ": --out is inside the checkpoint " + checkpoint.string());
  }
  EXPECT_PRED2(contains, error_message([&] { check_output_file(checkpoint, reads); }), "--out is a folder");
  check_output_file(dir.file("run/metrics-of-last.json"), reads);  // beside it: fine
  EXPECT_EQ(test::read_bytes(checkpoint / "config.yaml"), "data: {}\n");
}

TEST(OutputFile, AnInputFileItselfIsRefusedAndAnEmptyReadIgnored) {
  const test::TempDir dir;
  test::write_bytes(dir.file("a.png"), "x");
  EXPECT_PRED2(contains, error_message([&] {
                 check_output_file(dir.file("a.png"), {{dir.file("a.png"), "the image"}});
               }),
               "--out is the image");
  check_output_file(dir.file("b.png"), {{"", "nothing"}, {dir.file("a.png"), "the image"}});
}

TEST(OutputFile, AnOutputFolderMayNotBeAFileNorInsideAnInput) {
  const test::TempDir dir;
  fs::create_directories(dir.file("images"));
  test::write_bytes(dir.file("file"), "x");
  EXPECT_PRED2(contains, error_message([&] { check_output_folder(dir.file("file"), {}); }),
               "--out must be a folder, but this is a regular file");
  EXPECT_PRED2(contains, error_message([&] {
                 check_output_folder(dir.file("images/out"), {{dir.file("images"), "the --input folder"}});
               }),
               "--out is inside the --input folder");
  check_output_folder(dir.file("out"), {{dir.file("images"), "the --input folder"}});
}

TEST(ReplaceFile, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  const test::TempDir dir;
  test::write_bytes(dir.file("metrics.json"), "old");
  EXPECT_THROW(replace_file(dir.file("metrics.json"),
                            [](const fs::path& file) {
                              test::write_bytes(file, "half");
                              throw std::runtime_error("disk full");
                            }),
               std::runtime_error);
  EXPECT_EQ(test::read_bytes(dir.file("metrics.json")), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(ReplaceFile, ReplacesInOneRenameKeepingTheExtensionWhileWriting) {
  const test::TempDir dir;
  test::write_bytes(dir.file("panels.png"), "old");
  replace_file(dir.file("panels.png"), [&](const fs::path& file) {
    EXPECT_EQ(file.parent_path(), dir.path());
    EXPECT_EQ(file.extension(), ".png");  // image writers pick the format by it
    EXPECT_EQ(test::read_bytes(dir.file("panels.png")), "old");
    test::write_bytes(file, "new");
  });
  EXPECT_EQ(test::read_bytes(dir.file("panels.png")), "new");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(ReplaceFile, WritesThroughASymbolicLinkAndIntoADevice) {
  const test::TempDir dir;
  test::write_bytes(dir.file("real.json"), "old");
  fs::create_symlink(dir.file("real.json"), dir.file("link.json"));
  write_file_bytes(dir.file("link.json"), "new");
  EXPECT_TRUE(fs::is_symlink(dir.file("link.json")));
  EXPECT_EQ(test::read_bytes(dir.file("real.json")), "new");
  write_file_bytes("/dev/null", "discarded");  // nothing can be renamed over a device
}

// A folder that takes no new file (missing here; read-only alike, which
// root, running these tests, does not see) is named with the output, never
// through the temporary file written beside it.
TEST(ReplaceFile, AFolderThatTakesNoFileIsAnErrorNamingTheFileAndFolder) {
  const test::TempDir dir;
  const auto message = error_message([&] { write_file_bytes(dir.file("no/such/out.json"), "x"); });
  EXPECT_PRED2(contains, message,
               dir.file("no/such/out.json").string() + ": cannot be written: its folder " +
                   dir.file("no/such").string() + " takes no new file (No such file or directory)");
  EXPECT_FALSE(contains(message, "partial")) << message;
}

}  // namespace
}  // namespace advseg
