{
  "targets": [
    {
      "target_name": "hypermesh_native",
      "sources": ["src/binding.c", "src/sha256.c", "src/cpu.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-strict-aliasing"],
      "cflags!": ["-O2", "-O0", "-O1", "-Os"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11"] }
    }
  ]
}
