{
  "targets": [
    {
      "target_name": "sparse_file",
      "sources": ["src/sparse_file.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    },
    {
      "target_name": "cached_read",
      "sources": ["src/cached_read.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    },
    {
      "target_name": "write_batch",
      "sources": ["src/write_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
