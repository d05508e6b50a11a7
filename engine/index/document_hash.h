// ClaimsDocumentHash: the hash of a claims document, for the engine's claims cache
// (ClaimsCache::Hash).
//
// With AES-NI, eight lanes of two AES rounds per 16 bytes, keyed per process from Abseil's hash
// seed (about half the time of Abseil's string hash on 1 KB); without it, Abseil's string hash.
// A keyed, non-linear mix: an attacker who does not know the key cannot aim documents at one
// bucket (a CRC would let them, and a bucket of colliding 1 KB documents costs a full compare
// each per lookup).
//
// Thread-safety: a pure function of the bytes and the process's key; callable from any thread.
#ifndef CLEARANCE_ENGINE_INDEX_DOCUMENT_HASH_H_
#define CLEARANCE_ENGINE_INDEX_DOCUMENT_HASH_H_

#include <cstddef>
#include <string_view>

namespace clearance::index_internal {

size_t ClaimsDocumentHash(std::string_view json);

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_DOCUMENT_HASH_H_
