// Evaluation over a dataset must agree with the segmentor's own predictions,
// image by image: the confusion matrix counts every labelled pixel once, and
// the validation cross-entropy weighs images by their labelled pixels.
#include "advseg/eval/evaluator.h"

#include <gtest/gtest.h>

#include "advseg/data/dataset.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

TEST(Evaluate, CrossEntropyIsThePixelMeanOverTheWholeDataset) {
  testing::TinyRun run;
  auto dataset = make_dataset(run.config.data, "val");
  const auto options = evaluation_options(run.config);
  const Evaluation evaluation = evaluate(*run.networks.segmentor, dataset, options);

  // The same quantity from predict_logits, one image at a time.
  double loss_sum = 0;
  std::int64_t pixels = 0;
  InferenceNetwork network(*run.networks.segmentor);
  for (std::size_t i = 0; i < dataset->size(); ++i) {
    const Example example = dataset->get(i);
    auto image = image_to_tensor(example.image, options.prediction.normalization).unsqueeze(0);
    auto labels =
        torch::from_blob(example.label.data, {1, example.label.rows, example.label.cols}, torch::kUInt8)
            .to(torch::kLong);
    auto log_probs = torch::log_softmax(predict_logits(network, image, options.prediction), 1);
    auto valid = labels != run.config.data.ignore_index;
    auto picked =
        log_probs.gather(1, labels.clamp_max(run.config.data.num_classes - 1).unsqueeze(1)).squeeze(1);
    loss_sum += -picked.masked_select(valid).sum().item<double>();
    pixels += valid.sum().item<std::int64_t>();
  }
  ASSERT_GT(pixels, 0);
  EXPECT_NEAR(evaluation.cross_entropy, loss_sum / static_cast<double>(pixels), 1e-4);
  EXPECT_EQ(evaluation.confusion.metrics().pixels, pixels);
}

}  // namespace
}  // namespace advseg
