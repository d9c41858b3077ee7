// The report's HTML from given runs: the best run of each column marked (by
// each metric's own direction), configs that differ highlighted, curves only
// where some run logged them, names escaped, panels embedded as a data URI.
#include "advseg/report/html_report.h"

#include <gtest/gtest.h>

#include <string>

namespace advseg {
namespace {

ReportRun run_with(const std::string& name, double mean_iou, double size_error, double component_ratio) {
  ReportRun run;
  run.name = name;
  run.result = {{"metrics", {{"mean_iou", mean_iou}, {"per_class", {{"sky", {{"iou", mean_iou}}}}}}},
                {"consistency", {{"size_error", size_error}, {"component_ratio", component_ratio}}}};
  return run;
}

Report two_runs() {
  Report report;
  report.class_names = {"sky"};
  report.runs = {run_with("standard", 0.50, 0.30, 1.5), run_with("adversarial", 0.60, 0.40, 0.9)};
  return report;
}

TEST(HtmlReport, MarksTheBestRunOfEachColumnByItsDirection) {
  const auto html = report_html(two_runs());
  EXPECT_NE(html.find("<td class='number best'>60.00</td>"), std::string::npos) << "higher mIoU";
  EXPECT_NE(html.find("<td class='number'>50.00</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class='number best'>30.00</td>"), std::string::npos) << "lower size error";
  EXPECT_NE(html.find("<td class='number best'>0.900</td>"), std::string::npos) << "ratio nearer 1";
  EXPECT_NE(html.find("<td class='number'>1.500</td>"), std::string::npos);
}

TEST(HtmlReport, MarksNoneWhereAllRunsAreEqualOrOnlyOneHasAValue) {
  auto report = two_runs();
  report.runs[1] = run_with("adversarial", 0.50, 0.30, 1.5);
  report.runs[1].result["consistency"].erase("size_error");
  const auto html = report_html(report);
  EXPECT_EQ(html.find("best'>"), std::string::npos) << html;
  EXPECT_NE(html.find("&ndash;"), std::string::npos) << "a missing value is a dash";
}

TEST(HtmlReport, HighlightsTheConfigKeysWhereRunsDiffer) {
  auto report = two_runs();
  report.runs[0].config = {{"adversarial.enabled", "false"}, {"train.epochs", "30"}};
  report.runs[1].config = {{"adversarial.enabled", "true"}, {"train.epochs", "30"}};
  const auto html = report_html(report);
  EXPECT_NE(html.find("<tr class='differs'><th>adversarial.enabled</th>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>train.epochs</th>"), std::string::npos);
}

TEST(HtmlReport, PlotsOnlyTheCurvesSomeRunLogged) {
  auto report = two_runs();
  CurvePoint train{"train", 1, 10, {{"cross_entropy", 1.2}}};
  CurvePoint val{"val", 1, 10, {{"val_mean_iou", 0.4}}};
  report.runs[0].curve = {train, val};
  const auto html = report_html(report);
  EXPECT_NE(html.find("data-curve='cross_entropy'"), std::string::npos);
  EXPECT_NE(html.find("data-curve='val_mean_iou'"), std::string::npos);
  EXPECT_EQ(html.find("data-curve='adversary_loss'"), std::string::npos);
}

TEST(HtmlReport, EscapesNamesAndEmbedsThePanelsAndConfusion) {
  auto report = two_runs();
  report.runs[0].name = "<b>&run";
  report.panels_png = "abcd";  // base64 "YWJjZA=="
  report.runs[1].confusion = {{3, 1}, {0, 0}};
  report.class_names = {"sky", "tree"};
  report.notes = {"no log.jsonl for <x>"};
  const auto html = report_html(report);
  EXPECT_NE(html.find("&lt;b&gt;&amp;run"), std::string::npos);
  EXPECT_EQ(html.find("<b>&run"), std::string::npos);
  EXPECT_NE(html.find("src='data:image/png;base64,YWJjZA=='"), std::string::npos);
  EXPECT_NE(html.find("title='3 pixels'>75</td>"), std::string::npos) << "row shares";
  EXPECT_NE(html.find("title='0 pixels'>&ndash;</td>"), std::string::npos) << "a class absent from truth";
  EXPECT_NE(html.find("<li>no log.jsonl for &lt;x&gt;</li>"), std::string::npos);
  EXPECT_EQ(html.find("http"), html.find("http://www.w3.org/2000/svg")) << "nothing fetched from the network";
}

}  // namespace
}  // namespace advseg
