/*
 * What Node's fs cannot do on a sparse file: deallocate a range
 * (fallocate PUNCH_HOLE / ZERO_RANGE) and find where data and holes are
 * (lseek SEEK_DATA / SEEK_HOLE). Each call runs on the libuv threadpool and
 * returns a Promise, so a large punch never blocks the event loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <node_api.h>
#include "addon.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum op { OP_PUNCH_HOLE, OP_ZERO_RANGE, OP_SEEK_DATA, OP_SEEK_HOLE };

struct request {
  napi_async_work work;
  napi_deferred deferred;
  enum op op;
  int fd;
  int64_t offset;
  int64_t length;
  int64_t result;
  int err;
};

static void execute(napi_env env, void *data) {
  (void)env;
  struct request *r = data;
  r->err = 0;
  switch (r->op) {
  case OP_PUNCH_HOLE:
    if (fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, r->offset, r->length) != 0) r->err = errno;
    break;
  case OP_ZERO_RANGE:
    if (fallocate(r->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, r->offset, r->length) != 0) r->err = errno;
    break;
  case OP_SEEK_DATA:
  case OP_SEEK_HOLE: {
    off_t pos = lseek(r->fd, r->offset, r->op == OP_SEEK_DATA ? SEEK_DATA : SEEK_HOLE);
    if (pos < 0) {
      /* ENXIO: no data (or no hole) at or after offset — not an error for the caller. */
      if (errno == ENXIO) r->result = -1; else r->err = errno;
    } else {
      r->result = pos;
    }
    break;
  }
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  struct request *r = data;
  napi_value value;
  if (status != napi_ok) r->err = ECANCELED;
  if (r->err != 0) {
    napi_value msg, code, error;
    napi_create_string_utf8(env, strerror(r->err), NAPI_AUTO_LENGTH, &msg);
    napi_create_int32(env, r->err, &code);
    napi_create_error(env, NULL, msg, &error);
    napi_set_named_property(env, error, "errno", code);
    napi_reject_deferred(env, r->deferred, error);
  } else {
    if (r->op == OP_SEEK_DATA || r->op == OP_SEEK_HOLE) napi_create_int64(env, r->result, &value);
    else napi_get_undefined(env, &value);
    napi_resolve_deferred(env, r->deferred, value);
  }
  napi_delete_async_work(env, r->work);
  free(r);
}

/* (fd, offset[, length]) → Promise */
static napi_value start(napi_env env, napi_callback_info info, enum op op, size_t want) {
  size_t argc = 3;
  napi_value argv[3], promise, name;
  int32_t fd;
  int64_t offset, length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int64(env, argv[1], &offset) != napi_ok ||
      (want == 3 && napi_get_value_int64(env, argv[2], &length) != napi_ok) ||
      fd < 0 || offset < 0 || length < 0) {
    napi_throw_type_error(env, NULL, "expected (fd, offset, length) as non-negative integers");
    return NULL;
  }
  struct request *r = calloc(1, sizeof *r);
  if (!r) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  r->op = op; r->fd = fd; r->offset = offset; r->length = length;
  napi_create_promise(env, &r->deferred, &promise);
  napi_create_string_utf8(env, "sparse_file", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, r, &r->work);
  napi_queue_async_work(env, r->work);
  return promise;
}

napi_value sparse_punch_hole(napi_env env, napi_callback_info info) { return start(env, info, OP_PUNCH_HOLE, 3); }
napi_value sparse_zero_range(napi_env env, napi_callback_info info) { return start(env, info, OP_ZERO_RANGE, 3); }
napi_value sparse_seek_data(napi_env env, napi_callback_info info) { return start(env, info, OP_SEEK_DATA, 2); }
napi_value sparse_seek_hole(napi_env env, napi_callback_info info) { return start(env, info, OP_SEEK_HOLE, 2); }
