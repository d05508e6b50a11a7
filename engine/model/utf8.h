// UTF-8 text as the identity state holds it (docs/semantics.md §1): every stored string is valid
// UTF-8, so snapshots (JSON) and JSON output can always carry it. And values as error messages
// show them: escaped, so a message never holds a NUL, a control character or a broken sequence.
//
// Internal to the engine. Thread-safety: pure functions.
#ifndef CLEARANCE_ENGINE_MODEL_UTF8_H_
#define CLEARANCE_ENGINE_MODEL_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace clearance::model_internal {

// The length (1-4) of the well-formed UTF-8 sequence that starts at `text[at]` (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 when none starts there.
// REQUIRES: at < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t at);

// The offset of the first byte that does not start a well-formed sequence, or npos.
size_t FirstInvalidUtf8(std::string_view text);

// OK, or INVALID_ARGUMENT "<field>: is not valid UTF-8 (byte 0xNN at offset N); expected UTF-8
// text".
absl::Status CheckUtf8(std::string_view field, std::string_view text);

// `value` in single quotes, with '\\', control characters, DEL and bytes outside well-formed
// sequences written as \\xNN (and '\\' as \\\\). Valid non-ASCII characters stay as they are.
std::string Quoted(std::string_view value);

}  // namespace clearance::model_internal

#endif  // CLEARANCE_ENGINE_MODEL_UTF8_H_
