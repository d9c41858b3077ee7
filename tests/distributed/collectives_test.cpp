// The collectives, gradient averaging, synchronised BatchNorm and sharded
// evaluation, with the workers as threads of this process over one
// in-memory store and real Gloo process groups on loopback.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/distributed/communicator.h"
#include "advseg/distributed/gradient_averaging.h"
#include "advseg/error.h"
#include "advseg/eval/evaluator.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/sync_batch_norm.h"
#include "support/free_port.h"
#include "support/tiny_config.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

// Runs `body(rank's communicator)` on `world_size` threads; rethrows the first failure.
void run_workers(int world_size, const std::function<void(Communicator&)>& body) {
  auto store = c10::make_intrusive<c10d::HashStore>();
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex mutex;
  for (int rank = 0; rank < world_size; ++rank)
    threads.emplace_back([&, rank] {
      try {
        auto workers = Communicator::over_store(store, rank, world_size, 30);
        body(*workers);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    });
  for (auto& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
}

// The NCCL process group, one worker over a real TCP store: it sums on the
// GPU where one is, and without one the join says what is wrong.
WorkerGroup nccl_worker() {
  WorkerGroup group;
  group.backend = "nccl";
  group.master_port = testing::free_port();
  group.timeout_s = 30;
  return group;
}

TEST(Collectives, NcclWithoutAGpuIsRefusedSayingWhy) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has a GPU: NcclSumsOnTheGpu covers it";
  try {
    Communicator::join(nccl_worker(), c10::kCUDA);
    FAIL() << "joined an NCCL group without a GPU";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--dist-backend nccl needs a CUDA GPU"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("--dist-backend gloo"), std::string::npos) << e.what();
  }
}

TEST(Collectives, NcclSumsOnTheGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA GPU on this machine: NCCL cannot run here";
  auto workers = Communicator::join(nccl_worker(), c10::kCUDA);
  auto value = torch::arange(4, torch::TensorOptions().device(torch::kCUDA).dtype(torch::kFloat));
  workers->sum({value}, "nccl sum");
  EXPECT_TRUE(torch::equal(value.cpu(), torch::arange(4, torch::kFloat)));
  workers->barrier("nccl barrier");
}

TEST(Collectives, SumBroadcastAndGatherAcrossWorkers) {
  std::vector<torch::Tensor> sums(3), broadcasts(3);
  std::vector<std::vector<std::string>> gathered(3);
  run_workers(3, [&](Communicator& workers) {
    const int rank = workers.rank();
    auto value = torch::full({2}, rank + 1.0);
    workers.sum({value}, "test sum");
    sums[rank] = value;
    auto shared = torch::full({3}, 10.0 * (rank + 1));
    workers.broadcast_from_main({shared}, "test broadcast");
    broadcasts[rank] = shared;
    gathered[rank] =
        workers.gather_on_main(std::string(static_cast<std::size_t>(rank + 1), 'a' + rank), "test");
    workers.barrier("test barrier");
  });
  for (int rank = 0; rank < 3; ++rank) {
    EXPECT_TRUE(torch::equal(sums[rank], torch::full({2}, 6.0))) << rank;
    EXPECT_TRUE(torch::equal(broadcasts[rank], torch::full({3}, 10.0))) << rank;
  }
  EXPECT_EQ(gathered[0], (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_TRUE(gathered[1].empty());
}

TEST(GradientAverager, AveragesInSmallBucketsAndSharesALocalFailure) {
  std::vector<std::vector<torch::Tensor>> averaged(2);
  std::vector<bool> failed(2), failed_after_bad_loss(2);
  run_workers(2, [&](Communicator& workers) {
    const int rank = workers.rank();
    auto shared = std::shared_ptr<Communicator>(&workers, [](Communicator*) {});
    // 40-byte buckets: the three gradients travel in several all-reduces.
    GradientAverager averager(shared, {40, false});
    const auto learns = torch::requires_grad();
    std::vector<torch::Tensor> parameters = {torch::zeros({4}, learns), torch::zeros({2, 3}, learns),
                                             torch::zeros({5}, learns)};
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      parameters[i].mutable_grad() =
          torch::arange(parameters[i].numel(), torch::kFloat).view_as(parameters[i]) * (rank + 1) +
          static_cast<double>(i);
    }
    failed[rank] = averager.average(parameters, false);
    for (const auto& p : parameters) averaged[rank].push_back(p.grad().clone());
    failed_after_bad_loss[rank] = averager.average(parameters, rank == 1);
  });
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_FALSE(failed[rank]);
    EXPECT_TRUE(failed_after_bad_loss[rank]) << "rank 1's bad loss must stop rank " << rank << " too";
    for (std::size_t i = 0; i < 3; ++i) {
      // mean over ranks of (k * (rank + 1) + i) = 1.5 k + i
      const auto& g = averaged[rank][i];
      auto expected = torch::arange(g.numel(), torch::kFloat).view_as(g) * 1.5 + static_cast<double>(i);
      EXPECT_TRUE(torch::allclose(g, expected)) << rank << " " << i;
    }
  }
}

// A small network, the same on every call, and a parameter it never uses.
struct SmallNetwork {
  torch::nn::Sequential layers;
  torch::Tensor unused;
};

SmallNetwork small_network() {
  torch::manual_seed(7);
  return {torch::nn::Sequential(torch::nn::Linear(4, 8), torch::nn::ReLU(), torch::nn::Linear(8, 8),
                                torch::nn::ReLU(), torch::nn::Linear(8, 3)),
          torch::zeros({2}, torch::requires_grad())};
}

// The network's gradients over `inputs`, averaged over the workers by
// `averager` (when given) during or after the backward pass.
std::vector<torch::Tensor> gradients_of(SmallNetwork& network, const torch::Tensor& inputs,
                                        GradientAverager* averager) {
  auto parameters = network.layers->parameters();
  parameters.push_back(network.unused);
  if (averager) averager->begin(parameters, false);
  network.layers->forward(inputs).pow(2).mean().backward();
  if (averager) {
    EXPECT_FALSE(averager->finish());
  }
  EXPECT_FALSE(network.unused.grad().defined()) << "a parameter without a gradient must stay without one";
  std::vector<torch::Tensor> gradients;
  for (const auto& p : network.layers->parameters()) gradients.push_back(p.grad().clone());
  return gradients;
}

TEST(GradientAverager, OverlappedOrNotAveragesToTheWholeBatchsGradients) {
  const auto inputs = torch::randn({6, 4});
  auto single = small_network();
  const auto whole = gradients_of(single, inputs, nullptr);
  for (const bool overlap : {true, false}) {
    std::vector<std::vector<torch::Tensor>> averaged(2);
    std::mutex mutex;
    run_workers(2, [&](Communicator& workers) {
      std::unique_lock<std::mutex> building(mutex);  // torch::manual_seed is process-wide
      auto network = small_network();
      building.unlock();
      auto shared = std::shared_ptr<Communicator>(&workers, [](Communicator*) {});
      GradientAverager averager(shared, {64, overlap});  // 64 bytes: several buckets start mid-backward
      averaged[static_cast<std::size_t>(workers.rank())] =
          gradients_of(network, inputs.narrow(0, 3 * workers.rank(), 3), &averager);
    });
    for (const auto& gradients : averaged) {
      ASSERT_EQ(gradients.size(), whole.size());
      for (std::size_t i = 0; i < whole.size(); ++i)
        EXPECT_TRUE(torch::allclose(gradients[i], whole[i], 1e-5, 1e-6))
            << "overlap " << overlap << " tensor " << i;
    }
  }
}

// What one worker with the whole batch computes: output, running
// statistics, and the gradients of a weighted mean of the output.
struct NormResult {
  torch::Tensor output, running_mean, running_var, weight_grad, bias_grad, input_grad;
};

NormResult normalise(const torch::Tensor& input, const torch::Tensor& weighting, const SumAcrossWorkers& sum,
                     GradientAverager* averager) {
  FoldableBatchNorm2d norm(3);
  {
    torch::NoGradGuard no_grad;
    norm->weight.copy_(torch::tensor({1.5, 0.5, 2.0}));
    norm->bias.copy_(torch::tensor({0.1, -0.2, 0.3}));
  }
  if (sum) synchronize_batch_norms(*norm, sum);
  norm->train();
  auto x = input.clone().requires_grad_(true);
  const auto output = norm->forward(x);
  (output * weighting).mean().backward();
  if (averager) averager->average(norm->parameters(), false);
  return {output.detach(),           norm->running_mean.clone(),
          norm->running_var.clone(), norm->weight.grad().clone(),
          norm->bias.grad().clone(), x.grad().clone()};
}

TEST(SyncBatchNorm, TwoWorkersWithHalfBatchesComputeWhatOneComputesWithTheWhole) {
  torch::manual_seed(3);
  const auto input = torch::randn({4, 3, 5, 5}) * 2 + 1;
  const auto weighting = torch::randn({4, 3, 5, 5});
  const auto whole = normalise(input, weighting, nullptr, nullptr);
  std::vector<NormResult> halves(2);
  run_workers(2, [&](Communicator& workers) {
    const int rank = workers.rank();
    auto shared = std::shared_ptr<Communicator>(&workers, [](Communicator*) {});
    GradientAverager averager(shared);
    const SumAcrossWorkers sum = [&workers](torch::Tensor& t) { workers.sum({t}, "batch norm"); };
    halves[rank] = normalise(input.narrow(0, 2 * rank, 2), weighting.narrow(0, 2 * rank, 2), sum, &averager);
  });
  const double tolerance = 1e-5;
  for (int rank = 0; rank < 2; ++rank) {
    const auto& half = halves[rank];
    EXPECT_TRUE(torch::allclose(half.output, whole.output.narrow(0, 2 * rank, 2), tolerance, tolerance));
    EXPECT_TRUE(torch::allclose(half.running_mean, whole.running_mean, tolerance, tolerance));
    EXPECT_TRUE(torch::allclose(half.running_var, whole.running_var, tolerance, tolerance));
    // Averaged over the workers, the affine gradients are the whole batch's.
    EXPECT_TRUE(torch::allclose(half.weight_grad, whole.weight_grad, tolerance, tolerance));
    EXPECT_TRUE(torch::allclose(half.bias_grad, whole.bias_grad, tolerance, tolerance));
    // Each worker's input gradient counts every worker's loss through the
    // shared statistics; with two losses averaged, it is twice the whole's.
    EXPECT_TRUE(torch::allclose(half.input_grad * 0.5, whole.input_grad.narrow(0, 2 * rank, 2), tolerance,
                                tolerance));
  }
  // Local statistics would differ: the check above can fail.
  const auto local = normalise(input.narrow(0, 0, 2), weighting.narrow(0, 0, 2), nullptr, nullptr);
  EXPECT_FALSE(torch::allclose(local.output, whole.output.narrow(0, 0, 2), tolerance, tolerance));
}

// One value per channel on each worker (batch 1 after global pooling) is
// two over both: synchronised BatchNorm trains where a local one refuses.
TEST(SyncBatchNorm, OneValuePerChannelPerWorkerIsEnoughTogether) {
  std::vector<torch::Tensor> outputs(2);
  run_workers(2, [&](Communicator& workers) {
    FoldableBatchNorm2d norm(3);
    synchronize_batch_norms(*norm, [&workers](torch::Tensor& t) { workers.sum({t}, "batch norm"); });
    norm->train();
    outputs[static_cast<std::size_t>(workers.rank())] =
        norm->forward(torch::full({1, 3, 1, 1}, static_cast<double>(workers.rank()))).detach();
  });
  // Values 0 and 1: mean 0.5, variance 0.25, so -1 and +1 (eps aside).
  EXPECT_TRUE(torch::allclose(outputs[0], torch::full({1, 3, 1, 1}, -1.0), 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(outputs[1], torch::full({1, 3, 1, 1}, 1.0), 1e-4, 1e-4));
  FoldableBatchNorm2d alone(3);
  alone->train();
  EXPECT_THROW(alone->forward(torch::zeros({1, 3, 1, 1})), Error);
}

TEST(ShardedEvaluation, AddsUpToTheSingleProcessFigures) {
  testing::TinyRun run;
  auto config = run.config;
  config.data.shapes_val_size = 5;  // uneven shards: 3 and 2 images
  const auto dataset = make_dataset(config.data, "val");
  auto options = evaluation_options(config);
  const auto single = evaluate(*run.networks.segmentor, dataset, options);
  std::vector<Evaluation> sharded;
  std::mutex mutex;
  run_workers(2, [&](Communicator& workers) {
    // Each worker its own copy of the network (inference folds BatchNorm in place).
    std::unique_lock<std::mutex> building(mutex);
    testing::TinyRun copy;
    building.unlock();
    auto mine = options;
    mine.shard = workers.rank();
    mine.shards = 2;
    mine.sum_across_workers = [&workers](std::vector<double>& sums) {
      auto tensor = torch::from_blob(sums.data(), {static_cast<std::int64_t>(sums.size())}, torch::kDouble);
      workers.sum({tensor}, "metrics");
    };
    auto evaluation = evaluate(*copy.networks.segmentor, dataset, mine);
    std::lock_guard<std::mutex> lock(mutex);
    sharded.push_back(std::move(evaluation));
  });
  ASSERT_EQ(sharded.size(), 2u);
  for (const auto& evaluation : sharded) {
    EXPECT_EQ(evaluation.confusion.to_sums(), single.confusion.to_sums());
    const auto sums = evaluation.consistency.to_sums(), expected = single.consistency.to_sums();
    ASSERT_EQ(sums.size(), expected.size());
    for (std::size_t i = 0; i < sums.size(); ++i) EXPECT_NEAR(sums[i], expected[i], 1e-9) << i;
    EXPECT_NEAR(evaluation.cross_entropy, single.cross_entropy, 1e-9);
    EXPECT_EQ(evaluation.consistency.summary().images, 5);
  }
}

}  // namespace
}  // namespace advseg
