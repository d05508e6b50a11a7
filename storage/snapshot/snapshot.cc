#include "clearance/snapshot.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "clearance/bulk_loader.h"
#include "clearance/commands.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "snapshot/record_codec.h"

namespace clearance {
namespace {

using snapshot_internal::Record;
using snapshot_internal::Trailer;
using strings_internal::StrCat;

// Incremental SHA-256 over everything before the trailer line (OpenSSL EVP).
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }
  std::string HexDigest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out.push_back(kHex[md[i] >> 4]);
      out.push_back(kHex[md[i] & 15]);
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

void Tally(const Row& row, SnapshotCounts* counts) {
  uint64_t* slots[] = {&counts->users,         &counts->groups,        &counts->roles,
                       &counts->tenants,       &counts->mapping_rules, &counts->memberships,
                       &counts->authorizations};
  ++*slots[row.index()];
}

std::string FormatCounts(const SnapshotCounts& c) {
  return StrCat(c.tenants, " tenants, ", c.groups, " groups, ", c.roles, " roles, ",
                c.mapping_rules, " mapping rules, ", c.users, " users, ", c.memberships,
                " memberships, ", c.authorizations, " authorizations");
}

}  // namespace

std::string RowToJson(const Row& row) { return snapshot_internal::EncodeRow(row); }

std::string ConfigurationToJson(const Configuration& configuration) {
  return snapshot_internal::EncodeConfiguration(configuration);
}

SnapshotCounts CountsOf(const IdentityState& state) {
  SnapshotCounts c;
  c.tenants = state.tenants().size();
  c.groups = state.groups().size();
  c.roles = state.roles().size();
  c.mapping_rules = state.mapping_rules().size();
  c.users = state.users().size();
  c.memberships = state.memberships().size();
  c.authorizations = state.authorizations().size();
  return c;
}

// ---- writing -----------------------------------------------------------------------------

struct SnapshotWriter::Digest {
  Sha256 sha;
};

SnapshotWriter::SnapshotWriter(std::ostream* out) : out_(out), digest_(new Digest) {}
SnapshotWriter::~SnapshotWriter() = default;

void SnapshotWriter::Emit(const std::string& line) {
  digest_->sha.Update(line);
  digest_->sha.Update("\n");
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->put('\n');
}

void SnapshotWriter::WriteHeader(const SnapshotHeader& header) {
  Emit(snapshot_internal::EncodeHeader(header));
}

void SnapshotWriter::WriteRow(const Row& row) {
  Emit(snapshot_internal::EncodeRow(row));
  ++rows_;
}

absl::Status SnapshotWriter::Finish() {
  std::string trailer = snapshot_internal::EncodeTrailer({rows_, digest_->sha.HexDigest()});
  out_->write(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  out_->put('\n');
  out_->flush();
  if (!*out_) return absl::UnavailableError("snapshot: writing the output failed");
  return absl::OkStatus();
}

absl::Status ExportSnapshot(const IdentityState& state, std::optional<uint64_t> applied_position,
                            std::ostream* out, const SnapshotProgress& progress) {
  SnapshotWriter w(out);
  const SnapshotCounts counts = CountsOf(state);
  w.WriteHeader({applied_position, state.next_authorization_key(), state.config(), counts});
  uint64_t done = 0;
  auto write = [&](const Row& row) {
    w.WriteRow(row);
    if (progress && ++done % kProgressEvery == 0) progress(done, counts.total());
  };
  for (const auto& [id, t] : state.tenants()) write(t);
  for (const auto& [id, g] : state.groups()) write(g);
  for (const auto& [id, r] : state.roles()) write(r);
  for (const auto& [id, m] : state.mapping_rules()) write(m);
  for (const auto& [id, u] : state.users()) write(u);
  for (const Membership& m : state.memberships()) write(m);
  for (const auto& [key, a] : state.authorizations()) write(a);
  if (progress) progress(counts.total(), counts.total());
  return w.Finish();
}

namespace {

using HeaderFn = std::function<absl::Status(const Store::ScanHeader&)>;
using RowFn = std::function<absl::Status(const Row&)>;

// Streams one consistent scan (either Store::ScanConsistent) into a snapshot.
absl::Status ExportScan(const std::function<absl::Status(const HeaderFn&, const RowFn&)>& scan,
                        std::ostream* out, const SnapshotProgress& progress) {
  SnapshotWriter w(out);
  uint64_t total = 0;
  uint64_t done = 0;
  absl::Status scanned = scan(
      [&](const Store::ScanHeader& h) {
        SnapshotCounts c;
        c.users = h.rows_by_kind[0];
        c.groups = h.rows_by_kind[1];
        c.roles = h.rows_by_kind[2];
        c.tenants = h.rows_by_kind[3];
        c.mapping_rules = h.rows_by_kind[4];
        c.memberships = h.rows_by_kind[5];
        c.authorizations = h.rows_by_kind[6];
        total = c.total();
        w.WriteHeader({h.applied_position, h.next_authorization_key, h.configuration, c});
        return absl::OkStatus();
      },
      [&](const Row& row) {
        w.WriteRow(row);
        if (progress && ++done % kProgressEvery == 0) progress(done, total);
        // A failed stream stops the scan early instead of reading the rest for nothing.
        if (!*out) return absl::UnavailableError("snapshot: writing the output failed");
        return absl::OkStatus();
      });
  if (!scanned.ok()) return scanned;
  if (progress) progress(total, total);
  return w.Finish();
}

}  // namespace

absl::Status ExportSnapshot(const Store& store, std::ostream* out,
                            const SnapshotProgress& progress) {
  return ExportScan(
      [&](const HeaderFn& header, const RowFn& row) { return store.ScanConsistent(header, row); },
      out, progress);
}

absl::Status ExportSnapshot(const std::string& store_path, const StoreOptions& options,
                            std::ostream* out, const SnapshotProgress& progress) {
  return ExportScan(
      [&](const HeaderFn& header, const RowFn& row) {
        return Store::ScanConsistent(
            store_path, options,
            [&](const Store::ScanHeader& h) {
              if (!h.initialized) {
                return absl::FailedPreconditionError(
                    StrCat("the store at ", store_path,
                           " is not initialized; a snapshot holds an initialized state"));
              }
              return header(h);
            },
            row);
      },
      out, progress);
}

// ---- reading -----------------------------------------------------------------------------

struct SnapshotReader::Impl {
  Impl(std::istream* input, SnapshotReadOptions read_options)
      : in(input), options(std::move(read_options)) {}

  std::istream* in;
  SnapshotReadOptions options;
  snapshot_internal::RecordDecoder decoder;
  Sha256 sha;
  SnapshotCounts expected;
  SnapshotCounts seen;
  std::optional<Row> previous;
  bool header_read = false;
  bool done = false;
  std::string buffer;     // one line's bytes, reused
  std::string_view line;  // the current line, in buffer
};

SnapshotReader::SnapshotReader(std::istream* in, SnapshotReadOptions options)
    : impl_(new Impl(in, std::move(options))) {}
SnapshotReader::~SnapshotReader() = default;

namespace {

absl::Status AtLine(uint64_t line, const absl::Status& s) {
  return absl::Status(s.code(), StrCat("line ", line, ": ", s.message()));
}

absl::Status LineTooLong(uint64_t line_no, const SnapshotReadOptions& options) {
  return absl::InvalidArgumentError(StrCat("line ", line_no, ": longer than ",
                                           options.max_line_bytes,
                                           " bytes, the longest line accepted; expected one "
                                           "record per line, or raise the limit with ",
                                           options.max_line_bytes_name));
}

// Reads one '\n'-terminated line into `buffer` (reused) and points `line` at it. False at end of
// input; an error for an overlong or unterminated line. The buffer starts small and grows with
// the longest line seen, up to the limit, so a raised limit costs memory only when a line needs
// it. istream::getline scans the stream's buffer in bulk; reading char by char with get() cost a
// fifth of an import.
absl::StatusOr<bool> ReadLine(std::istream* in, const SnapshotReadOptions& options,
                              std::string* buffer, std::string_view* line, uint64_t line_no) {
  constexpr size_t kInitialBytes = 64 << 10;
  // Room for the longest line, one byte more (to see that a line is longer) and getline's NUL.
  const size_t most = std::min(options.max_line_bytes, SIZE_MAX - 2) + 2;
  if (buffer->size() < std::min(kInitialBytes, most)) buffer->resize(std::min(kInitialBytes, most));
  size_t filled = 0;
  while (true) {
    in->getline(buffer->data() + filled, static_cast<std::streamsize>(buffer->size() - filled));
    const auto got = static_cast<size_t>(in->gcount());
    if (in->bad()) {
      return absl::UnavailableError(StrCat("line ", line_no, ": reading the snapshot failed"));
    }
    if (in->fail() && !in->eof()) {  // filled the buffer without meeting a newline
      filled += got;
      if (buffer->size() >= most) return LineTooLong(line_no, options);
      in->clear();
      buffer->resize(buffer->size() > most / 2 ? most : buffer->size() * 2);
      continue;
    }
    if (in->eof()) {  // no newline: either the end, or a last line cut short
      if (filled + got > 0) {
        return absl::InvalidArgumentError(
            StrCat("line ", line_no, ": ends without a newline; the snapshot is truncated"));
      }
      return false;
    }
    // got counts the newline, which getline() does not store.
    const size_t length = filled + got - 1;
    if (length > options.max_line_bytes) return LineTooLong(line_no, options);
    *line = std::string_view(buffer->data(), length);
    return true;
  }
}

}  // namespace

absl::StatusOr<SnapshotHeader> SnapshotReader::ReadHeader() {
  Impl& s = *impl_;
  if (s.header_read) return absl::FailedPreconditionError("snapshot: header already read");
  ++line_;
  CLEARANCE_ASSIGN_OR_RETURN(const bool got, ReadLine(s.in, s.options, &s.buffer, &s.line, line_));
  if (!got) {
    return absl::InvalidArgumentError("line 1: the snapshot is empty; expected a header record");
  }
  absl::StatusOr<Record> record = s.decoder.Decode(s.line);
  if (!record.ok()) return AtLine(line_, record.status());
  const auto* header = std::get_if<SnapshotHeader>(&*record);
  if (!header) {
    return absl::InvalidArgumentError(
        StrCat("line ", line_, ": the first record is not a header; expected type 'header'"));
  }
  s.sha.Update(s.line);
  s.sha.Update("\n");
  s.expected = header->counts;
  s.header_read = true;
  return *header;
}

absl::StatusOr<std::optional<Row>> SnapshotReader::Next() {
  Impl& s = *impl_;
  if (!s.header_read) return absl::FailedPreconditionError("snapshot: read the header first");
  if (s.done) return std::optional<Row>();
  ++line_;
  CLEARANCE_ASSIGN_OR_RETURN(const bool got, ReadLine(s.in, s.options, &s.buffer, &s.line, line_));
  if (!got) {
    return absl::InvalidArgumentError(
        StrCat("line ", line_, ": the snapshot ends without a trailer; the file is truncated"));
  }
  absl::StatusOr<Record> record = s.decoder.Decode(s.line);
  if (!record.ok()) return AtLine(line_, record.status());

  if (const auto* trailer = std::get_if<Trailer>(&*record)) {
    if (!(s.seen == s.expected)) {
      return absl::InvalidArgumentError(StrCat(
          "line ", line_, ": trailer: the header announced ", FormatCounts(s.expected),
          " but the snapshot holds ", FormatCounts(s.seen), "; records are missing or extra"));
    }
    if (trailer->records != s.seen.total()) {
      return absl::InvalidArgumentError(StrCat("line ", line_, ": trailer: field 'records' is ",
                                               trailer->records, "; expected ", s.seen.total()));
    }
    if (trailer->sha256_hex != s.sha.HexDigest()) {
      return absl::DataLossError(
          StrCat("line ", line_,
                 ": trailer: field 'sha256' does not match the records; the snapshot "
                 "was altered or damaged"));
    }
    // Nothing may follow the trailer.
    if (s.in->peek() != std::char_traits<char>::eof()) {
      return absl::InvalidArgumentError(
          StrCat("line ", line_ + 1, ": content after the trailer; expected end of input"));
    }
    s.done = true;
    return std::optional<Row>();
  }
  if (std::holds_alternative<SnapshotHeader>(*record)) {
    return absl::InvalidArgumentError(
        StrCat("line ", line_, ": a second header; expected rows or the trailer"));
  }
  Row row = std::get<Row>(*std::move(record));
  if (s.previous && !snapshot_internal::CanonicallyBefore(*s.previous, row)) {
    return absl::InvalidArgumentError(
        StrCat("line ", line_, ": ", snapshot_internal::KindName(row),
               ": out of canonical order or a duplicate of the record before it; expected "
               "tenants, groups, roles, mapping rules, users, memberships, authorizations, each "
               "sorted by id (authorizations by key) with no repeats"));
  }
  s.sha.Update(s.line);
  s.sha.Update("\n");
  Tally(row, &s.seen);
  s.previous = row;
  return std::optional<Row>(std::move(row));
}

absl::StatusOr<ImportedSnapshot> ImportSnapshot(std::istream* in,
                                                const SnapshotProgress& progress,
                                                const SnapshotReadOptions& read_options) {
  SnapshotReader reader(in, read_options);
  CLEARANCE_ASSIGN_OR_RETURN(const SnapshotHeader header, reader.ReadHeader());
  ImportedSnapshot result;
  result.applied_position = header.applied_position;
  IdentityState& state = result.state;
  absl::StatusOr<ChangeSet> configured = Plan(state, Configure{header.configuration});
  if (!configured.ok()) return AtLine(1, configured.status());
  state.Apply(*configured);
  const uint64_t total = header.counts.total();
  uint64_t done = 0;
  while (true) {
    CLEARANCE_ASSIGN_OR_RETURN(const std::optional<Row> row, reader.Next());
    if (!row) break;
    absl::StatusOr<ChangeSet> cs = PlanRestore(state, *row);
    if (!cs.ok()) {
      return absl::Status(cs.status().code(),
                          StrCat("line ", reader.line(), ": ", snapshot_internal::KindName(*row),
                                 ": ", cs.status().message()));
    }
    state.Apply(*cs);
    if (progress && ++done % kProgressEvery == 0) progress(done, total);
  }
  if (progress) progress(total, total);
  if (header.next_authorization_key < state.next_authorization_key()) {
    return absl::InvalidArgumentError(
        StrCat("line 1: header: field 'next_authorization_key' is ", header.next_authorization_key,
               "; expected more than every authorization key (at least ",
               state.next_authorization_key(), ")"));
  }
  ChangeSet finish;
  finish.next_authorization_key = header.next_authorization_key;
  finish.initializes = true;
  state.Apply(finish);
  return result;
}

namespace {

// Applies to `skeleton` what the cross-record rules of PlanRestore() consult, and nothing else:
// entities without their descriptive fields (a username, a group id), mapping rules with their
// claims (claim pairs are unique). Memberships and authorizations are validated against it but
// never kept: no restore rule looks at another membership or authorization, and the reader's
// canonical-order check already refuses a repeated one.
void ApplySkeletal(ChangeSet changes, IdentityState* skeleton) {
  std::vector<RowChange> kept;
  for (RowChange& c : changes.changes) {
    if (auto* u = std::get_if<User>(&c.row)) {
      *u = User{std::move(u->username), "", "", ""};
    } else if (auto* g = std::get_if<Group>(&c.row)) {
      *g = Group{std::move(g->id), "", ""};
    } else if (auto* r = std::get_if<Role>(&c.row)) {
      *r = Role{std::move(r->id), "", ""};
    } else if (auto* t = std::get_if<Tenant>(&c.row)) {
      *t = Tenant{std::move(t->id), "", ""};
    } else if (auto* m = std::get_if<MappingRule>(&c.row)) {
      m->name.clear();
    } else {
      continue;
    }
    kept.push_back(std::move(c));
  }
  changes.changes = std::move(kept);
  changes.next_authorization_key.reset();
  skeleton->Apply(changes);
}

}  // namespace

absl::StatusOr<StoreImport> ImportSnapshotToStore(std::istream* in, const std::string& path,
                                                  const StoreOptions& options,
                                                  const SnapshotProgress& progress,
                                                  BulkLoaderOptions loader_options,
                                                  const SnapshotReadOptions& read_options) {
  SnapshotReader reader(in, read_options);
  CLEARANCE_ASSIGN_OR_RETURN(const SnapshotHeader header, reader.ReadHeader());
  IdentityState skeleton;
  absl::StatusOr<ChangeSet> configured = Plan(skeleton, Configure{header.configuration});
  if (!configured.ok()) return AtLine(1, configured.status());
  skeleton.Apply(*configured);
  // Created only once the header is known good; destroyed unfinished (every early return below)
  // it removes what it wrote.
  CLEARANCE_ASSIGN_OR_RETURN(const std::unique_ptr<BulkLoader> loader,
                             BulkLoader::Create(path, options, loader_options));
  const uint64_t total = header.counts.total();
  uint64_t done = 0;
  AuthorizationKey max_key = 0;
  while (true) {
    CLEARANCE_ASSIGN_OR_RETURN(const std::optional<Row> row, reader.Next());
    if (!row) break;
    absl::StatusOr<ChangeSet> cs = PlanRestore(skeleton, *row);
    if (!cs.ok()) {
      return absl::Status(cs.status().code(),
                          StrCat("line ", reader.line(), ": ", snapshot_internal::KindName(*row),
                                 ": ", cs.status().message()));
    }
    if (const auto* a = std::get_if<Authorization>(&*row)) {
      max_key = std::max(max_key, a->key);
    } else {
      ApplySkeletal(*std::move(cs), &skeleton);
    }
    CLEARANCE_RETURN_IF_ERROR(loader->Add(*row));
    if (progress && ++done % kProgressEvery == 0) progress(done, total);
  }
  if (header.next_authorization_key <= max_key) {
    return absl::InvalidArgumentError(
        StrCat("line 1: header: field 'next_authorization_key' is ", header.next_authorization_key,
               "; expected more than every authorization key (at least ", max_key + 1, ")"));
  }
  CLEARANCE_RETURN_IF_ERROR(loader->Finish(
      {header.applied_position, header.next_authorization_key, header.configuration,
       /*initialized=*/true}));
  if (progress) progress(total, total);
  return StoreImport{header.counts, header.applied_position};
}

}  // namespace clearance
