/*
 * Several pwrite()s to one descriptor as ONE libuv threadpool job, done in
 * order. Node's fs gives each write its own job: at queue depth that is a
 * worker wake-up, a completion wake-up and a fight for the file's inode lock
 * per 4 KiB write (buffered writes to one file serialize in the kernel
 * anyway). FileStore keeps one batch in flight per file and sends whatever
 * queued meanwhile as the next batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include "addon.h"
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

struct write_op {
  const char *data;
  size_t length;
  int64_t position;
  int err;
};

struct batch {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref buffers; /* keeps the JS buffers alive while the worker writes them */
  int fd;
  uint32_t count;
  int failed;
  struct write_op ops[];
};

static void execute(napi_env env, void *data) {
  (void)env;
  struct batch *b = data;
  for (uint32_t i = 0; i < b->count; i++) {
    struct write_op *op = &b->ops[i];
    size_t done = 0;
    op->err = 0;
    while (done < op->length) {
      ssize_t n = pwrite(b->fd, op->data + done, op->length - done, op->position + (int64_t)done);
      if (n < 0) {
        if (errno == EINTR) continue;
        op->err = errno;
        break;
      }
      if (n == 0) { op->err = EIO; break; } /* no progress on a regular file or device: do not spin */
      done += (size_t)n;
    }
    if (op->err != 0) b->failed = 1;
  }
}

/* Resolves with null when every write succeeded, else with an array of errno values (0 = written). */
static void complete(napi_env env, napi_status status, void *data) {
  struct batch *b = data;
  napi_value value;
  if (status != napi_ok) {
    for (uint32_t i = 0; i < b->count; i++) b->ops[i].err = ECANCELED;
    b->failed = 1;
  }
  if (!b->failed) {
    napi_get_null(env, &value);
  } else {
    napi_create_array_with_length(env, b->count, &value);
    for (uint32_t i = 0; i < b->count; i++) {
      napi_value e;
      napi_create_int32(env, b->ops[i].err, &e);
      napi_set_element(env, value, i, e);
    }
  }
  napi_delete_reference(env, b->buffers);
  napi_resolve_deferred(env, b->deferred, value);
  napi_delete_async_work(env, b->work);
  free(b);
}

/* (fd, buffers: Buffer[], positions: number[]) → Promise<null | number[]> */
napi_value write_batch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], promise, name;
  int32_t fd;
  uint32_t count = 0, positions = 0;
  bool is_array = false, is_array2 = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_is_array(env, argv[2], &is_array2) != napi_ok || !is_array2 ||
      napi_get_array_length(env, argv[1], &count) != napi_ok ||
      napi_get_array_length(env, argv[2], &positions) != napi_ok ||
      count == 0 || count != positions) {
    napi_throw_type_error(env, NULL, "expected (fd, buffers, positions) with one position per buffer");
    return NULL;
  }
  struct batch *b = calloc(1, sizeof *b + count * sizeof(struct write_op));
  if (!b) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  b->fd = fd;
  b->count = count;
  for (uint32_t i = 0; i < count; i++) {
    napi_value buf, pos;
    void *ptr;
    size_t len;
    int64_t position;
    bool is_buffer = false;
    if (napi_get_element(env, argv[1], i, &buf) != napi_ok || napi_is_buffer(env, buf, &is_buffer) != napi_ok || !is_buffer ||
        napi_get_buffer_info(env, buf, &ptr, &len) != napi_ok ||
        napi_get_element(env, argv[2], i, &pos) != napi_ok || napi_get_value_int64(env, pos, &position) != napi_ok || position < 0) {
      free(b);
      napi_throw_type_error(env, NULL, "expected every buffer to be a Buffer and every position a non-negative integer");
      return NULL;
    }
    b->ops[i].data = ptr;
    b->ops[i].length = len;
    b->ops[i].position = position;
  }
  napi_create_reference(env, argv[1], 1, &b->buffers);
  napi_create_promise(env, &b->deferred, &promise);
  napi_create_string_utf8(env, "write_batch", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, b, &b->work);
  napi_queue_async_work(env, b->work);
  return promise;
}
