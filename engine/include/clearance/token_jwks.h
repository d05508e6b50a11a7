// The production JwksFetcher: HTTPS GET with libcurl.
//
// HTTPS only (the protocol is pinned, redirects are not followed), the peer certificate and host
// name are verified, the body is capped, and any status other than 200 is an error. The verifier
// keeps its last good key set when a fetch fails.
//
// Thread-safety: the fetcher may be used from many threads; each Fetch() uses its own handle.
#ifndef CLEARANCE_TOKEN_JWKS_H_
#define CLEARANCE_TOKEN_JWKS_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clearance/token.h"

namespace clearance {

struct CurlJwksFetcherOptions {
  // PEM bundle of trusted CAs. Empty: the system trust store. Tests point it at a self-signed
  // certificate.
  std::string ca_file;
  // Whole-request timeout, connection included. Default 5 s.
  absl::Duration timeout = absl::Seconds(5);
  // Largest accepted body. Default 1 MiB; real JWKS documents are a few KiB.
  size_t max_body_bytes = 1 << 20;
};

// Never null. UNAVAILABLE for transport errors and non-200 statuses, RESOURCE_EXHAUSTED for an
// oversized body, INVALID_ARGUMENT for a non-https URL.
std::shared_ptr<JwksFetcher> MakeCurlJwksFetcher(CurlJwksFetcherOptions options = {});

}  // namespace clearance

#endif  // CLEARANCE_TOKEN_JWKS_H_
