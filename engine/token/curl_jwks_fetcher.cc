#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "clearance/internal/strings.h"
#include "clearance/token_jwks.h"

namespace clearance {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Body {
  std::string data;
  size_t max;
  bool overflow = false;
};

size_t Append(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * nmemb;
  if (body->data.size() + n > body->max) {
    body->overflow = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, n);
  return n;
}

class CurlJwksFetcher final : public JwksFetcher {
 public:
  explicit CurlJwksFetcher(CurlJwksFetcherOptions options) : options_(std::move(options)) {
    // curl_global_init is not thread-safe; do it once, before any handle exists.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  absl::StatusOr<std::string> Fetch(std::string_view url) override {
    if (url.rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError(strings_internal::StrCat("not an https URL: ", url));
    }
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (curl == nullptr) return absl::UnavailableError("curl_easy_init failed");
    const std::string url_string(url);
    Body body{{}, options_.max_body_bytes};
    char error[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url_string.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // thread-safe timeouts
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    const CURLcode rc = curl_easy_perform(c);
    if (body.overflow) {
      return absl::ResourceExhaustedError(strings_internal::StrCat(
          "JWKS body from ", url, " exceeds ", options_.max_body_bytes, " bytes"));
    }
    if (rc != CURLE_OK) {
      return absl::UnavailableError(strings_internal::StrCat(
          "GET ", url, ": ", error[0] != '\0' ? error : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      return absl::UnavailableError(
          strings_internal::StrCat("GET ", url, ": HTTP status ", status));
    }
    return std::move(body.data);
  }

 private:
  const CurlJwksFetcherOptions options_;
};

}  // namespace

std::shared_ptr<JwksFetcher> MakeCurlJwksFetcher(CurlJwksFetcherOptions options) {
  return std::make_shared<CurlJwksFetcher>(std::move(options));
}

}  // namespace clearance
