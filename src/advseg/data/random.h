// Portable random draws for the data pipeline. The standard distributions
// (uniform_int_distribution, normal_distribution, std::shuffle) are
// implementation-defined, so the same seed could give different data with
// another standard library; these draws depend only on the mt19937_64 stream.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>

namespace advseg {

inline constexpr double kTwoPi = 6.283185307179586;

// SplitMix64's finaliser: a bijection on 64-bit words that scatters nearby
// inputs (consecutive indices) into unrelated seeds.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One seed from several keys (seed, epoch, index, ...); the order matters.
inline std::uint64_t mix_seed(std::initializer_list<std::uint64_t> keys) {
  std::uint64_t h = 0;
  for (std::uint64_t key : keys) h = splitmix64(h ^ key);
  return h;
}

// Uniform in [0, 1) from the top 53 bits.
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

inline double uniform(std::mt19937_64& rng, double low, double high) {
  return low + (high - low) * uniform01(rng);
}

// Uniform in [0, n), n > 0, without modulo bias (rejects the short last block).
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % n;
}

// Uniform in [low, high], both included.
inline int uniform_int(std::mt19937_64& rng, int low, int high) {
  return low + static_cast<int>(uniform_below(rng, static_cast<std::uint64_t>(high - low) + 1));
}

// Standard normal by Box-Muller (1 - u keeps the logarithm finite).
inline double standard_normal(std::mt19937_64& rng) {
  const double u = 1.0 - uniform01(rng);
  const double v = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u)) * std::cos(kTwoPi * v);
}

}  // namespace advseg
