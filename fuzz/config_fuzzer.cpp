// Fuzzes parse_config (YAML config files; parsing and validation).
#include <string>

#include "advseg/config/config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advseg::fuzz;
  parse_or_reject([&] {
    const advseg::Config config = advseg::parse_config(std::string(as_text(data, size)), "fuzz.yaml");
    // Checkpoints save the resolved config; eval and predict load it back,
    // so every accepted config must survive to_yaml and parse unchanged.
    const std::string saved = advseg::to_yaml(config);
    try {
      require(advseg::to_yaml(advseg::parse_config(saved, "saved config.yaml")) == saved,
              "the saved config loads back unchanged");
    } catch (const advseg::Error& error) {
      std::fprintf(stderr, "%s\nsaved config:\n%s", error.what(), saved.c_str());
      require(false, "the saved config of an accepted config loads back");
    }
  });
  return 0;
}
