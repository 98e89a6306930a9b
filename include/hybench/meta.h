/* The sidecar metadata of a results file: machine facts that do not belong in
 * every CSV row (CPU model, core/PU counts from hwloc, MPI library version,
 * compiler and flags, git commit, timestamp). Written as `key: value` lines. */
#ifndef HYBENCH_META_H
#define HYBENCH_META_H

#include <stdio.h>

struct hb_topo;

/* Write the metadata lines to f. The MPI library version comes from
 * MPI_Get_library_version, which MPI allows before MPI_Init, so the matrix
 * driver (which never initialises MPI) can write it too. */
int hb_meta_write(FILE *f, const struct hb_topo *t);

/* Write metadata to path atomically (temporary file + rename), followed by
 * extra (more "key: value" lines, or NULL). HB_EIO names path. */
int hb_meta_write_file(const char *path, const struct hb_topo *t, const char *extra);

/* The version (CMake's project version) and the git commit it was built from. */
const char *hb_meta_version(void);
const char *hb_meta_commit(void);

/* An ISO-8601 UTC timestamp "2026-11-28T06:25:29Z" into buf. */
const char *hb_meta_timestamp(char *buf, int len);

#endif
