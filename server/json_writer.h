// JsonWriter: the one writer of every JSON document the server sends.
//
// Builds compact JSON into a string with the commas placed for the caller. Strings are escaped
// per RFC 8259 (quote, backslash, control characters as \u00XX); bytes that are not valid UTF-8
// are replaced with U+FFFD, so the output is always valid JSON and valid UTF-8 whatever a stored
// value holds.
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("name"); w.String("Alice");
//   w.Key("groups"); w.BeginArray(); w.String("g1"); w.EndArray();
//   w.EndObject();
//   std::string json = std::move(w).Take();
//
// Misuse (a value where a key is expected, unbalanced End*) is a programming error checked in
// debug builds.
//
// Thread-safety: none; one writer per document.
#ifndef CLEARANCE_SERVER_JSON_WRITER_H_
#define CLEARANCE_SERVER_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clearance::server {

class JsonWriter {
 public:
  JsonWriter() = default;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(double value);  // non-finite values are written as null
  void Bool(bool value);
  void Null();
  // Inserts already-serialized JSON as one value. REQUIRES: `json` is one valid JSON value.
  void Raw(std::string_view json);

  // Key(key) then the value.
  void Field(std::string_view key, std::string_view value) { Key(key); String(value); }
  void Field(std::string_view key, const char* value) { Key(key); String(value); }
  void Field(std::string_view key, const std::string& value) { Key(key); String(value); }
  void Field(std::string_view key, bool value) { Key(key); Bool(value); }
  void Field(std::string_view key, int64_t value) { Key(key); Int(value); }
  void Field(std::string_view key, uint64_t value) { Key(key); Uint(value); }
  void Field(std::string_view key, int value) { Key(key); Int(value); }

  const std::string& str() const { return out_; }
  std::string Take() && { return std::move(out_); }

 private:
  void BeforeValue();
  std::string out_;
  // One entry per open container: true when it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `s` as a quoted JSON string (the escaping JsonWriter uses).
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_JSON_WRITER_H_
