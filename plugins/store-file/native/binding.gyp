{
  "targets": [
    {
      "target_name": "sparse_file",
      "sources": ["src/sparse_file.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
