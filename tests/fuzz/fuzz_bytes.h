// FuzzBytes: choices drawn from a fuzzer's input, front to back, so that a mutation of one byte
// changes one choice. Past the end every choice is the first one (0, false), which keeps
// short inputs meaningful. Header-only so the corpus replay (any compiler) and the libFuzzer
// build (clang) share it; libFuzzer's FuzzedDataProvider ships with clang only.
#ifndef CLEARANCE_TESTS_FUZZ_FUZZ_BYTES_H_
#define CLEARANCE_TESTS_FUZZ_FUZZ_BYTES_H_

#include <cstdint>
#include <string_view>

namespace clearance::fuzz {

class FuzzBytes {
 public:
  explicit FuzzBytes(std::string_view bytes) : rest_(bytes) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // A number in [0, n). REQUIRES: 0 < n <= 256.
  int Below(int n) { return Byte() % n; }
  bool Bool() { return Byte() & 1; }

 private:
  std::string_view rest_;
};

}  // namespace clearance::fuzz

#endif  // CLEARANCE_TESTS_FUZZ_FUZZ_BYTES_H_
