{
  "targets": [
    {
      "target_name": "store_file",
      "sources": ["src/addon.c", "src/sparse_file.c", "src/cached_read.c", "src/write_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
