// Reading who a worker is from the environment torchrun sets.
#include "advseg/distributed/worker_group.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "advseg/error.h"
#include "support/error_message.h"

namespace advseg {
namespace {

void expect_error_naming(const std::function<void()>& action, const std::string& expected) {
  const auto message = testing::error_message(action);
  EXPECT_NE(message.find(expected), std::string::npos) << "expected \"" << expected << "\" in: " << message;
}

Environment environment(std::map<std::string, std::string> variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

TEST(WorkerGroup, WithoutALauncherIsOneProcess) {
  const auto group = worker_group_from(environment({}));
  EXPECT_EQ(group.world_size, 1);
  EXPECT_EQ(group.rank, 0);
  EXPECT_FALSE(group.distributed());
  EXPECT_TRUE(group.is_main());
}

TEST(WorkerGroup, ReadsTorchrunsEnvironment) {
  const auto group = worker_group_from(environment({{"RANK", "3"},
                                                    {"WORLD_SIZE", "4"},
                                                    {"LOCAL_RANK", "1"},
                                                    {"LOCAL_WORLD_SIZE", "2"},
                                                    {"MASTER_ADDR", "node7"},
                                                    {"MASTER_PORT", "29501"},
                                                    {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                                    {"TORCHELASTIC_RESTART_COUNT", "2"}}));
  EXPECT_EQ(group.rank, 3);
  EXPECT_EQ(group.world_size, 4);
  EXPECT_EQ(group.local_rank, 1);
  EXPECT_EQ(group.local_world_size, 2);
  EXPECT_EQ(group.master_addr, "node7");
  EXPECT_EQ(group.master_port, 29501);
  EXPECT_TRUE(group.agent_store);
  EXPECT_EQ(group.restart_count, 2);
  EXPECT_TRUE(group.distributed());
  EXPECT_FALSE(group.is_main());
  EXPECT_EQ(worker_group_from(environment({{"RANK", "1"}, {"WORLD_SIZE", "2"}})).local_rank, 1)
      << "without LOCAL_RANK, one machine: the rank";
  EXPECT_FALSE(
      worker_group_from(
          environment({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"TORCHELASTIC_USE_AGENT_STORE", "False"}}))
          .agent_store);
}

TEST(WorkerGroup, RefusesMalformedOrInconsistentVariablesNamingThem) {
  const std::map<std::string, std::map<std::string, std::string>> bad = {
      {"WORLD_SIZE=two", {{"RANK", "0"}, {"WORLD_SIZE", "two"}}},
      {"WORLD_SIZE=0", {{"RANK", "0"}, {"WORLD_SIZE", "0"}}},
      {"RANK=2", {{"RANK", "2"}, {"WORLD_SIZE", "2"}}},
      {"RANK=-1", {{"RANK", "-1"}, {"WORLD_SIZE", "2"}}},
      {"RANK=1 without WORLD_SIZE", {{"RANK", "1"}}},
      {"without RANK", {{"WORLD_SIZE", "2"}}},
      {"MASTER_PORT=70000", {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}},
      {"MASTER_PORT=29500x", {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29500x"}}},
      {"MASTER_ADDR is empty", {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", ""}}},
      {"LOCAL_WORLD_SIZE=3", {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"LOCAL_WORLD_SIZE", "3"}}},
      {"TORCHELASTIC_USE_AGENT_STORE=maybe",
       {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"TORCHELASTIC_USE_AGENT_STORE", "maybe"}}},
  };
  for (const auto& [expected, variables] : bad)
    expect_error_naming([&] { worker_group_from(environment(variables)); }, expected);
}

TEST(WorkerGroup, ChecksWhatFlagsOverrode) {
  WorkerGroup group;
  group.world_size = 2;
  group.rank = 1;
  EXPECT_NO_THROW(check_worker_group(group));
  group.rank = 2;
  expect_error_naming([&] { check_worker_group(group); }, "--rank 2");
  group.rank = 0;
  group.backend = "mpi";
  expect_error_naming([&] { check_worker_group(group); }, "--dist-backend mpi");
  group.backend = "gloo";
  group.timeout_s = 0;
  expect_error_naming([&] { check_worker_group(group); }, "--dist-timeout");
  group.timeout_s = 10;
  group.master_port = 0;
  expect_error_naming([&] { check_worker_group(group); }, "--master-port 0");
}

}  // namespace
}  // namespace advseg
