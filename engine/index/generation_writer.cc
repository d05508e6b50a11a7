#include "index/generation_writer.h"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <variant>

#include "clearance/internal/strings.h"

namespace clearance::index_internal {
namespace {

void InsertSorted(IdList& v, uint32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}
void EraseSorted(IdList& v, uint32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it != v.end() && *it == x) v.erase(it);
}

// Paths with the same steps read the same values: they share one slot.
std::string StepKey(const ClaimPath& path) {
  std::string key;
  for (const ClaimPath::Step& step : path.steps()) {
    switch (step.kind) {
      case ClaimPath::Step::Kind::kMember:
        strings_internal::StrAppend(&key, "m", step.member.size(), ":", step.member);
        break;
      case ClaimPath::Step::Kind::kIndex:
        strings_internal::StrAppend(&key, "i", step.index, ";");
        break;
      case ClaimPath::Step::Kind::kWildcard:
        key += "*";
        break;
    }
  }
  return key;
}

uint32_t PropertyIndex(std::string_view name) {
  if (name == kPropertyAssignee) return static_cast<uint32_t>(Property::kAssignee);
  if (name == kPropertyCandidateUsers) return static_cast<uint32_t>(Property::kCandidateUsers);
  return static_cast<uint32_t>(Property::kCandidateGroups);
}

}  // namespace

std::shared_ptr<const Generation> GenerationWriter::Empty(std::shared_ptr<StringPool> pool,
                                                          int shard_bits, size_t summary_min) {
  auto g = std::make_shared<Generation>(shard_bits);
  g->pool = std::move(pool);
  g->strings = g->pool->index();
  g->summary_min = summary_min;
  g->paths = std::make_shared<PathRegistry>();
  GenerationWriter w(*g);
  w.next_->number = 0;
  w.SetConfiguration(Configuration());
  auto empty = std::const_pointer_cast<Generation>(w.Finish());
  empty->config_number = 0;
  return empty;
}

GenerationWriter::GenerationWriter(const Generation& base)
    : next_(std::make_shared<Generation>(base)), stamp_(base.number + 1) {
  next_->number = stamp_;
}

void GenerationWriter::BeginBulk(size_t nodes_hint, size_t authorizations_hint) {
  bulk_ = true;
  bulk_nodes_.reserve(nodes_hint);
  bulk_owners_.reserve(authorizations_hint);
}

uint32_t GenerationWriter::Intern(std::string_view s) {
  StringPool& pool = *next_->pool;
  const uint32_t sid = pool.Intern(s);
  // The pool's index is replaced when it grows: this generation is published with the new one.
  if (next_->strings.get() != pool.index().get()) next_->strings = pool.index();
  return sid;
}

const Node* GenerationWriter::FindWritten(EntityKey key) const {
  if (!bulk_) return next_->FindNode(key);
  auto it = bulk_nodes_.find(key);
  return it == bulk_nodes_.end() ? nullptr : it->second.get();
}

Node& GenerationWriter::MutableNode(EntityKey key) {
  if (bulk_) {
    std::shared_ptr<Node>& slot = bulk_nodes_[key];
    if (!slot) {
      slot = std::make_shared<Node>();
      slot->stamp = stamp_;
    }
    slot->changed_at = stamp_;
    return *slot;
  }
  std::shared_ptr<Node>& slot = next_->nodes.GetOrCreate(key, stamp_);
  if (!slot) {
    slot = std::make_shared<Node>();
  } else if (slot->stamp != stamp_) {
    slot = std::make_shared<Node>(*slot);
  }
  if (slot->stamp != stamp_) touched_.push_back(key);
  slot->stamp = stamp_;
  slot->changed_at = stamp_;
  return *slot;
}

PathRegistry& GenerationWriter::MutablePaths() {
  if (!paths_) {
    paths_ = std::make_shared<PathRegistry>(*next_->paths);
    next_->paths = paths_;
  }
  return *paths_;
}

int GenerationWriter::SlotFor(const ClaimPath& path) {
  std::string key = StepKey(path);
  if (auto it = next_->paths->by_steps.find(key); it != next_->paths->by_steps.end()) {
    return it->second;
  }
  PathRegistry& paths = MutablePaths();
  const int slot = static_cast<int>(paths.slots.size());
  paths.slots.push_back({path, path.multi_valued(), 0});
  paths.by_steps.emplace(std::move(key), slot);
  return slot;
}

void GenerationWriter::SetConfiguration(const Configuration& config) {
  next_->config = config;
  next_->config_number = stamp_;
  auto slot_of = [this](const std::string& claim) {
    absl::StatusOr<ClaimPath> path = ClaimPath::Compile(claim);
    return path.ok() ? SlotFor(*path) : -1;
  };
  auto optional_slot_of = [&](std::string_view claim) {
    return claim.empty() ? -1 : slot_of(std::string(claim));
  };
  const ClaimMapping global = config.MappingFor({});
  const int username = slot_of(config.username_claim);
  const int client = optional_slot_of(global.client_id_claim);
  const int groups = optional_slot_of(global.groups_claim);
  std::vector<PathRegistry::IssuerSlots> issuer_slots;
  int iss = -1;
  if (config.mode == AuthMode::kOidc && config.has_issuer_mappings()) {
    iss = slot_of("iss");
    for (const TokenIssuerConfig& t : config.token_issuers) {
      const ClaimMapping m = config.MappingFor(t.issuer);
      if (m.issuer_index < 0) continue;
      issuer_slots.push_back({t.issuer, m.issuer_index, optional_slot_of(m.username_claim),
                              optional_slot_of(m.client_id_claim),
                              optional_slot_of(m.groups_claim), m.prefer_username_claim});
    }
  }
  PathRegistry& paths = MutablePaths();
  paths.username_slot = username;
  paths.client_slot = client;
  paths.groups_slot = groups;
  paths.issuer_slots = std::move(issuer_slots);
  paths.iss_slot = iss;
}

void GenerationWriter::PutRule(const MappingRule& rule) {
  const uint32_t sid = Intern(rule.id);
  if (next_->rules.Find(sid)) DeleteRule(rule.id);
  ClaimPath path = rule.path;
  if (path.source().empty()) {
    absl::StatusOr<ClaimPath> compiled = ClaimPath::Compile(rule.claim_name);
    if (!compiled.ok()) return;  // never planned: Plan() refuses such a rule
    path = *std::move(compiled);
  }
  const int slot = SlotFor(path);
  PathRegistry& paths = MutablePaths();
  if (paths.slots[slot].rule_refs++ == 0) paths_->slots[slot].path = path;
  const uint32_t value = Intern(rule.claim_value);
  RuleValue& rv = next_->rule_values.GetOrCreate(next_->Str(value), stamp_);
  rv.sid = value;
  ++rv.rules;
  RuleList& list = next_->claim_index.GetOrCreate(ClaimIndexKey(slot, value), stamp_);
  if (std::find(list.begin(), list.end(), sid) == list.end()) list.push_back(sid);
  next_->rules.GetOrCreate(sid, stamp_) = RuleInfo{slot, value};
}

void GenerationWriter::DeleteRule(const std::string& id) {
  const uint32_t sid = Intern(id);
  const RuleInfo* found = next_->rules.Find(sid);
  if (!found) return;
  const RuleInfo info = *found;
  const uint64_t key = ClaimIndexKey(info.slot, info.value);
  if (RuleList* list = next_->claim_index.FindMutable(key, stamp_)) {
    list->erase(std::remove(list->begin(), list->end(), sid), list->end());
    if (list->empty()) next_->claim_index.Erase(key, stamp_);
  }
  const std::string_view value = next_->Str(info.value);
  if (RuleValue* rv = next_->rule_values.FindMutable(value, stamp_); rv && --rv->rules == 0) {
    next_->rule_values.Erase(value, stamp_);
  }
  MutablePaths().slots[info.slot].rule_refs--;
  next_->rules.Erase(sid, stamp_);
}

void GenerationWriter::PutMembership(const Membership& m) {
  const EntityKey member = Key(m.member_type, Intern(m.member_id));
  const uint32_t container = Intern(m.container_id);
  Node& node = MutableNode(member);
  switch (m.container_type) {
    case ContainerType::kGroup:
      InsertSorted(node.groups, container);
      break;
    case ContainerType::kRole: {
      InsertSorted(node.roles, container);
      Node& role = MutableNode(Key(Kind::kRole, container));
      auto it = std::lower_bound(role.members.begin(), role.members.end(), member);
      if (it == role.members.end() || *it != member) role.members.insert(it, member);
      break;
    }
    case ContainerType::kTenant:
      InsertSorted(node.direct_tenants, container);
      break;
  }
  if (!bulk_) dirty_.insert(member);  // a bulk build recomputes every node at Finish()
}

void GenerationWriter::DeleteMembership(const Membership& m) {
  const EntityKey member = Key(m.member_type, Intern(m.member_id));
  const uint32_t container = Intern(m.container_id);
  Node& node = MutableNode(member);
  switch (m.container_type) {
    case ContainerType::kGroup:
      EraseSorted(node.groups, container);
      break;
    case ContainerType::kRole: {
      EraseSorted(node.roles, container);
      Node& role = MutableNode(Key(Kind::kRole, container));
      auto it = std::lower_bound(role.members.begin(), role.members.end(), member);
      if (it != role.members.end() && *it == member) role.members.erase(it);
      break;
    }
    case ContainerType::kTenant:
      EraseSorted(node.direct_tenants, container);
      break;
  }
  dirty_.insert(member);
}

void GenerationWriter::PutAuthorization(const Authorization& a) {
  if (!bulk_) DeleteAuthorization(a.key);  // in bulk every key is new
  const EntityKey owner = Key(a.owner_type, Intern(a.owner_id));
  Grant grant{a.key, 0, Grant::kWide, a.resource_type, a.scope.matcher};
  if (std::optional<uint16_t> packed = PackPermissions(a.resource_type, a.permissions)) {
    grant.packed = *packed;
  } else {
    next_->wide_permissions.GetOrCreate(a.key, stamp_) = a.permissions;
  }
  if (a.scope.matcher == Matcher::kId) grant.value = Intern(a.scope.value);
  if (a.scope.matcher == Matcher::kProperty) grant.value = PropertyIndex(a.scope.value);
  std::vector<Grant>& grants = MutableNode(owner).grants;
  if (bulk_) {
    grants.push_back(grant);  // FinishBulk sorts and summarizes each node once
    bulk_owners_.emplace_back(a.key, owner);
  } else {
    grants.insert(std::upper_bound(grants.begin(), grants.end(), grant, GrantLess), grant);
    regranted_.push_back(owner);
    next_->auth_owner.Put(a.key, owner, stamp_);
  }
}

void GenerationWriter::DeleteAuthorization(AuthorizationKey key) {
  const std::optional<EntityKey> found = next_->auth_owner.Find(key);
  if (!found) return;
  std::vector<Grant>& grants = MutableNode(*found).grants;
  grants.erase(
      std::remove_if(grants.begin(), grants.end(), [key](const Grant& g) { return g.key == key; }),
      grants.end());
  regranted_.push_back(*found);
  next_->auth_owner.Erase(key, stamp_);
  next_->wide_permissions.Erase(key, stamp_);
}

void GenerationWriter::Put(const Row& row) {
  std::visit(
      [this](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, User>) {
          MutableNode(Key(Kind::kUser, Intern(r.username))).is_user = true;
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          PutRule(r);
        } else if constexpr (std::is_same_v<T, Membership>) {
          PutMembership(r);
        } else if constexpr (std::is_same_v<T, Authorization>) {
          PutAuthorization(r);
        }
        // Groups, roles and tenants as entities do not change any decision: what matters are
        // their memberships and authorizations, which their deletion cascades explicitly.
      },
      row);
}

void GenerationWriter::Delete(const Row& row) {
  std::visit(
      [this](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, User>) {
          MutableNode(Key(Kind::kUser, Intern(r.username))).is_user = false;
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          DeleteRule(r.id);
        } else if constexpr (std::is_same_v<T, Membership>) {
          DeleteMembership(r);
        } else if constexpr (std::is_same_v<T, Authorization>) {
          DeleteAuthorization(r.key);
        }
      },
      row);
}

void GenerationWriter::Apply(const ChangeSet& changes) {
  for (const RowChange& c : changes.changes) {
    if (c.op == RowChange::Op::kPut) {
      Put(c.row);
    } else {
      Delete(c.row);
    }
  }
  if (changes.next_authorization_key) SetNextAuthorizationKey(*changes.next_authorization_key);
  if (changes.configuration) SetConfiguration(*changes.configuration);
  if (changes.initializes) SetInitialized();
}

void GenerationWriter::RebuildTrie() {
  auto trie = std::make_shared<ClaimTrie>();
  const PathRegistry& paths = *next_->paths;
  for (size_t slot = 0; slot < paths.slots.size(); ++slot) {
    const int s = static_cast<int>(slot);
    bool principal = s == paths.username_slot || s == paths.client_slot ||
                     s == paths.groups_slot || s == paths.iss_slot;
    for (const PathRegistry::IssuerSlots& i : paths.issuer_slots) {
      principal |= s == i.username_slot || s == i.client_slot || s == i.groups_slot;
    }
    if (paths.slots[slot].rule_refs > 0 || principal) {
      trie->Add(paths.slots[slot].path, s);
    }
  }
  paths_->trie = std::move(trie);
}

void GenerationWriter::Summarize(Node& node) const {
  if (node.grants.size() <= next_->summary_min) {
    node.summary.reset();
    node.summary_size = 0;
    return;
  }
  // Grants are sorted by GrantLess: each type's ANY and PROPERTY grants, then its ID run.
  absl::InlinedVector<TypeSummary, 8> types;
  for (uint32_t i = 0; i < node.grants.size(); ++i) {
    const Grant& grant = node.grants[i];
    if (types.empty() || types.back().type != grant.resource_type) {
      types.emplace_back();
      types.back().type = grant.resource_type;
    }
    TypeSummary& t = types.back();
    switch (grant.matcher) {
      case Matcher::kAny:
        t.any |= GrantPermissions(*next_, grant);
        break;
      case Matcher::kProperty:
        t.property[grant.value] |= GrantPermissions(*next_, grant);
        break;
      case Matcher::kId:
        if (t.id_end == t.id_begin) t.id_begin = i;
        t.id_end = i + 1;
        break;
    }
  }
  auto summary = std::make_shared<TypeSummary[]>(types.size());
  std::copy(types.begin(), types.end(), summary.get());
  node.summary = std::move(summary);
  node.summary_size = static_cast<uint8_t>(types.size());
}

void GenerationWriter::FinishBulk() {
  IdList tenants;
  std::vector<std::pair<EntityKey, std::shared_ptr<Node>>> nodes;
  nodes.reserve(bulk_nodes_.size());
  for (auto& [key, node] : bulk_nodes_) {
    if (node->empty()) continue;
    // Flattened tenants: direct ones and those of the direct roles (generation.h).
    if (!node->roles.empty()) {
      tenants = node->direct_tenants;
      for (uint32_t r : node->roles) {
        if (const Node* role = FindWritten(Key(Kind::kRole, r))) {
          tenants.insert(tenants.end(), role->direct_tenants.begin(), role->direct_tenants.end());
        }
      }
      std::sort(tenants.begin(), tenants.end());
      tenants.erase(std::unique(tenants.begin(), tenants.end()), tenants.end());
      node->tenants = tenants;
    } else {
      node->tenants = node->direct_tenants;
    }
    node->groups.shrink_to_fit();
    node->roles.shrink_to_fit();
    node->direct_tenants.shrink_to_fit();
    node->tenants.shrink_to_fit();
    node->members.shrink_to_fit();
    std::sort(node->grants.begin(), node->grants.end(), GrantLess);
    node->grants.shrink_to_fit();
    Summarize(*node);
    nodes.emplace_back(key, node);
  }
  bulk_nodes_.clear();
  next_->nodes.BulkInsert(std::move(nodes), stamp_);
  next_->auth_owner.BulkInsert(std::move(bulk_owners_), stamp_);
  bulk_owners_.clear();
  bulk_ = false;
}

std::shared_ptr<const Generation> GenerationWriter::Finish(bool compact) {
  if (bulk_) FinishBulk();
  // A role's tenants reach its direct members' flattened tenants.
  std::vector<EntityKey> recompute(dirty_.begin(), dirty_.end());
  for (EntityKey key : dirty_) {
    if (KindOf(key) != Kind::kRole) continue;
    if (const Node* role = next_->FindNode(key)) {
      recompute.insert(recompute.end(), role->members.begin(), role->members.end());
    }
  }
  std::sort(recompute.begin(), recompute.end());
  recompute.erase(std::unique(recompute.begin(), recompute.end()), recompute.end());
  IdList tenants;
  for (EntityKey key : recompute) {
    const Node* node = next_->FindNode(key);
    if (!node) continue;
    tenants = node->direct_tenants;
    for (uint32_t r : node->roles) {
      if (const Node* role = next_->FindNode(Key(Kind::kRole, r))) {
        tenants.insert(tenants.end(), role->direct_tenants.begin(), role->direct_tenants.end());
      }
    }
    std::sort(tenants.begin(), tenants.end());
    tenants.erase(std::unique(tenants.begin(), tenants.end()), tenants.end());
    if (tenants != node->tenants) MutableNode(key).tenants = tenants;
  }
  std::sort(regranted_.begin(), regranted_.end());
  regranted_.erase(std::unique(regranted_.begin(), regranted_.end()), regranted_.end());
  for (EntityKey key : regranted_) {
    if (next_->FindNode(key)) Summarize(MutableNode(key));
  }
  for (EntityKey key : touched_) {
    const Node* node = next_->FindNode(key);
    if (node && node->empty()) {
      next_->nodes.Erase(key, stamp_);
    } else if (node && compact) {
      Node& n = MutableNode(key);
      n.groups.shrink_to_fit();
      n.roles.shrink_to_fit();
      n.direct_tenants.shrink_to_fit();
      n.tenants.shrink_to_fit();
      n.members.shrink_to_fit();
      n.grants.shrink_to_fit();
    }
  }
  if (paths_) RebuildTrie();
  touched_.clear();
  regranted_.clear();
  dirty_.clear();
  paths_.reset();
  return std::move(next_);
}

}  // namespace clearance::index_internal
