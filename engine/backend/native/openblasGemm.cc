// Optional native GEMM for the WebAssembly backend: cblas_sgemm from the system's OpenBLAS, called on
// Float32Array views straight into the wasm heap (no copies). Built only on request
// (`npm run build:native`, needs libopenblas-dev); the engine falls back to XNNPACK without it.
#include <cblas.h>
#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace {

bool Fail(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return false;
}

bool FloatArray(napi_env env, napi_value value, float** data, size_t* length) {
  bool is_typed_array = false;
  napi_is_typedarray(env, value, &is_typed_array);
  if (!is_typed_array) return Fail(env, "expected a Float32Array");
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
    return Fail(env, "expected a Float32Array");
  }
  *data = static_cast<float*>(raw);
  return true;
}

bool Integer(napi_env env, napi_value value, int64_t* out) {
  if (napi_get_value_int64(env, value, out) != napi_ok || *out < 0) return Fail(env, "expected a non-negative integer");
  return true;
}

// sgemmBatched(a, b, c, batch, m, n, k, transposeA, transposeB, strideA, strideB)
// For i < batch: C_i[m, n] = op(A_i) · op(B_i), row-major; A_i starts at i·strideA (0 broadcasts),
// B_i at i·strideB, C_i at i·m·n.
napi_value SgemmBatched(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 11) {
    Fail(env, "sgemmBatched takes 11 arguments");
    return nullptr;
  }
  float *a, *b, *c;
  size_t a_length, b_length, c_length;
  int64_t batch, m, n, k, stride_a, stride_b;
  bool transpose_a = false, transpose_b = false;
  if (!FloatArray(env, args[0], &a, &a_length) || !FloatArray(env, args[1], &b, &b_length) || !FloatArray(env, args[2], &c, &c_length) ||
      !Integer(env, args[3], &batch) || !Integer(env, args[4], &m) || !Integer(env, args[5], &n) || !Integer(env, args[6], &k) ||
      napi_get_value_bool(env, args[7], &transpose_a) != napi_ok || napi_get_value_bool(env, args[8], &transpose_b) != napi_ok ||
      !Integer(env, args[9], &stride_a) || !Integer(env, args[10], &stride_b)) {
    return nullptr;
  }
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  // Bounds, so that a wrong call throws instead of reading or writing outside the arrays.
  if (static_cast<int64_t>(a_length) < (batch - 1) * stride_a + m * k || static_cast<int64_t>(b_length) < (batch - 1) * stride_b + k * n ||
      static_cast<int64_t>(c_length) < batch * m * n) {
    Fail(env, "sgemmBatched: an array is too short for the shapes given");
    return nullptr;
  }
  const int lda = static_cast<int>(transpose_a ? m : k);
  const int ldb = static_cast<int>(transpose_b ? k : n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), 1.0f, a + i * stride_a, lda, b + i * stride_b, ldb, 0.0f, c + i * m * n,
                static_cast<int>(n));
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  int64_t threads = 0;
  if (argc != 1 || !Integer(env, arg, &threads) || threads < 1) return nullptr;
  openblas_set_num_threads(static_cast<int>(threads));
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"sgemmBatched", nullptr, SgemmBatched, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
