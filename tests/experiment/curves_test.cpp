#include "advseg/experiment/curves.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "advseg/error.h"
#include "advseg/experiment/svg_plot.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {

// A log of a run resumed after iteration 2: iteration 4 is logged twice.
const char* kLog = R"({"type":"train","iteration":2,"epoch":0,"cross_entropy":1.5,"adversarial_term":0.25}
{"type":"warning","iteration":2,"message":"adversary collapsed"}
{"type":"train","iteration":4,"epoch":0,"cross_entropy":1.25}
{"type":"train","iteration":4,"epoch":0,"cross_entropy":1.125}
{"type":"val","epoch":1,"iteration":4,"cross_entropy":0.875,"metrics":{"mean_iou":0.375,"pixel_accuracy":0.75},"consistency":{"bf_score":0.5}}
)";

std::filesystem::path write_log(const testing::TempDir& dir, const std::string& text) {
  auto path = dir.path() / "log.jsonl";
  std::ofstream(path) << text;
  return path;
}

TEST(Curves, ReadsTrainAndValEntriesLaterOnesWinning) {
  testing::TempDir dir;
  auto points = read_learning_curve(write_log(dir, kLog));
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].type, "train");
  EXPECT_EQ(points[0].iteration, 2);
  EXPECT_DOUBLE_EQ(points[0].values.at("adversarial_term"), 0.25);
  EXPECT_EQ(points[1].type, "train");
  EXPECT_DOUBLE_EQ(points[1].values.at("cross_entropy"), 1.125);  // the resumed run's entry
  EXPECT_EQ(points[2].type, "val");
  EXPECT_EQ(points[2].epoch, 1);
  EXPECT_DOUBLE_EQ(points[2].values.at("val_mean_iou"), 0.375);
  EXPECT_DOUBLE_EQ(points[2].values.at("val_bf_score"), 0.5);
  EXPECT_DOUBLE_EQ(points[2].values.at("val_cross_entropy"), 0.875);
  EXPECT_EQ(points[2].values.count("cross_entropy"), 0u);
}

TEST(Curves, CsvHasOneRowPerEntryAndEmptyCellsForMissingValues) {
  testing::TempDir dir;
  const std::vector<RunCurve> curves = {{"standard", 3, read_learning_curve(write_log(dir, kLog))}};
  const auto csv = curves_csv(curves);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "variant,seed,type,epoch,iteration,cross_entropy,adversarial_term,adversary_loss,"
            "adversary_accuracy_real,adversary_accuracy_fake,target_adversarial_term,target_entropy,val_"
            "cross_entropy,val_mean_iou,val_pixel_accuracy,"
            "val_mean_class_accuracy,val_frequency_weighted_iou,val_bf_score,val_component_ratio,"
            "val_component_abs_diff,val_speck_share,val_size_error");
  EXPECT_NE(csv.find("\nstandard,3,train,0,2,1.5,0.25,,,,,,,,,,,,,,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nstandard,3,val,1,4,,,,,,,,0.875,0.375,0.75,,,0.5,,,,\n"), std::string::npos) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
}

TEST(Curves, BadLinesNameTheFileAndLine) {
  testing::TempDir dir;
  auto path = write_log(dir, "{\"type\":\"train\",\"iteration\":1,\"epoch\":0}\n{\"type\":\"train\",\"iter");
  try {
    read_learning_curve(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ": line 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_learning_curve(write_log(dir, "{\"type\":\"val\",\"epoch\":1}\n")), Error);
  EXPECT_THROW(read_learning_curve(write_log(dir, "[1, 2]\n")), Error);
}

TEST(Curves, PlotsOnlyWhatWasLogged) {
  testing::TempDir dir;
  auto points = read_learning_curve(write_log(dir, kLog));
  auto plots = curve_plots({{"standard", 1, points}});
  ASSERT_EQ(plots.size(), 4u);
  EXPECT_EQ(plots[0].first, "curves_cross_entropy.svg");
  EXPECT_EQ(plots[1].first, "curves_val_cross_entropy.svg");
  EXPECT_EQ(plots[3].first, "curves_val_bf_score.svg");
  // Without consistency in the log there is no BF plot.
  points[2].values.erase("val_bf_score");
  EXPECT_EQ(curve_plots({{"standard", 1, points}}).size(), 3u);
}

TEST(SvgPlot, MapsTheDataRangeOntoThePlotAreaWithOneLegendEntryPerLabel) {
  const std::vector<PlotSeries> series = {
      {"standard", {{0, 0}, {10, 1}}}, {"standard", {{0, 0.5}, {10, 0.5}}}, {"a<b", {{5, 0.25}}}};
  const auto svg = line_plot_svg("loss", "iteration", series);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  // The plot area runs from (70, 350) at the data minimum to (560, 40) at the maximum.
  EXPECT_NE(svg.find("points='70,350 560,40 '"), std::string::npos) << svg;
  EXPECT_NE(svg.find("points='70,195 560,195 '"), std::string::npos) << svg;
  std::size_t legend_entries = 0;
  for (auto at = svg.find(">standard<"); at != std::string::npos; at = svg.find(">standard<", at + 1))
    ++legend_entries;
  EXPECT_EQ(legend_entries, 1u);
  EXPECT_NE(svg.find(">a&lt;b<"), std::string::npos);  // labels are escaped
}

// Issue 27, item 16: ticks are round numbers, not the data's extremes.
TEST(SvgPlot, TicksAreRoundNumbersCoveringTheData) {
  const auto svg = line_plot_svg("loss", "iteration", {{"standard", {{0, 1.149}, {130, 0.8695}}}});
  for (const std::string tick :
       {">0.8<", ">0.9<", ">1.0<", ">1.1<", ">1.2<", ">0<", ">50<", ">100<", ">150<"})
    EXPECT_NE(svg.find(tick), std::string::npos) << tick << "\n" << svg;
  EXPECT_EQ(svg.find("1.149"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("0.8695"), std::string::npos) << svg;
}

TEST(SvgPlot, AnEmptySeriesKeepsItsLabelsColourButHasNoLegendEntry) {
  const auto svg = line_plot_svg("loss", "iteration", {{"standard", {}}, {"adversarial", {{0, 1}, {1, 2}}}});
  EXPECT_NE(svg.find("stroke='#d62728' points="), std::string::npos) << "the second label's colour: " << svg;
  EXPECT_EQ(svg.find(">standard<"), std::string::npos);
  EXPECT_NE(svg.find(">adversarial<"), std::string::npos);
}

}  // namespace
}  // namespace advseg
