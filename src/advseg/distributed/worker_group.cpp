#include "advseg/distributed/worker_group.h"

#include <cstdlib>
#include <limits>
#include <sstream>

#include "advseg/error.h"

namespace advseg {
namespace {

// A whole number in [low, high] from the variable `name`.
int parse_int(const std::string& name, const std::string& text, int low, int high) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw Error(name + "=" + text + ": not a whole number (a launcher such as torchrun sets it)");
  if (value < low || value > high)
    throw Error(name + "=" + text + ": must be between " + std::to_string(low) + " and " +
                std::to_string(high));
  return static_cast<int>(value);
}

bool parse_bool(const std::string& name, const std::string& text) {
  if (text == "1" || text == "True" || text == "true") return true;
  if (text == "0" || text == "False" || text == "false" || text.empty()) return false;
  throw Error(name + "=" + text + ": expected True or False");
}

}  // namespace

std::string seconds_text(double seconds) {
  std::ostringstream text;
  text << seconds << " s";
  return text.str();
}

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

WorkerGroup worker_group_from(const Environment& environment) {
  WorkerGroup group;
  constexpr int kMax = std::numeric_limits<int>::max();
  const auto world_size = environment("WORLD_SIZE");
  if (!world_size) {
    if (auto rank = environment("RANK"); rank && *rank != "0")
      throw Error("RANK=" + *rank + " without WORLD_SIZE: set both (torchrun does), or neither");
    return group;
  }
  group.world_size = parse_int("WORLD_SIZE", *world_size, 1, kMax);
  const auto rank = environment("RANK");
  if (!rank && group.world_size > 1)
    throw Error("WORLD_SIZE=" + *world_size + " without RANK: each worker needs its RANK (torchrun sets it)");
  if (rank) group.rank = parse_int("RANK", *rank, 0, group.world_size - 1);
  // Without LOCAL_RANK (one machine, launched by hand) the rank is the local rank.
  const auto local_rank = environment("LOCAL_RANK");
  group.local_rank = local_rank ? parse_int("LOCAL_RANK", *local_rank, 0, kMax) : group.rank;
  if (auto local = environment("LOCAL_WORLD_SIZE"))
    group.local_world_size = parse_int("LOCAL_WORLD_SIZE", *local, 1, group.world_size);
  if (auto addr = environment("MASTER_ADDR")) {
    if (addr->empty()) throw Error("MASTER_ADDR is empty: give the host of rank 0");
    group.master_addr = *addr;
  }
  if (auto port = environment("MASTER_PORT")) group.master_port = parse_int("MASTER_PORT", *port, 1, 65535);
  if (auto agent = environment("TORCHELASTIC_USE_AGENT_STORE"))
    group.agent_store = parse_bool("TORCHELASTIC_USE_AGENT_STORE", *agent);
  if (auto restarts = environment("TORCHELASTIC_RESTART_COUNT"))
    group.restart_count = parse_int("TORCHELASTIC_RESTART_COUNT", *restarts, 0, kMax);
  return group;
}

void check_worker_group(const WorkerGroup& group) {
  if (group.world_size < 1)
    throw Error("--world-size " + std::to_string(group.world_size) + ": must be at least 1");
  if (group.rank < 0 || group.rank >= group.world_size)
    throw Error("--rank " + std::to_string(group.rank) + ": must be between 0 and world size - 1 (" +
                std::to_string(group.world_size - 1) + ")");
  if (group.master_port < 1 || group.master_port > 65535)
    throw Error("--master-port " + std::to_string(group.master_port) + ": must be between 1 and 65535");
  if (!group.backend.empty() && group.backend != "gloo" && group.backend != "nccl")
    throw Error("--dist-backend " + group.backend + ": expected gloo or nccl");
  if (!(group.bucket_mb > 0) || group.bucket_mb > 1e6)
    throw Error("--dist-bucket-mb: must be a positive size in MiB (at most 1e6)");
  if (!(group.timeout_s > 0))
    throw Error("--dist-timeout " + seconds_text(group.timeout_s) + ": must be a positive number of seconds");
}

}  // namespace advseg
