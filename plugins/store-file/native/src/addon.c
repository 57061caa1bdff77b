/*
 * The file store's N-API addon: what Node's fs cannot do. Sparse files
 * (sparse_file.c), page-cache-only reads (cached_read.c) and batched writes
 * (write_batch.c).
 */
#include "addon.h"

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "punchHole", NULL, sparse_punch_hole, NULL, NULL, NULL, napi_default, NULL },
    { "zeroRange", NULL, sparse_zero_range, NULL, NULL, NULL, napi_default, NULL },
    { "seekData", NULL, sparse_seek_data, NULL, NULL, NULL, napi_default, NULL },
    { "seekHole", NULL, sparse_seek_hole, NULL, NULL, NULL, napi_default, NULL },
    { "readCached", NULL, read_cached, NULL, NULL, NULL, napi_default, NULL },
    { "writeBatch", NULL, write_batch, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
