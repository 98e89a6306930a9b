/* The kernel registry: one table, looked up by name. */
#include "hybench/kernel.h"

#include <string.h>

extern const hb_kernel hb_kernel_mc, hb_kernel_pi, hb_kernel_pow, hb_kernel_host;

static const hb_kernel *const registry[] = {
    &hb_kernel_mc,
    &hb_kernel_pi,
    &hb_kernel_pow,
    &hb_kernel_host,
};

const hb_kernel *const *hb_kernels(size_t *count) {
    *count = sizeof registry / sizeof registry[0];
    return registry;
}

const hb_kernel *hb_kernel_find(const char *name) {
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
