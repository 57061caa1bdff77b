/* The file store's native calls, one source file each; addon.c registers them. */
#ifndef STORE_FILE_ADDON_H
#define STORE_FILE_ADDON_H
#include <node_api.h>

napi_value sparse_punch_hole(napi_env env, napi_callback_info info);
napi_value sparse_zero_range(napi_env env, napi_callback_info info);
napi_value sparse_seek_data(napi_env env, napi_callback_info info);
napi_value sparse_seek_hole(napi_env env, napi_callback_info info);
napi_value read_cached(napi_env env, napi_callback_info info);
napi_value write_batch(napi_env env, napi_callback_info info);

#endif
