/* Digests of task outputs: 64-bit FNV-1a over bytes, and a fold that
 * combines per-task digests in task order into one. They detect a changed
 * output (a command that is not deterministic, a layout that changes a
 * result), not an adversary: a collision between two given outputs has
 * probability about 2^-64. Pure functions, thread-safe. */
#ifndef HYBENCH_DIGEST_H
#define HYBENCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define HB_DIGEST_INIT 0xcbf29ce484222325u /* FNV-1a's offset basis */

/* FNV-1a of len bytes, continuing from h (HB_DIGEST_INIT to start). */
uint64_t hb_digest(uint64_t h, const void *data, size_t len);

/* Fold the digest of the next task into the running digest h of the tasks
 * before it: order matters, so swapped outputs give another digest. */
uint64_t hb_digest_fold(uint64_t h, uint64_t task_digest);

#endif
