/* Clearance C API: a stable C ABI over the engine and its store, for brokers that are not C++
 * (the JVM binding in embed/jni uses it). See docs/embedding.md.
 *
 * Conventions
 *   - Handles are opaque; each has a create/open function and a free/close function.
 *   - Every function returns a clearance_status (the absl/gRPC code numbers). When it is not
 *     CLEARANCE_OK, clearance_last_error() returns a message naming what was wrong and what was
 *     expected; the message belongs to the calling thread and is valid until that thread's next
 *     call into this API. A successful call leaves the last message unchanged.
 *   - No C++ exception ever crosses this boundary: a failure inside (even std::bad_alloc) is
 *     returned as CLEARANCE_INTERNAL or CLEARANCE_RESOURCE_EXHAUSTED.
 *   - Strings are UTF-8. (pointer, length) pairs need no NUL terminator; plain `const char*`
 *     arguments are NUL-terminated. A NULL handle or a NULL required pointer is
 *     CLEARANCE_INVALID_ARGUMENT.
 *   - Output parameters are written only on CLEARANCE_OK unless stated otherwise.
 *
 * Thread-safety is stated per function:
 *   [any]     may be called from any number of threads at once, and concurrently with writers.
 *   [writer]  calls on one store are serialized internally (clearance::ServingStore: concurrent
 *             configure/initialize calls share one sync); may run concurrently with [any] calls,
 *             which keep answering from the generation they started on.
 *   [exclusive] no other call on the same handle may be in progress or start until it returns.
 */
#ifndef CLEARANCE_C_H_
#define CLEARANCE_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CLEARANCE_C_BUILDING) && defined(__GNUC__)
#define CLEARANCE_C_EXPORT __attribute__((visibility("default")))
#else
#define CLEARANCE_C_EXPORT
#endif

/* The API version this header describes: MAJOR * 10000 + MINOR * 100 + PATCH. A new MAJOR
 * breaks source or binary compatibility; a new MINOR only adds functions or enum values. */
#define CLEARANCE_C_API_VERSION 10000

/* absl::StatusCode numbers (the gRPC codes). */
typedef enum clearance_status {
  CLEARANCE_OK = 0,
  CLEARANCE_INVALID_ARGUMENT = 3,  /* bad input: null handle, malformed JSON, unknown name */
  CLEARANCE_NOT_FOUND = 5,         /* a missing entity, member, key; a missing store */
  CLEARANCE_ALREADY_EXISTS = 6,    /* duplicate id, grant or member */
  CLEARANCE_RESOURCE_EXHAUSTED = 8,/* out of memory */
  CLEARANCE_FAILED_PRECONDITION = 9,/* closed store, mode, protected roles, not initialized */
  CLEARANCE_OUT_OF_RANGE = 11,     /* a caller buffer too small (see clearance_explain_*) */
  CLEARANCE_UNIMPLEMENTED = 12,
  CLEARANCE_INTERNAL = 13,         /* a bug; the message says where */
  CLEARANCE_UNAVAILABLE = 14,      /* I/O errors, a store locked by another process */
  CLEARANCE_DATA_LOSS = 15,        /* corrupt store files */
  CLEARANCE_UNAUTHENTICATED = 16
} clearance_status;

/* Decision outcome and reason: the values of clearance::Outcome and clearance::Reason. */
typedef enum clearance_outcome {
  CLEARANCE_ALLOW = 0,
  CLEARANCE_FORBIDDEN = 1,
  CLEARANCE_NOT_FOUND_OUTCOME = 2, /* identified; the resource's tenant is not the caller's */
  CLEARANCE_UNAUTHENTICATED_OUTCOME = 3
} clearance_outcome;

typedef struct clearance_decision {
  int32_t outcome; /* clearance_outcome */
  int32_t reason;  /* clearance::Reason value; clearance_reason_name() names it */
} clearance_decision;

typedef struct clearance_store clearance_store;
typedef struct clearance_principal clearance_principal;
typedef struct clearance_verifier clearance_verifier;

/* One check (clearance::CheckRequest). Resource type and permission are the numbers that
 * clearance_resource_type() and clearance_permission() return for their names, so the hot path
 * parses nothing. Zero-initialize the struct and set what applies. */
typedef struct clearance_check_request {
  int32_t resource_type;
  int32_t permission;
  const char* const* resource_ids; /* NUL-terminated strings; may be NULL when count is 0 */
  size_t resource_id_count;
  const char* tenant_id;           /* NULL or "": the resource is not tenant-owned */
  int32_t new_resource;            /* non-zero: the resource is being created */
  /* USER_TASK property checks: set has_user_task to non-zero to pass the properties. */
  int32_t has_user_task;
  const char* assignee;            /* NULL: none */
  const char* const* candidate_users;
  size_t candidate_user_count;
  const char* const* candidate_groups;
  size_t candidate_group_count;
} clearance_check_request;

/* What clearance_store_apply_record did. */
typedef enum clearance_apply_outcome {
  CLEARANCE_APPLIED = 0,
  CLEARANCE_REFUSED = 1,            /* the planner refused it; the status says why */
  CLEARANCE_SKIPPED_POSITION = 2,   /* at or below the applied position: nothing done */
  CLEARANCE_SKIPPED_VALUE_TYPE = 3, /* a value type the engine does not hold */
  CLEARANCE_SKIPPED_INTENT = 4      /* an intent or record type that changes nothing */
} clearance_apply_outcome;

typedef struct clearance_ingest_stats {
  uint64_t records;
  uint64_t applied;
  uint64_t refused;
  uint64_t skipped_position;
  uint64_t skipped_value_type;
  uint64_t skipped_intent;
} clearance_ingest_stats;

/* ---- Versions and names ------------------------------------------------------------------- */

/* [any] CLEARANCE_C_API_VERSION of the library actually loaded. */
CLEARANCE_C_EXPORT int32_t clearance_api_version(void);
/* [any] The library's version, "MAJOR.MINOR.PATCH". Static storage. */
CLEARANCE_C_EXPORT const char* clearance_version_string(void);
/* [any] The calling thread's last error message ("" when none). */
CLEARANCE_C_EXPORT const char* clearance_last_error(void);

/* [any] Wire names (case-insensitive, '-' for '_') to numbers. INVALID_ARGUMENT for an unknown
 * name, listing what was expected. */
CLEARANCE_C_EXPORT clearance_status clearance_resource_type(const char* name, int32_t* out);
CLEARANCE_C_EXPORT clearance_status clearance_permission(const char* name, int32_t* out);
/* [any] Names of numbers ("ALLOW", "GRANTED", ...); "" for an unknown number. Static storage. */
CLEARANCE_C_EXPORT const char* clearance_outcome_name(int32_t outcome);
CLEARANCE_C_EXPORT const char* clearance_reason_name(int32_t reason);

/* ---- Stores ------------------------------------------------------------------------------- */

#define CLEARANCE_OPEN_NO_SYNC 1u    /* do not fsync each command (survives a killed process,
                                        not power loss) */
#define CLEARANCE_OPEN_MUST_EXIST 2u /* NOT_FOUND instead of creating an empty store */

/* [any] Opens (or creates) the RocksDB store at `path` and builds its engine in the same pass.
 * *out is the new handle. Errors: NOT_FOUND, DATA_LOSS, UNAVAILABLE (see clearance::Store::Open).
 *
 * Every write applies its change to the store and then to the engine. When either fails after
 * that (the store: UNAVAILABLE, DATA_LOSS, INTERNAL; the engine: INTERNAL, saying so) the two
 * may disagree: that call and every later [writer] call on the handle return the same error and
 * change nothing, while checks keep answering from the last good generation. Close the handle
 * and open the store again to continue from what is durable (a change the engine failed to
 * apply is durable and served after reopening). */
CLEARANCE_C_EXPORT clearance_status clearance_store_open(const char* path, uint32_t flags,
                                                         clearance_store** out);
/* [exclusive] Closes the database. The handle stays valid and every later call on it returns
 * FAILED_PRECONDITION ("store is closed") until clearance_store_free. Closing twice is OK. */
CLEARANCE_C_EXPORT clearance_status clearance_store_close(clearance_store* store);
/* [exclusive] Closes (if open) and releases the handle. NULL is a no-op. */
CLEARANCE_C_EXPORT void clearance_store_free(clearance_store* store);

/* [writer] Replaces the configuration. `json` is the configuration object of a snapshot header
 * (storage/FORMAT.md): {"mode":"OIDC"|"BASIC","authorizations_enabled":bool,
 * "tenant_checks_enabled":bool,"username_claim":str,"client_id_claim":str,"groups_claim":str,
 * "prefer_username_claim":bool,"id_pattern":str,"token_issuers":[{"issuer":str,"jwks_file":str |
 * "jwks_uri":str,"audiences":[str],"algorithms":["RS256",...],"overrides":{"username_claim":str,
 * "client_id_claim":str,"groups_claim":str,"prefer_username_claim":bool,"leeway_seconds":int,
 * "max_token_bytes":int,"max_claims_bytes":int}}]}; omitted members keep their defaults (an
 * issuer's omitted overrides: the global values). */
CLEARANCE_C_EXPORT clearance_status clearance_store_configure(clearance_store* store,
                                                              const char* json, size_t len);
/* [writer] Initializes the store (docs/semantics.md §8: <default>, the default roles). Once only:
 * FAILED_PRECONDITION the second time. */
CLEARANCE_C_EXPORT clearance_status clearance_store_initialize(clearance_store* store);

/* [writer] Applies one identity record in the JSON form of a Zeebe protocol record (the shape
 * `clearance ingest` reads; storage/ingest/include/clearance/ingest.h lists the fields), with
 * its position. A refused command returns the planner's code (ALREADY_EXISTS, NOT_FOUND, ...)
 * with *outcome = CLEARANCE_REFUSED; a malformed record returns INVALID_ARGUMENT and changes
 * nothing. `outcome` and `authorization_key` may be NULL; *outcome is written whenever the record
 * decoded, *authorization_key (the key a CREATED authorization got, else 0) on OK. */
CLEARANCE_C_EXPORT clearance_status clearance_store_apply_record(clearance_store* store,
                                                                 const char* json, size_t len,
                                                                 int32_t* outcome,
                                                                 uint64_t* authorization_key);
/* [writer] Applies newline-delimited records in order, no other write in between, stopping at
 * the first malformed one (its line and position are named) or the first store or engine
 * failure (see clearance_store_open). Refusals are counted, not errors. `stats` may be NULL; it is written
 * also on error (what was done before the error). */
CLEARANCE_C_EXPORT clearance_status clearance_store_ingest(clearance_store* store,
                                                           const char* ndjson, size_t len,
                                                           clearance_ingest_stats* stats);
/* [any] The last applied log position; *has_position = 0 when no record carried one. */
CLEARANCE_C_EXPORT clearance_status clearance_store_applied_position(clearance_store* store,
                                                                     uint64_t* position,
                                                                     int32_t* has_position);
/* [any] The generation checks answer from: 1 + the number of commands the store has applied
 * since it was created, so +1 per applied command, and it never goes back, also across closing
 * and reopening the store. Explanations ("generation") carry the same number. */
CLEARANCE_C_EXPORT clearance_status clearance_store_generation(clearance_store* store,
                                                               uint64_t* generation);

/* ---- Checks ------------------------------------------------------------------------------- */

/* [any] The decision for verified claims (one JSON object). Bad claims are a decision
 * (UNAUTHENTICATED, MALFORMED_CLAIMS), not an error. */
CLEARANCE_C_EXPORT clearance_status clearance_check_claims(clearance_store* store,
                                                           const char* claims_json, size_t len,
                                                           const clearance_check_request* request,
                                                           clearance_decision* out);
/* [any] The decision for a user authenticated by basic credentials (basic mode). */
CLEARANCE_C_EXPORT clearance_status clearance_check_user(clearance_store* store,
                                                         const char* username,
                                                         const clearance_check_request* request,
                                                         clearance_decision* out);

/* [any] Resolves a caller once for many checks. The principal answers for the generation it was
 * resolved in; clearance_principal_is_current says whether a newer one exists. Free it with
 * clearance_principal_free; it may outlive its store's close (checks then fail). */
CLEARANCE_C_EXPORT clearance_status clearance_resolve_claims(clearance_store* store,
                                                             const char* claims_json, size_t len,
                                                             clearance_principal** out);
CLEARANCE_C_EXPORT clearance_status clearance_resolve_user(clearance_store* store,
                                                           const char* username,
                                                           clearance_principal** out);
/* [any] NULL is a no-op. A principal may be used by many threads at once; free it once. */
CLEARANCE_C_EXPORT void clearance_principal_free(clearance_principal* principal);
CLEARANCE_C_EXPORT clearance_status clearance_principal_is_current(clearance_store* store,
                                                                   const clearance_principal* p,
                                                                   int32_t* current);
/* [any] The decision for a resolved principal: the fast path. */
CLEARANCE_C_EXPORT clearance_status clearance_check_principal(
    clearance_store* store, const clearance_principal* principal,
    const clearance_check_request* request, clearance_decision* out);
/* [any] out[i] = the decision for requests[i], all against the principal's generation. */
CLEARANCE_C_EXPORT clearance_status clearance_check_batch(clearance_store* store,
                                                          const clearance_principal* principal,
                                                          const clearance_check_request* requests,
                                                          size_t count, clearance_decision* out);

/* ---- Tokens ------------------------------------------------------------------------------- */

/* [any] A token verifier (clearance::TokenVerifier) from a JSON configuration:
 *   {"issuers":[{"issuer":str,"audiences":[str],"skip_audience_check":bool,
 *                "algorithms":["RS256",...],"jwks_json":str | "jwks_file":str |
 *                "jwks_uri":str (https, fetched with libcurl),"required_typ":str}],
 *    "leeway_seconds":int,"require_exp":bool,"cache_capacity":int,
 *    "max_lifetime_seconds":int,"cache_ttl_without_exp_seconds":int,
 *    "max_token_bytes":int,"max_header_bytes":int,"max_claims_bytes":int,
 *    "max_json_depth":int,"max_claims":int}
 * Omitted members keep clearance::TokenVerifierOptions' defaults (clearance/token.h says what
 * each means). INVALID_ARGUMENT naming the field for a bad configuration or key set. */
CLEARANCE_C_EXPORT clearance_status clearance_verifier_create(const char* json, size_t len,
                                                              clearance_verifier** out);
/* [any] A token verifier for the token issuers stored in the store's configuration (the ones
 * `clearance config set --issuer` records), with the verifier's default limits: the same
 * verifier the CLI's `check --token` builds. jwks_uri issuers are fetched over HTTPS; a failed
 * first fetch leaves that issuer without keys until a refresh succeeds.
 * FAILED_PRECONDITION when no issuer is configured; INVALID_ARGUMENT or NOT_FOUND naming the
 * issuer for a key set that does not load. */
CLEARANCE_C_EXPORT clearance_status clearance_verifier_create_for_store(clearance_store* store,
                                                                        clearance_verifier** out);
/* [exclusive] NULL is a no-op. */
CLEARANCE_C_EXPORT void clearance_verifier_free(clearance_verifier* verifier);
/* The value of clearance_verifier_set_time that returns a verifier to the wall clock. */
#define CLEARANCE_SYSTEM_TIME INT64_MIN
/* [any] Fixes the verifier's "now" (exp, nbf, iat and cache expiry) at `unix_seconds`, for tests
 * that replay tokens minted at a known time; CLEARANCE_SYSTEM_TIME returns it to the wall clock
 * (the default). Tokens already cached stay cached until their exp under the new time. */
CLEARANCE_C_EXPORT clearance_status clearance_verifier_set_time(clearance_verifier* verifier,
                                                                int64_t unix_seconds);
/* [any] Verifies a bearer token and checks its claims. A refused token is a decision
 * (UNAUTHENTICATED, TOKEN_REFUSED) and *token_error (may be NULL) holds the
 * clearance::TokenError number (0 when the token verified). */
CLEARANCE_C_EXPORT clearance_status clearance_check_token(clearance_store* store,
                                                          const clearance_verifier* verifier,
                                                          const char* token, size_t len,
                                                          const clearance_check_request* request,
                                                          clearance_decision* out,
                                                          int32_t* token_error);

/* [any] Verify-only: who a bearer token authenticates, with the store's claim rules (username,
 * client id and groups claims, prefer-username), as one JSON object written into buf
 * (NUL-terminated):
 *   {"authenticated":true,"principal":{"type":"USER"|"CLIENT","id":str},"groups":[str]|null,
 *    "issuer":str,"exp":n|null,"claims":{...the verified payload as signed...}}
 *   {"authenticated":false,"reason":"expired"|...|"no_principal"|"claim_wrong_type"|
 *    "malformed_claims","message":str}
 * groups is null when no groups claim is configured. A refused token is an answer (OK), not an
 * error. *needed and OUT_OF_RANGE as for clearance_explain_claims. */
CLEARANCE_C_EXPORT clearance_status clearance_authenticate(clearance_store* store,
                                                           const clearance_verifier* verifier,
                                                           const char* token, size_t len,
                                                           char* buf, size_t capacity,
                                                           size_t* needed);

/* ---- Explanations ------------------------------------------------------------------------- */

/* [any] The explanation of a check as one JSON object written into buf (NUL-terminated):
 *   {"decision":"ALLOW","reason":"GRANTED","message":str,"principal":{"type":..,"id":..}|null,
 *    "matching_rules":[str],"grants":[{"chain":[{"type":..,"id":..}],"authorization_key":n}],
 *    "generation":n}
 * *needed (may be NULL) is always set to the bytes required including the NUL; when capacity is
 * smaller, OUT_OF_RANGE and buf is untouched: call again with a larger buffer. */
CLEARANCE_C_EXPORT clearance_status clearance_explain_claims(
    clearance_store* store, const char* claims_json, size_t len,
    const clearance_check_request* request, char* buf, size_t capacity, size_t* needed);
CLEARANCE_C_EXPORT clearance_status clearance_explain_principal(
    clearance_store* store, const clearance_principal* principal,
    const clearance_check_request* request, char* buf, size_t capacity, size_t* needed);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* CLEARANCE_C_H_ */
