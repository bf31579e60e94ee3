/*
 * plan_file.h - read a protocol file by path and hand it to the core's
 * parser (plan.h, plan_parse).
 *
 * Thread: any (no shared state).
 */
#ifndef GC_PLAN_FILE_H
#define GC_PLAN_FILE_H

#include "plan.h"

/* Largest protocol file accepted: protocols are a few hundred bytes. */
#define PLAN_FILE_MAX (256 * 1024)

/* Read and parse a file.  GC_ERR_NOT_FOUND / GC_ERR_IO if it cannot be
 * read (diag: "cannot open: <strerror>", "read error"), GC_ERR_FORMAT if
 * malformed (plan_parse's "line N: why") or larger than PLAN_FILE_MAX,
 * GC_ERR_NOMEM.  diag names no file: the caller prefixes it. */
GC_MUST_CHECK int plan_load(const char *path, struct plan *out, struct gc_diag *diag);

#endif
