// docs/config.md: every config key with its type, default and meaning, as
// Markdown, one table per section. Generated from the config's own field
// list (config_reference()); a test keeps the committed file current.
#pragma once

#include <string>

namespace advseg {

std::string config_reference_markdown();

}  // namespace advseg
