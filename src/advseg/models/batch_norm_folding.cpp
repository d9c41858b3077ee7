#include "advseg/models/batch_norm_folding.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>
#include <c10/core/TensorImpl.h>
#include <torch/utils.h>

#include <cstring>
#include <map>
#include <ostream>
#include <string>
#include <utility>

#include "advseg/error.h"
#include "advseg/models/sync_batch_norm.h"

namespace advseg {

FoldableBatchNorm2dImpl::FoldableBatchNorm2dImpl(std::int64_t channels)
    : FoldableBatchNorm2dImpl(torch::nn::BatchNormOptions(channels)) {}

FoldableBatchNorm2dImpl::FoldableBatchNorm2dImpl(const torch::nn::BatchNormOptions& options)
    : options(options) {
  if (!options.affine() || !options.track_running_stats())
    throw Error("FoldableBatchNorm2d: only affine batch norm with running statistics is supported");
  const auto channels = options.num_features();
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
  running_mean = register_buffer("running_mean", torch::zeros({channels}));
  running_var = register_buffer("running_var", torch::ones({channels}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
}

torch::Tensor FoldableBatchNorm2dImpl::forward(const torch::Tensor& input) {
  if (input.dim() != 4)
    throw Error("batch norm: expected a 4-D input [N,C,H,W], got " + std::to_string(input.dim()) + "-D");
  if (folded_) {
    // Gradients would update the folded filters, which restoring throws away
    // (also where model.freeze_bn keeps this layer in eval mode).
    if (is_training() || c10::GradMode::is_enabled())
      throw Error(
          "a batch norm folded into its convolution for inference cannot be trained "
          "(train the network outside advseg's inference path)");
    return input;
  }
  // As torch::nn::BatchNorm2d: without a momentum, a cumulative average.
  double momentum = options.momentum().value_or(0.0);
  if (is_training()) {
    // One value per channel has no variance (torch::nn::BatchNorm2d refuses it too).
    if (input.numel() == input.size(1) && !sum_across_workers)
      throw Error("batch norm: training needs more than one value per channel, got input of shape " +
                  c10::str(input.sizes()) + " (a larger batch, or model.freeze_bn)");
    num_batches_tracked += 1;
    if (!options.momentum()) momentum = 1.0 / num_batches_tracked.item<double>();
    if (sum_across_workers)
      return synchronized_batch_norm(input, weight, bias, running_mean, running_var, momentum, options.eps(),
                                     sum_across_workers);
  }
  return torch::batch_norm(input, weight, bias, running_mean, running_var, is_training(), momentum,
                           options.eps(), at::globalContext().userEnabledCuDNN());
}

void FoldableBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "advseg::FoldableBatchNorm2d(" << options.num_features() << ", eps=" << options.eps()
         << ", momentum=" << options.momentum().value_or(0) << ")";
}

namespace {

using TensorKey = const c10::TensorImpl*;

TensorKey key_of(const torch::Tensor& tensor) {
  return tensor.defined() ? tensor.unsafeGetTensorImpl() : nullptr;
}

// What one forward pass showed: how often each convolution (by weight) and
// each batch norm (by running mean) ran, and who read each convolution output.
struct ForwardTrace {
  std::map<TensorKey, int> conv_calls;
  std::map<TensorKey, int> norm_calls;  // eval-mode calls; a training-mode call makes it -1
  struct ConvOutput {
    TensorKey weight = nullptr;
    std::vector<TensorKey> readers;  // a batch norm's running mean, or nullptr for any other op
  };
  std::map<TensorKey, ConvOutput> conv_outputs;
  // Outputs held until the pass ends, so that no later tensor reuses their address.
  std::vector<torch::Tensor> kept;
  int depth = 0;  // of nested operator calls; the module code calls depth 0
};

thread_local ForwardTrace* active_trace = nullptr;

struct ConvCall : at::ObserverContext {
  explicit ConvCall(TensorKey weight) : weight(weight) {}
  TensorKey weight;
};

// batch_norm(input, weight, bias, running_mean, running_var, training, ...);
// nullptr without running statistics (such a batch norm never folds).
TensorKey running_mean_of(c10::ArrayRef<const c10::IValue> inputs) {
  return inputs.size() > 3 && inputs[3].isTensor() ? key_of(inputs[3].toTensor()) : nullptr;
}

void note_readers(ForwardTrace& trace, const at::RecordFunction& fn) {
  const bool is_norm = std::strcmp(fn.name(), "aten::batch_norm") == 0;
  const auto inputs = fn.inputs();
  auto note = [&](const torch::Tensor& tensor, std::size_t position) {
    auto output = trace.conv_outputs.find(key_of(tensor));
    if (output == trace.conv_outputs.end()) return;
    // batch_norm(input, weight, bias, running_mean, running_var, training, ...)
    const bool norm_input = is_norm && position == 0;
    output->second.readers.push_back(norm_input ? running_mean_of(inputs) : nullptr);
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].isTensor()) note(inputs[i].toTensor(), i);
    if (inputs[i].isTensorList())
      for (const auto& tensor : inputs[i].toTensorList()) note(tensor, i);
  }
  if (!is_norm) return;
  const TensorKey mean = running_mean_of(inputs);
  int& calls = trace.norm_calls[mean];
  calls = (inputs[5].toBool() || calls < 0) ? -1 : calls + 1;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  // The callback travels with LibTorch's thread-local state to helper
  // threads, where no trace is active.
  if (active_trace == nullptr) return nullptr;
  ForwardTrace& trace = *active_trace;
  if (trace.depth++ > 0) return nullptr;
  note_readers(trace, fn);
  // conv2d(input, weight, bias, stride, padding, dilation, groups)
  if (std::strcmp(fn.name(), "aten::conv2d") != 0) return nullptr;
  const TensorKey weight = key_of(fn.inputs()[1].toTensor());
  ++trace.conv_calls[weight];
  return std::make_unique<ConvCall>(weight);
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* context) {
  if (active_trace == nullptr) return;
  ForwardTrace& trace = *active_trace;
  --trace.depth;
  auto* call = dynamic_cast<ConvCall*>(context);
  if (call == nullptr || fn.outputs().empty()) return;
  const auto output = fn.outputs()[0].toTensor();
  trace.conv_outputs[key_of(output)].weight = call->weight;
  trace.kept.push_back(output);
}

ForwardTrace trace_forward(const std::function<void()>& run_forward) {
  ForwardTrace trace;
  ForwardTrace* const outer = active_trace;
  active_trace = &trace;
  const auto handle = at::addThreadLocalCallback(at::RecordFunctionCallback(on_start, on_end)
                                                     .needsInputs(true)
                                                     .needsOutputs(true)
                                                     .scopes({at::RecordScope::FUNCTION}));
  try {
    torch::NoGradGuard no_grad;
    run_forward();
  } catch (...) {
    at::removeCallback(handle);
    active_trace = outer;
    throw;
  }
  at::removeCallback(handle);
  active_trace = outer;
  return trace;
}

// The (convolution weight, batch norm running mean) pairs that can be folded.
std::vector<std::pair<TensorKey, TensorKey>> foldable_pairs(const ForwardTrace& trace) {
  std::map<std::pair<TensorKey, TensorKey>, int> pair_calls;
  std::map<TensorKey, bool> read_elsewhere;
  for (const auto& [output, conv] : trace.conv_outputs) {
    if (conv.readers.size() == 1 && conv.readers.front() != nullptr)
      ++pair_calls[{conv.weight, conv.readers.front()}];
    else
      read_elsewhere[conv.weight] = true;
  }
  std::vector<std::pair<TensorKey, TensorKey>> pairs;
  for (const auto& [pair, calls] : pair_calls) {
    const auto norm_calls = trace.norm_calls.find(pair.second);
    if (!read_elsewhere[pair.first] && calls == trace.conv_calls.at(pair.first) &&
        norm_calls != trace.norm_calls.end() && calls == norm_calls->second)
      pairs.push_back(pair);
  }
  return pairs;
}

// The convolution and batch norm modules of the network, by weight and running mean.
template <typename Layer>
std::map<TensorKey, std::shared_ptr<Layer>> layers_by(torch::nn::Module& network,
                                                      torch::Tensor Layer::*tensor) {
  std::map<TensorKey, std::shared_ptr<Layer>> layers;
  for (const auto& module : network.modules(/*include_self=*/true))
    if (auto layer = std::dynamic_pointer_cast<Layer>(module)) layers[key_of((*layer).*tensor)] = layer;
  return layers;
}

}  // namespace

FoldedBatchNorms::FoldedBatchNorms(torch::nn::Module& network, const std::function<void()>& run_forward) {
  const auto pairs = foldable_pairs(trace_forward(run_forward));
  const auto convs = layers_by<torch::nn::Conv2dImpl>(network, &torch::nn::Conv2dImpl::weight);
  const auto norms = layers_by<FoldableBatchNorm2dImpl>(network, &FoldableBatchNorm2dImpl::running_mean);
  for (const auto& [weight, mean] : pairs) {
    const auto conv = convs.find(weight);
    const auto norm = norms.find(mean);
    if (conv != convs.end() && norm != norms.end()) folds_.push_back({conv->second, norm->second, {}, {}});
  }

  try {
    for (Fold& fold : folds_) fold_into_conv(fold);
  } catch (...) {
    restore();
    throw;
  }
  at::autocast::clear_cache();  // as in restore()
}

void FoldedBatchNorms::fold_into_conv(Fold& fold) {
  torch::NoGradGuard no_grad;
  auto& conv = *fold.conv;
  auto& norm = *fold.norm;
  // In double: the folded filters round once, to the weights' own precision.
  auto scale = torch::rsqrt(norm.running_var.to(torch::kDouble) + norm.options.eps());
  auto shift = -norm.running_mean.to(torch::kDouble) * scale;
  if (norm.options.affine()) {
    shift = shift * norm.weight.to(torch::kDouble) + norm.bias.to(torch::kDouble);
    scale = scale * norm.weight.to(torch::kDouble);
  }
  const auto dtype = conv.weight.scalar_type();
  auto weight = (conv.weight.to(torch::kDouble) * scale.reshape({-1, 1, 1, 1}))
                    .to(dtype)
                    .contiguous(conv.weight.suggest_memory_format());
  auto bias = (conv.bias.defined() ? conv.bias.to(torch::kDouble) * scale + shift : shift).to(dtype);

  // Each original is kept before its tensor changes, so restore() can undo a
  // fold that stopped half-way.
  fold.weight = conv.weight.data();
  conv.weight.set_data(weight);
  if (conv.bias.defined()) {
    fold.bias = conv.bias.data();
    conv.bias.set_data(bias);
  } else {
    fold.bias_added = true;
    conv.bias = bias;  // not registered: it never reaches a state dict
  }
  norm.folded_ = true;
}

void FoldedBatchNorms::restore() {
  for (Fold& fold : folds_) {
    if (fold.weight.defined()) fold.conv->weight.set_data(fold.weight);
    if (fold.bias.defined()) fold.conv->bias.set_data(fold.bias);
    if (fold.bias_added) fold.conv->bias = torch::Tensor();
    fold.norm->folded_ = false;
    fold = Fold{fold.conv, fold.norm, {}, {}, false};
  }
  // Autocast caches bf16 copies of weights by tensor identity, which set_data keeps.
  at::autocast::clear_cache();
}

FoldedBatchNorms::~FoldedBatchNorms() { restore(); }

}  // namespace advseg
