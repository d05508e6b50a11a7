// A deliberately plain HTTP/1.1 client for the transport tests: a blocking POSIX socket
// (optionally wrapped in OpenSSL), bytes written as given, responses parsed by hand. It shares
// no code with the server, so the server's framing is checked from outside.
//
// Thread-safety: one client per thread.
#ifndef CLEARANCE_TESTS_SERVER_HTTP_TEST_CLIENT_H_
#define CLEARANCE_TESTS_SERVER_HTTP_TEST_CLIENT_H_

#include <openssl/ssl.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace clearance::server::testing_internal {

struct ParsedResponse {
  std::string version;                         // "HTTP/1.1"
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestClient {
 public:
  // Connects to 127.0.0.1:port; with `tls`, also completes a TLS handshake using that context.
  // connected() tells whether it worked.
  explicit TestClient(uint16_t port, SSL_CTX* tls = nullptr);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0 && (tls_ == nullptr || handshake_ok_); }

  // Writes all of `bytes`; false when the connection refused them.
  bool Send(std::string_view bytes);

  // Reads the next response (1xx interim responses are skipped unless `interim`); nullopt when
  // the connection closes or fails before a whole response arrived.
  std::optional<ParsedResponse> Read(bool interim = false);

  // Reads until the server closes the connection; true when it closes (orderly or by reset)
  // without sending any further byte. False if data arrives, or if nothing at all happens
  // within the client's hang guard.
  bool ClosedWithoutData();

  void Close();

 private:
  enum class FillResult { kData, kClosed, kTimedOut };
  // Appends what the peer sends next to buffer_.
  FillResult Fill();

  int fd_ = -1;
  SSL* tls_ = nullptr;
  bool handshake_ok_ = false;
  std::string buffer_;
};

// "GET target HTTP/1.1" with Host and the extra header lines (each ending in \r\n).
std::string Get(std::string_view target, std::string_view extra_headers = {});
// A POST with a Content-Length body.
std::string Post(std::string_view target, std::string_view body,
                 std::string_view extra_headers = {});

// A self-signed P-256 certificate for "localhost" and its key, as PEM files in `dir`.
struct TlsFiles {
  std::string cert_file, key_file;
};
TlsFiles WriteSelfSignedCertificate(const std::string& dir);

}  // namespace clearance::server::testing_internal

#endif  // CLEARANCE_TESTS_SERVER_HTTP_TEST_CLIENT_H_
