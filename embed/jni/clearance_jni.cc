// JNI glue for dev.clearance.Clearance: each native method calls the C API (clearance/c.h) and
// turns a failed status into a dev.clearance.ClearanceException. Strings cross as UTF-8: JSON
// arrives as byte[] (String.getBytes(UTF_8) on the Java side); ids are converted from UTF-16
// here, into a thread-local buffer, so the check path allocates nothing on the C++ side.
#include <jni.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clearance/c.h"
#include "simdjson.h"

namespace {

jclass exception_class = nullptr;   // global ref to dev.clearance.ClearanceException
jmethodID exception_init = nullptr;  // (int, String)

void Throw(JNIEnv* env, clearance_status status) {
  if (env->ExceptionCheck()) return;  // a Java exception is already pending (e.g. OOM)
  jstring message = env->NewStringUTF(clearance_last_error());
  if (message == nullptr) return;
  jobject e = env->NewObject(exception_class, exception_init, static_cast<jint>(status), message);
  if (e != nullptr) env->Throw(static_cast<jthrowable>(e));
}

void ThrowMessage(JNIEnv* env, int code, const char* message) {
  if (env->ExceptionCheck()) return;
  jstring m = env->NewStringUTF(message);
  if (m == nullptr) return;
  jobject e = env->NewObject(exception_class, exception_init, static_cast<jint>(code), m);
  if (e != nullptr) env->Throw(static_cast<jthrowable>(e));
}

clearance_store* Store(jlong h) { return reinterpret_cast<clearance_store*>(h); }
clearance_verifier* Verifier(jlong h) { return reinterpret_cast<clearance_verifier*>(h); }
clearance_principal* Principal(jlong h) { return reinterpret_cast<clearance_principal*>(h); }

// Appends the UTF-8 encoding of a Java string (UTF-16; unpaired surrogates become U+FFFD).
// Short strings (ids) are copied out with GetStringRegion into a stack buffer and written with
// one resize: no JNI critical section, no per-character push_back.
bool AppendUtf8(JNIEnv* env, jstring s, std::string* out) {
  const jsize n = env->GetStringLength(s);
  jchar stack[256];
  std::vector<jchar> heap;
  jchar* chars = stack;
  if (n > static_cast<jsize>(sizeof stack / sizeof stack[0])) {
    heap.resize(static_cast<size_t>(n));
    chars = heap.data();
  }
  env->GetStringRegion(s, 0, n, chars);
  if (env->ExceptionCheck()) return false;
  const size_t start = out->size();
  out->resize(start + 3 * static_cast<size_t>(n));  // the most UTF-8 bytes n UTF-16 units need
  char* p = out->data() + start;
  for (jsize i = 0; i < n; ++i) {
    uint32_t c = chars[i];
    if (c < 0x80) {
      *p++ = static_cast<char>(c);
      continue;
    }
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && chars[i + 1] >= 0xDC00 &&
        chars[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (chars[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x800) {
      *p++ = static_cast<char>(0xC0 | (c >> 6));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      *p++ = static_cast<char>(0xE0 | (c >> 12));
      *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else {  // a surrogate pair: 4 bytes for 2 units, within the 3-per-unit bound
      *p++ = static_cast<char>(0xF0 | (c >> 18));
      *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  out->resize(static_cast<size_t>(p - out->data()));
  return true;
}

// A request with up to one resource id and a tenant, built in thread-local storage.
struct RequestScratch {
  std::string id;
  std::string tenant;
  const char* ids[1] = {nullptr};
  clearance_check_request request{};

  // False with a pending Java exception on failure.
  bool Fill(JNIEnv* env, jint resource_type, jint permission, jstring resource_id,
            jstring tenant_id) {
    request = clearance_check_request{};
    request.resource_type = resource_type;
    request.permission = permission;
    if (resource_id != nullptr) {
      id.clear();
      if (!AppendUtf8(env, resource_id, &id)) return false;
      ids[0] = id.c_str();
      request.resource_ids = ids;
      request.resource_id_count = 1;
    }
    if (tenant_id != nullptr) {
      tenant.clear();
      if (!AppendUtf8(env, tenant_id, &tenant)) return false;
      request.tenant_id = tenant.c_str();
    }
    return true;
  }
};
thread_local RequestScratch scratch;

// The bytes of a byte[] for the duration of one call.
class Bytes {
 public:
  Bytes(JNIEnv* env, jbyteArray array) : env_(env), array_(array) {
    if (array == nullptr) {
      ThrowMessage(env, CLEARANCE_INVALID_ARGUMENT, "argument: is null; expected bytes");
      return;
    }
    size_ = static_cast<size_t>(env->GetArrayLength(array));
    data_ = env->GetByteArrayElements(array, nullptr);
  }
  ~Bytes() {
    if (data_ != nullptr) env_->ReleaseByteArrayElements(array_, data_, JNI_ABORT);
  }
  Bytes(const Bytes&) = delete;
  Bytes& operator=(const Bytes&) = delete;
  bool ok() const { return data_ != nullptr; }
  const char* data() const { return reinterpret_cast<const char*>(data_); }
  size_t size() const { return size_; }

 private:
  JNIEnv* env_;
  jbyteArray array_;
  jbyte* data_ = nullptr;
  size_t size_ = 0;
};

jint Pack(const clearance_decision& d) { return (d.outcome << 8) | (d.reason & 0xff); }

// A Java string from UTF-8 bytes. NewStringUTF reads modified UTF-8, which would mangle
// characters outside the BMP; String(byte[], "UTF-8") does not. nullptr with a pending exception.
jstring NewUtf8String(JNIEnv* env, std::string_view text) {
  const jsize len = static_cast<jsize>(text.size());
  jbyteArray bytes = env->NewByteArray(len);
  if (bytes == nullptr) return nullptr;
  env->SetByteArrayRegion(bytes, 0, len, reinterpret_cast<const jbyte*>(text.data()));
  jclass string_class = env->FindClass("java/lang/String");
  if (string_class == nullptr) return nullptr;
  jmethodID init = env->GetMethodID(string_class, "<init>", "([BLjava/lang/String;)V");
  jstring charset = env->NewStringUTF("UTF-8");
  if (init == nullptr || charset == nullptr) return nullptr;
  jstring out = static_cast<jstring>(env->NewObject(string_class, init, bytes, charset));
  env->DeleteLocalRef(bytes);
  env->DeleteLocalRef(charset);
  env->DeleteLocalRef(string_class);
  return out;
}

// clearance_authenticate's JSON answer as the field array Clearance.Authentication reads:
// reason, principal type, principal id, issuer, exp, message, claims, groups flag, groups...
// (null where the answer has none). False with a pending exception when the answer does not
// have the documented shape.
bool AuthenticationFields(JNIEnv* env, std::string_view json, std::vector<std::string>* text,
                          std::vector<bool>* present) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  auto bad = [env](const char* what) {
    ThrowMessage(env, CLEARANCE_INTERNAL, what);
    return false;
  };
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return bad("authenticate: the C API's answer is not a JSON object");
  }
  text->assign(8, std::string());
  present->assign(8, false);
  auto set = [&](size_t i, std::string_view v) {
    (*text)[i] = std::string(v);
    (*present)[i] = true;
  };
  bool authenticated = false;
  if (root["authenticated"].get(authenticated) != simdjson::SUCCESS) {
    return bad("authenticate: the answer has no 'authenticated'");
  }
  std::string_view s;
  if (!authenticated) {
    std::string_view reason, message;
    if (root["reason"].get(reason) != simdjson::SUCCESS ||
        root["message"].get(message) != simdjson::SUCCESS) {
      return bad("authenticate: a refusal without 'reason' or 'message'");
    }
    set(0, reason);
    set(5, message);
    return true;
  }
  set(0, "ok");
  simdjson::dom::object principal;
  std::string_view type, id, issuer;
  if (root["principal"].get(principal) != simdjson::SUCCESS ||
      principal["type"].get(type) != simdjson::SUCCESS ||
      principal["id"].get(id) != simdjson::SUCCESS ||
      root["issuer"].get(issuer) != simdjson::SUCCESS) {
    return bad("authenticate: an authentication without principal or issuer");
  }
  set(1, type);
  set(2, id);
  set(3, issuer);
  int64_t exp = 0;
  if (root["exp"].get(exp) == simdjson::SUCCESS) set(4, std::to_string(exp));
  simdjson::dom::element claims;
  if (root["claims"].get(claims) == simdjson::SUCCESS) set(6, simdjson::minify(claims));
  simdjson::dom::array groups;
  if (root["groups"].get(groups) == simdjson::SUCCESS) {
    set(7, "groups");
    for (simdjson::dom::element g : groups) {
      if (g.get(s) != simdjson::SUCCESS) return bad("authenticate: a group that is not a string");
      text->emplace_back(s);
      present->push_back(true);
    }
  }
  return true;
}

}  // namespace

extern "C" {

JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  jclass local = env->FindClass("dev/clearance/ClearanceException");
  if (local == nullptr) return JNI_ERR;
  exception_class = static_cast<jclass>(env->NewGlobalRef(local));
  exception_init = env->GetMethodID(exception_class, "<init>", "(ILjava/lang/String;)V");
  if (exception_init == nullptr) return JNI_ERR;
  return JNI_VERSION_1_8;
}

JNIEXPORT jint JNICALL Java_dev_clearance_Clearance_apiVersion(JNIEnv*, jclass) {
  return clearance_api_version();
}

JNIEXPORT jstring JNICALL Java_dev_clearance_Clearance_version(JNIEnv* env, jclass) {
  return env->NewStringUTF(clearance_version_string());
}

JNIEXPORT jint JNICALL Java_dev_clearance_Clearance_resourceType(JNIEnv* env, jclass,
                                                                jstring name) {
  std::string n;
  if (name == nullptr) return ThrowMessage(env, CLEARANCE_INVALID_ARGUMENT, "name: is null"), -1;
  if (!AppendUtf8(env, name, &n)) return -1;
  int32_t out = -1;
  if (clearance_status s = clearance_resource_type(n.c_str(), &out); s != CLEARANCE_OK) {
    Throw(env, s);
  }
  return out;
}

JNIEXPORT jint JNICALL Java_dev_clearance_Clearance_permission(JNIEnv* env, jclass, jstring name) {
  std::string n;
  if (name == nullptr) return ThrowMessage(env, CLEARANCE_INVALID_ARGUMENT, "name: is null"), -1;
  if (!AppendUtf8(env, name, &n)) return -1;
  int32_t out = -1;
  if (clearance_status s = clearance_permission(n.c_str(), &out); s != CLEARANCE_OK) Throw(env, s);
  return out;
}

JNIEXPORT jstring JNICALL Java_dev_clearance_Clearance_outcomeName(JNIEnv* env, jclass,
                                                                  jint decision) {
  return env->NewStringUTF(clearance_outcome_name(decision >> 8));
}

JNIEXPORT jstring JNICALL Java_dev_clearance_Clearance_reasonName(JNIEnv* env, jclass,
                                                                 jint decision) {
  return env->NewStringUTF(clearance_reason_name(decision & 0xff));
}

JNIEXPORT jlong JNICALL Java_dev_clearance_Clearance_nativeOpen(JNIEnv* env, jclass, jstring path,
                                                               jint flags) {
  std::string p;
  if (path == nullptr) return ThrowMessage(env, CLEARANCE_INVALID_ARGUMENT, "path: is null"), 0;
  if (!AppendUtf8(env, path, &p)) return 0;
  clearance_store* store = nullptr;
  if (clearance_status s = clearance_store_open(p.c_str(), static_cast<uint32_t>(flags), &store);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return 0;
  }
  return reinterpret_cast<jlong>(store);
}

JNIEXPORT void JNICALL Java_dev_clearance_Clearance_nativeFree(JNIEnv*, jclass, jlong store) {
  clearance_store_free(Store(store));
}

JNIEXPORT void JNICALL Java_dev_clearance_Clearance_nativeConfigure(JNIEnv* env, jclass,
                                                                   jlong store, jbyteArray json) {
  Bytes b(env, json);
  if (!b.ok()) return;
  if (clearance_status s = clearance_store_configure(Store(store), b.data(), b.size());
      s != CLEARANCE_OK) {
    Throw(env, s);
  }
}

JNIEXPORT void JNICALL Java_dev_clearance_Clearance_nativeInitialize(JNIEnv* env, jclass,
                                                                    jlong store) {
  if (clearance_status s = clearance_store_initialize(Store(store)); s != CLEARANCE_OK) {
    Throw(env, s);
  }
}

JNIEXPORT jint JNICALL Java_dev_clearance_Clearance_nativeApplyRecord(JNIEnv* env, jclass,
                                                                     jlong store,
                                                                     jbyteArray json) {
  Bytes b(env, json);
  if (!b.ok()) return -1;
  int32_t outcome = -1;
  if (clearance_status s =
          clearance_store_apply_record(Store(store), b.data(), b.size(), &outcome, nullptr);
      s != CLEARANCE_OK) {
    Throw(env, s);
  }
  return outcome;
}

JNIEXPORT jlongArray JNICALL Java_dev_clearance_Clearance_nativeIngest(JNIEnv* env, jclass,
                                                                      jlong store,
                                                                      jbyteArray ndjson) {
  Bytes b(env, ndjson);
  if (!b.ok()) return nullptr;
  clearance_ingest_stats st{};
  if (clearance_status s = clearance_store_ingest(Store(store), b.data(), b.size(), &st);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return nullptr;
  }
  const jlong values[6] = {static_cast<jlong>(st.records),          static_cast<jlong>(st.applied),
                           static_cast<jlong>(st.refused),          static_cast<jlong>(st.skipped_position),
                           static_cast<jlong>(st.skipped_value_type), static_cast<jlong>(st.skipped_intent)};
  jlongArray out = env->NewLongArray(6);
  if (out != nullptr) env->SetLongArrayRegion(out, 0, 6, values);
  return out;
}

JNIEXPORT jlong JNICALL Java_dev_clearance_Clearance_nativeAppliedPosition(JNIEnv* env, jclass,
                                                                          jlong store) {
  uint64_t position = 0;
  int32_t has = 0;
  if (clearance_status s = clearance_store_applied_position(Store(store), &position, &has);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return -1;
  }
  return has ? static_cast<jlong>(position) : -1;
}

JNIEXPORT jint JNICALL Java_dev_clearance_Clearance_nativeCheckClaims(
    JNIEnv* env, jclass, jlong store, jbyteArray claims, jint resource_type, jint permission,
    jstring resource_id, jstring tenant_id) {
  Bytes b(env, claims);
  if (!b.ok()) return -1;
  if (!scratch.Fill(env, resource_type, permission, resource_id, tenant_id)) return -1;
  clearance_decision d{};
  if (clearance_status s =
          clearance_check_claims(Store(store), b.data(), b.size(), &scratch.request, &d);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return -1;
  }
  return Pack(d);
}

JNIEXPORT jlong JNICALL Java_dev_clearance_Clearance_nativeResolveClaims(JNIEnv* env, jclass,
                                                                        jlong store,
                                                                        jbyteArray claims) {
  Bytes b(env, claims);
  if (!b.ok()) return 0;
  clearance_principal* p = nullptr;
  if (clearance_status s = clearance_resolve_claims(Store(store), b.data(), b.size(), &p);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return 0;
  }
  return reinterpret_cast<jlong>(p);
}

JNIEXPORT void JNICALL Java_dev_clearance_Clearance_nativePrincipalFree(JNIEnv*, jclass,
                                                                       jlong principal) {
  clearance_principal_free(Principal(principal));
}

JNIEXPORT jint JNICALL Java_dev_clearance_Clearance_nativeCheckPrincipal(
    JNIEnv* env, jclass, jlong store, jlong principal, jint resource_type, jint permission,
    jstring resource_id, jstring tenant_id) {
  if (!scratch.Fill(env, resource_type, permission, resource_id, tenant_id)) return -1;
  clearance_decision d{};
  if (clearance_status s =
          clearance_check_principal(Store(store), Principal(principal), &scratch.request, &d);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return -1;
  }
  return Pack(d);
}

JNIEXPORT jintArray JNICALL Java_dev_clearance_Clearance_nativeCheckBatch(
    JNIEnv* env, jclass, jlong store, jlong principal, jint resource_type, jint permission,
    jobjectArray resource_ids) {
  if (resource_ids == nullptr) {
    ThrowMessage(env, CLEARANCE_INVALID_ARGUMENT, "resourceIds: is null");
    return nullptr;
  }
  const jsize n = env->GetArrayLength(resource_ids);
  std::vector<std::string> ids(static_cast<size_t>(n));
  std::vector<const char*> pointers(static_cast<size_t>(n));
  std::vector<clearance_check_request> requests(static_cast<size_t>(n));
  for (jsize i = 0; i < n; ++i) {
    jstring s = static_cast<jstring>(env->GetObjectArrayElement(resource_ids, i));
    if (s == nullptr) {
      ThrowMessage(env, CLEARANCE_INVALID_ARGUMENT, "resourceIds: holds a null element");
      return nullptr;
    }
    const bool ok = AppendUtf8(env, s, &ids[static_cast<size_t>(i)]);
    env->DeleteLocalRef(s);
    if (!ok) return nullptr;
  }
  for (jsize i = 0; i < n; ++i) {
    const size_t k = static_cast<size_t>(i);
    pointers[k] = ids[k].c_str();
    requests[k] = clearance_check_request{};
    requests[k].resource_type = resource_type;
    requests[k].permission = permission;
    requests[k].resource_ids = &pointers[k];
    requests[k].resource_id_count = 1;
  }
  std::vector<clearance_decision> decisions(static_cast<size_t>(n));
  if (clearance_status s = clearance_check_batch(Store(store), Principal(principal),
                                                 requests.data(), requests.size(),
                                                 decisions.data());
      s != CLEARANCE_OK) {
    Throw(env, s);
    return nullptr;
  }
  std::vector<jint> packed(static_cast<size_t>(n));
  for (size_t k = 0; k < decisions.size(); ++k) packed[k] = Pack(decisions[k]);
  jintArray out = env->NewIntArray(n);
  if (out != nullptr) env->SetIntArrayRegion(out, 0, n, packed.data());
  return out;
}

JNIEXPORT jboolean JNICALL Java_dev_clearance_Clearance_nativeIsCurrent(JNIEnv* env, jclass,
                                                                       jlong store,
                                                                       jlong principal) {
  int32_t current = 0;
  if (clearance_status s =
          clearance_principal_is_current(Store(store), Principal(principal), &current);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return JNI_FALSE;
  }
  return current ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL Java_dev_clearance_Clearance_nativeVerifierCreate(JNIEnv* env, jclass,
                                                                         jbyteArray json) {
  Bytes b(env, json);
  if (!b.ok()) return 0;
  clearance_verifier* v = nullptr;
  if (clearance_status s = clearance_verifier_create(b.data(), b.size(), &v); s != CLEARANCE_OK) {
    Throw(env, s);
    return 0;
  }
  return reinterpret_cast<jlong>(v);
}

JNIEXPORT jlong JNICALL Java_dev_clearance_Clearance_nativeVerifierForStore(JNIEnv* env, jclass,
                                                                           jlong store) {
  clearance_verifier* v = nullptr;
  if (clearance_status s = clearance_verifier_create_for_store(Store(store), &v);
      s != CLEARANCE_OK) {
    Throw(env, s);
    return 0;
  }
  return reinterpret_cast<jlong>(v);
}

JNIEXPORT void JNICALL Java_dev_clearance_Clearance_nativeVerifierFree(JNIEnv*, jclass,
                                                                      jlong verifier) {
  clearance_verifier_free(Verifier(verifier));
}

JNIEXPORT void JNICALL Java_dev_clearance_Clearance_nativeVerifierSetTime(JNIEnv* env, jclass,
                                                                         jlong verifier,
                                                                         jlong unix_seconds) {
  if (clearance_status s = clearance_verifier_set_time(Verifier(verifier), unix_seconds);
      s != CLEARANCE_OK) {
    Throw(env, s);
  }
}

JNIEXPORT jobjectArray JNICALL Java_dev_clearance_Clearance_nativeAuthenticate(
    JNIEnv* env, jclass, jlong store, jlong verifier, jbyteArray token) {
  Bytes b(env, token);
  if (!b.ok()) return nullptr;
  std::string buf(2048, '\0');
  size_t needed = 0;
  clearance_status s = clearance_authenticate(Store(store), Verifier(verifier), b.data(), b.size(),
                                              buf.data(), buf.size(), &needed);
  if (s == CLEARANCE_OUT_OF_RANGE) {
    buf.resize(needed);
    s = clearance_authenticate(Store(store), Verifier(verifier), b.data(), b.size(), buf.data(),
                               buf.size(), &needed);
  }
  if (s != CLEARANCE_OK) {
    Throw(env, s);
    return nullptr;
  }
  std::vector<std::string> text;
  std::vector<bool> present;
  if (!AuthenticationFields(env, std::string_view(buf.data(), needed - 1), &text, &present)) {
    return nullptr;
  }
  jclass string_class = env->FindClass("java/lang/String");
  if (string_class == nullptr) return nullptr;
  jobjectArray out = env->NewObjectArray(static_cast<jsize>(text.size()), string_class, nullptr);
  env->DeleteLocalRef(string_class);
  if (out == nullptr) return nullptr;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!present[i]) continue;
    jstring v = NewUtf8String(env, text[i]);
    if (v == nullptr) return nullptr;
    env->SetObjectArrayElement(out, static_cast<jsize>(i), v);
    env->DeleteLocalRef(v);
  }
  return out;
}

JNIEXPORT jstring JNICALL Java_dev_clearance_Clearance_nativeExplainClaims(
    JNIEnv* env, jclass, jlong store, jbyteArray claims, jint resource_type, jint permission,
    jstring resource_id, jstring tenant_id) {
  Bytes b(env, claims);
  if (!b.ok()) return nullptr;
  if (!scratch.Fill(env, resource_type, permission, resource_id, tenant_id)) return nullptr;
  std::string buf(1024, '\0');
  size_t needed = 0;
  clearance_status s = clearance_explain_claims(Store(store), b.data(), b.size(), &scratch.request,
                                                buf.data(), buf.size(), &needed);
  if (s == CLEARANCE_OUT_OF_RANGE) {
    buf.resize(needed);
    s = clearance_explain_claims(Store(store), b.data(), b.size(), &scratch.request, buf.data(),
                                 buf.size(), &needed);
  }
  if (s != CLEARANCE_OK) {
    Throw(env, s);
    return nullptr;
  }
  // The explanation is JSON we wrote: ASCII-safe except for ids, which NewStringUTF reads as
  // modified UTF-8; build the string from the bytes to keep non-BMP characters intact.
  const jsize len = static_cast<jsize>(needed - 1);
  jbyteArray bytes = env->NewByteArray(len);
  if (bytes == nullptr) return nullptr;
  env->SetByteArrayRegion(bytes, 0, len, reinterpret_cast<const jbyte*>(buf.data()));
  jclass string_class = env->FindClass("java/lang/String");
  jmethodID init = env->GetMethodID(string_class, "<init>", "([BLjava/lang/String;)V");
  jstring charset = env->NewStringUTF("UTF-8");
  return static_cast<jstring>(env->NewObject(string_class, init, bytes, charset));
}

}  // extern "C"
