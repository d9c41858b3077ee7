// The HTML report in a real browser: `advseg train` writes one per run (not
// with --no-report), `advseg report` compares two, and headless Chromium
// opens it: the page script runs without errors, every plot and the picture
// panels have a size, and a screenshot is kept under the build folder
// (report-screenshot.png, CI's artifact). Skipped, saying why, without
// Chromium (scripts/setup.sh installs Debian's `chromium`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_command.h"
#include "cli/tiny_cli.h"
#include "support/child_process.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;
using testing::run_advseg;
using testing::run_shell;

// $ADVSEG_CHROMIUM, else chromium on the PATH; "" when there is none.
std::string chromium() {
  if (const char* chosen = std::getenv("ADVSEG_CHROMIUM")) return chosen;
  return run_shell("command -v chromium").exit_code == 0 ? "chromium" : "";
}

std::string headless(const std::string& browser) {
  // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return browser + " --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=5000";
}

// The report with two scripts of the test's around it: the first records
// every error and console.error, the second (after the page loads) writes
// what rendered into <pre id='probe'> as JSON, for --dump-dom to show.
std::string probed(const std::string& html) {
  const std::string before =
      "<script>window.probeErrors = []; addEventListener('error', e => probeErrors.push(e.message));"
      "const consoleError = console.error; console.error = (...a) => { probeErrors.push(a.join(' ')); "
      "consoleError(...a); };</script>";
  const std::string after =
      "<script>addEventListener('load', () => { const sizes = [...document.querySelectorAll("
      "'figure.plot svg, img.panels')].map(e => { const r = e.getBoundingClientRect(); return {tag: "
      "e.tagName, "
      "width: r.width, height: r.height, natural: e.naturalWidth || 0}; }); const pre = "
      "document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify({ready: "
      "document.body.dataset.ready || '', errors: probeErrors, sizes}); document.body.appendChild(pre); "
      "});</script>";
  std::string page = html;
  page.insert(page.find("<head>") + 6, before);
  page.insert(page.rfind("</body>"), after);
  return page;
}

nlohmann::json probe_result(const std::string& dom) {
  const std::string open = "<pre id=\"probe\">";
  const auto start = dom.find(open);
  if (start == std::string::npos) return nullptr;
  const auto end = dom.find("</pre>", start);
  return nlohmann::json::parse(dom.substr(start + open.size(), end - start - open.size()));
}

TEST(Report, OfTwoRunsRendersInAHeadlessBrowser) {
  testing::TempDir dir;
  const auto standard = dir.path() / "standard", adversarial = dir.path() / "adversarial";
  auto trained = run_advseg("train --out " + standard.string() + testing::kTinyCli +
                            " --set train.epochs=2 --set adversarial.enabled=false");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_TRUE(fs::exists(standard / "report.html")) << trained.output;
  trained = run_advseg("train --out " + adversarial.string() + testing::kTinyCli +
                       " --set train.epochs=2 --set adversarial.enabled=true --no-report");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_FALSE(fs::exists(adversarial / "report.html"));

  const auto report = dir.path() / "report.html";
  auto made = run_advseg("report " + standard.string() + " " + adversarial.string() + " --out " +
                         report.string() + " --threads 1");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto html = testing::read_text(report.string());
  EXPECT_NE(html.find("<tr class='differs'><th>adversarial.enabled</th>"), std::string::npos);

  const auto browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "no chromium on the PATH (install it, e.g. with scripts/setup.sh)";
  std::ofstream(dir.path() / "probe.html") << probed(html);
  auto dom = run_shell(headless(browser) + " --dump-dom 'file://" + (dir.path() / "probe.html").string() +
                       "' 2>/dev/null");
  ASSERT_EQ(dom.exit_code, 0) << dom.output;
  const auto probe = probe_result(dom.output);
  ASSERT_TRUE(probe.is_object()) << "the page did not load:\n" << dom.output.substr(0, 2000);
  EXPECT_EQ(probe["ready"], "true") << "the report's script did not run to its end";
  EXPECT_TRUE(probe["errors"].empty()) << probe["errors"].dump();
  int plots = 0, pictures = 0;
  for (const auto& element : probe["sizes"]) {
    EXPECT_GT(element["width"].get<double>(), 100) << element.dump();
    EXPECT_GT(element["height"].get<double>(), 100) << element.dump();
    if (element["tag"] == "IMG") {
      ++pictures;
      EXPECT_GT(element["natural"].get<int>(), 0) << "the panels did not decode";
    } else {
      ++plots;
    }
  }
  // 4 training curves (no adversarial term: it starts at adversarial.start_iteration 480, past these
  // runs) and 2 validation curves.
  EXPECT_EQ(plots, 6) << probe.dump();
  EXPECT_EQ(pictures, 1) << probe.dump();

  const fs::path screenshot = fs::path(testing::binary_dir()) / "report-screenshot.png";
  fs::remove(screenshot);
  auto shot = run_shell(headless(browser) + " --window-size=1400,2400 --screenshot='" + screenshot.string() +
                        "' 'file://" + report.string() + "' 2>&1");
  ASSERT_EQ(shot.exit_code, 0) << shot.output;
  EXPECT_GT(fs::file_size(screenshot), 20000u);
}

}  // namespace
}  // namespace advseg
