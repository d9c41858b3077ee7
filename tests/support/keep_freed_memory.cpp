// Linked into every LibTorch test program: freed memory stays in the process
// before any test allocates, as the advseg command keeps it (runtime.h). A
// third of the tests' time was page faults without it (docs/reliability.md).
#include "advseg/runtime.h"

namespace {

const bool freed_memory_kept = [] {
  advseg::keep_freed_memory();
  return true;
}();

}  // namespace
