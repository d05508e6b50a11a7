#include "tests/server/http/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace clearance::server::testing_internal {

TestClient::TestClient(uint16_t port, SSL_CTX* tls) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  // A guard against a hung test, not a timing assertion: no test waits anywhere near this long.
  timeval guard{30, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &guard, sizeof guard);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  if (tls != nullptr) {
    tls_ = SSL_new(tls);
    SSL_set_fd(tls_, fd_);
    SSL_set_tlsext_host_name(tls_, "localhost");
    handshake_ok_ = SSL_connect(tls_) == 1;
  }
}

TestClient::~TestClient() { Close(); }

void TestClient::Close() {
  if (tls_ != nullptr) {
    SSL_free(tls_);
    tls_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool TestClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const long n = tls_ != nullptr ? SSL_write(tls_, bytes.data(), static_cast<int>(bytes.size()))
                                   : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

TestClient::FillResult TestClient::Fill() {
  if (fd_ < 0) return FillResult::kClosed;
  char chunk[16384];
  errno = 0;
  const long n = tls_ != nullptr ? SSL_read(tls_, chunk, sizeof chunk)
                                 : ::recv(fd_, chunk, sizeof chunk, 0);
  if (n > 0) {
    buffer_.append(chunk, static_cast<size_t>(n));
    return FillResult::kData;
  }
  // SO_RCVTIMEO expired: the server neither answered nor closed.
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return FillResult::kTimedOut;
  return FillResult::kClosed;
}

std::optional<ParsedResponse> TestClient::Read(bool interim) {
  while (true) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (Fill() != FillResult::kData) return std::nullopt;
    }
    ParsedResponse r;
    const std::string head = buffer_.substr(0, end);
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    const size_t space = status_line.find(' ');
    if (space == std::string::npos) return std::nullopt;
    r.version = status_line.substr(0, space);
    r.status = std::atoi(status_line.c_str() + space + 1);
    size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
    while (at < head.size()) {
      size_t next = head.find("\r\n", at);
      if (next == std::string::npos) next = head.size();
      const std::string line = head.substr(at, next - at);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t value_at = colon + 1;
        while (value_at < line.size() && line[value_at] == ' ') ++value_at;
        r.headers[name] = line.substr(value_at);
      }
      at = next + 2;
    }
    buffer_.erase(0, end + 4);
    if (r.status >= 100 && r.status < 200) {
      if (interim) return r;
      continue;
    }
    const size_t length = static_cast<size_t>(std::atoll(r.Header("content-length").c_str()));
    while (buffer_.size() < length) {
      if (Fill() != FillResult::kData) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }
}

bool TestClient::ClosedWithoutData() {
  if (!buffer_.empty()) return false;
  return Fill() == FillResult::kClosed;
}

std::string Get(std::string_view target, std::string_view extra_headers) {
  std::string r = "GET ";
  r.append(target).append(" HTTP/1.1\r\nHost: localhost\r\n").append(extra_headers).append("\r\n");
  return r;
}

std::string Post(std::string_view target, std::string_view body, std::string_view extra_headers) {
  std::string r = "POST ";
  r.append(target)
      .append(" HTTP/1.1\r\nHost: localhost\r\nContent-Length: ")
      .append(std::to_string(body.size()))
      .append("\r\n")
      .append(extra_headers)
      .append("\r\n")
      .append(body);
  return r;
}

TlsFiles WriteSelfSignedCertificate(const std::string& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());

  TlsFiles files{dir + "/cert.pem", dir + "/key.pem"};
  FILE* f = std::fopen(files.cert_file.c_str(), "w");
  PEM_write_X509(f, cert.get());
  std::fclose(f);
  f = std::fopen(files.key_file.c_str(), "w");
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  return files;
}

}  // namespace clearance::server::testing_internal
