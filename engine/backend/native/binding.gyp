{
  "targets": [
    {
      "target_name": "openblas_gemm",
      "sources": ["openblasGemm.cc"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread"],
      "libraries": ["-lopenblas"],
      "cflags_cc": ["-O2"]
    }
  ]
}
