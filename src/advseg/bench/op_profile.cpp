#include "advseg/bench/op_profile.h"

#include <algorithm>

#include "advseg/error.h"

namespace advseg {
namespace {

thread_local OpProfiler* active_profiler = nullptr;

std::unique_ptr<at::ObserverContext> time_op_start(const at::RecordFunction& /*fn*/) {
  if (active_profiler != nullptr) active_profiler->start();
  return nullptr;
}

void time_op_end(const at::RecordFunction& fn, at::ObserverContext* /*context*/) {
  if (active_profiler != nullptr) active_profiler->end(fn.name());
}

}  // namespace

OpProfiler::OpProfiler() {
  if (active_profiler != nullptr)
    throw Error("operator profiler: another one is already observing this thread");
  active_profiler = this;
  callback_handle_ = at::addThreadLocalCallback(
      at::RecordFunctionCallback(time_op_start, time_op_end).scopes({at::RecordScope::FUNCTION}));
}

OpProfiler::~OpProfiler() {
  at::removeCallback(callback_handle_);
  active_profiler = nullptr;
}

void OpProfiler::start() { stack_.push_back({Clock::now(), 0}); }

void OpProfiler::end(const char* name) {
  if (stack_.empty()) return;  // began before the profiler did
  const Frame frame = stack_.back();
  stack_.pop_back();
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - frame.start).count();
  OpTime& total = by_name_[name];
  total.name = name;
  total.self_ms += elapsed_ms - frame.children_ms;
  ++total.calls;
  if (!stack_.empty()) stack_.back().children_ms += elapsed_ms;
}

std::vector<OpTime> OpProfiler::totals() const {
  std::vector<OpTime> totals;
  for (const auto& entry : by_name_) totals.push_back(entry.second);
  std::sort(totals.begin(), totals.end(),
            [](const OpTime& a, const OpTime& b) { return a.self_ms > b.self_ms; });
  return totals;
}

}  // namespace advseg
