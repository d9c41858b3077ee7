// Where and in what precision the step computes must not change what it
// computes: bf16 autocast tracks fp32 closely and keeps fp32 weights, and a
// step on CUDA matches the same step on the CPU.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <torch/cuda.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "advseg/inference/autocast.h"
#include "advseg/inference/precision.h"
#include "advseg/runtime.h"
#include "advseg/train/adversarial_step.h"
#include "support/error_message.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

Batch random_batch(const c10::Device& device) {
  torch::manual_seed(5);
  Batch batch;
  batch.images = torch::randn({4, 3, 32, 32}).to(device);
  batch.labels = torch::randint(0, 5, {4, 32, 32}, torch::kLong).to(device);
  return batch;
}

void expect_close(const StepStats& actual, const StepStats& expected, double relative) {
  EXPECT_TRUE(actual.segmentor_updated && actual.adversary_updated);
  EXPECT_NEAR(actual.value("cross_entropy"), expected.value("cross_entropy"),
              relative * expected.value("cross_entropy"));
  EXPECT_NEAR(actual.value("adversarial_term"), expected.value("adversarial_term"),
              relative * expected.value("adversarial_term"));
  EXPECT_NEAR(actual.value("adversary_loss"), expected.value("adversary_loss"),
              relative * expected.value("adversary_loss"));
}

TEST(Autocast, ConvolvesInTheRunsPrecisionInsideTheScopeOnly) {
  auto input = torch::randn({1, 3, 8, 8});
  auto weight = torch::randn({4, 3, 3, 3});
  {
    Autocast autocast(c10::DeviceType::CPU, {c10::kBFloat16});
    EXPECT_EQ(torch::conv2d(input, weight).scalar_type(), torch::kBFloat16);
    {
      Autocast nested_off(c10::DeviceType::CPU, {c10::kFloat});  // an fp32 guard changes nothing
      EXPECT_EQ(torch::conv2d(input, weight).scalar_type(), torch::kBFloat16);
    }
    {
      Autocast nested_fp16(c10::DeviceType::CPU, {c10::kHalf});
      EXPECT_EQ(torch::conv2d(input, weight).scalar_type(), torch::kHalf);
    }
    EXPECT_EQ(torch::conv2d(input, weight).scalar_type(), torch::kBFloat16) << "the outer precision is back";
  }
  EXPECT_EQ(torch::conv2d(input, weight).scalar_type(), torch::kFloat);
}

TEST(Autocast, Bf16StepTracksTheFp32StepAndKeepsFp32Weights) {
  const Batch batch = random_batch(torch::kCPU);
  testing::TinyRun fp32;
  testing::TinyRun bf16;
  bf16.settings.precision = {c10::kBFloat16};
  const StepPlan plan{true, true, 0.5};
  const StepStats expected = training_step(fp32.networks, fp32.optimizers, batch, plan, fp32.settings);
  const StepStats actual = training_step(bf16.networks, bf16.optimizers, batch, plan, bf16.settings);
  expect_close(actual, expected, 0.02);  // bf16 keeps 8 bits of mantissa
  for (const auto& p : bf16.networks.segmentor->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat);
  for (const auto& p : bf16.networks.adversary->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat);
}

TEST(Precision, AsAskedAndAutomaticallyBf16OnlyOnCpusWithNativeBf16) {
  EXPECT_EQ(resolve_precision("fp32", "cpu").compute, c10::kFloat);
  EXPECT_EQ(resolve_precision("bf16", "cpu").compute, c10::kBFloat16);
  EXPECT_EQ(resolve_precision("bf16", "cuda").compute, c10::kBFloat16);
  EXPECT_EQ(resolve_precision("fp16", "cuda:1").compute, c10::kHalf);
  EXPECT_EQ(resolve_precision("auto", "cuda").compute, c10::kFloat);
  EXPECT_TRUE(resolve_precision("fp16", "cuda").scales_gradients());
  EXPECT_FALSE(resolve_precision("bf16", "cuda").scales_gradients());
  EXPECT_EQ(resolve_precision("fp16", "cpu").name(), "fp16");
  EXPECT_NE(testing::error_message([] { resolve_precision("fp8", "cpu"); }).find("expected fp32, bf16, fp16"),
            std::string::npos);
  std::ifstream cpuinfo("/proc/cpuinfo");
  const std::string flags{std::istreambuf_iterator<char>(cpuinfo), std::istreambuf_iterator<char>()};
  const bool native =
      flags.find("avx512_bf16") != std::string::npos || flags.find("amx_bf16") != std::string::npos;
  EXPECT_EQ(resolve_precision("auto", "cpu").compute == c10::kBFloat16, native);
}

// More threads than the machine has only slow LibTorch down (issue 27, item
// 6: 1024 threads on 2 cores made a tiny run take 82 s instead of 1.3 s).
TEST(Threads, CountsAboveTheHardwareAreCappedThere) {
  EXPECT_EQ(thread_count(0, 8), 8);
  EXPECT_EQ(thread_count(3, 8), 3);
  EXPECT_EQ(thread_count(8, 8), 8);
  EXPECT_EQ(thread_count(128, 8), 8);
  EXPECT_EQ(thread_count(4, 0), 4);  // the machine could not say
  EXPECT_EQ(thread_count(0, 0), 1);
  const int hardware = static_cast<int>(std::thread::hardware_concurrency());
  const int threads = configure_threads(1024);
  EXPECT_EQ(threads, hardware);
  EXPECT_EQ(at::get_num_threads(), hardware);
  configure_threads(1);
}

// The default (0) follows OMP_NUM_THREADS where it is set, as PyTorch does;
// a value that is not a count is ignored.
TEST(Threads, TheDefaultFollowsOmpNumThreads) {
  const char* saved = std::getenv("OMP_NUM_THREADS");
  const std::string before = saved ? saved : "";
  const int hardware = static_cast<int>(std::thread::hardware_concurrency());
  setenv("OMP_NUM_THREADS", "1", 1);
  EXPECT_EQ(configure_threads(0), 1);
  EXPECT_EQ(configure_threads(hardware), hardware) << "an explicit count wins";
  setenv("OMP_NUM_THREADS", "two", 1);
  EXPECT_EQ(configure_threads(0), hardware);
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(configure_threads(0), hardware);
  if (saved) setenv("OMP_NUM_THREADS", before.c_str(), 1);
  configure_threads(1);
}

// A freed 256 MiB block stays in the process for the next step instead of
// going back to the kernel (and being faulted in again, page by page).
TEST(Memory, FreedBlocksStayInTheProcess) {
  if (const char* tunables = std::getenv("GLIBC_TUNABLES");
      tunables && std::strstr(tunables, "glibc.malloc."))
    GTEST_SKIP() << "GLIBC_TUNABLES sets malloc's own thresholds here (" << tunables << ")";
  keep_freed_memory();
  constexpr std::size_t kBlock = std::size_t{256} << 20;
  const auto before = mallinfo2();
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  EXPECT_LT(mallinfo2().hblkhd, before.hblkhd + kBlock) << "not a mapping of its own";
  std::free(block);
  EXPECT_GE(mallinfo2().fordblks, before.fordblks + kBlock) << "kept as free heap memory";
}

// Without a GPU, --device cuda fails before anything runs, saying why and
// what to use instead; a device index past the last GPU is named too.
TEST(Device, CudaWithoutAGpuIsAClearError) {
  const auto says = [](const std::string& name, const std::string& expected) {
    const std::string message = testing::error_message([&] { parse_device(name); });
    EXPECT_NE(message.find(expected), std::string::npos) << name << ": " << message;
  };
  EXPECT_EQ(parse_device("cpu"), c10::Device(c10::kCPU));
  says("gpu", "expected cpu, cuda or cuda:N");
  if (torch::cuda::is_available()) {
    says("cuda:" + std::to_string(torch::cuda::device_count()), "CUDA device");
    GTEST_SKIP() << "this machine has a GPU: only the index check applies";
  }
  for (const std::string name : {"cuda", "cuda:0", "cuda:3"}) {
    says(name, "--device " + name + ": CUDA is not available");
    says(name, "use --device cpu");
  }
}

TEST(Device, CudaStepMatchesTheCpuStep) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const c10::Device cuda(c10::DeviceType::CUDA, 0);
  testing::TinyRun cpu;
  testing::TinyRun on_gpu;
  torch::manual_seed(1);  // TinyRun's seed: the same initial weights, made for the GPU
  on_gpu.networks = make_networks(on_gpu.config, cuda);
  on_gpu.optimizers = make_optimizers(on_gpu.config, on_gpu.networks);
  const StepPlan plan{true, true, 0.5};
  const StepStats expected =
      training_step(cpu.networks, cpu.optimizers, random_batch(torch::kCPU), plan, cpu.settings);
  const StepStats actual =
      training_step(on_gpu.networks, on_gpu.optimizers, random_batch(cuda), plan, on_gpu.settings);
  expect_close(actual, expected, 1e-2);  // cuDNN may use TF32 and other algorithms
  EXPECT_TRUE(on_gpu.networks.segmentor->parameters().front().is_cuda());
}

}  // namespace
}  // namespace advseg
