/* The kernel registry: one table, looked up by name. */
#include "hybench/kernel.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

extern const hb_kernel hb_kernel_mc, hb_kernel_pi, hb_kernel_pow, hb_kernel_host, hb_kernel_cmd,
    hb_kernel_plugin;

static const hb_kernel *const registry[] = {
    &hb_kernel_mc,   &hb_kernel_pi,  &hb_kernel_pow,
    &hb_kernel_host, &hb_kernel_cmd, &hb_kernel_plugin,
};

#define NKERNELS (sizeof registry / sizeof registry[0])

const hb_kernel *const *hb_kernels(size_t *count) {
    *count = NKERNELS;
    return registry;
}

const hb_kernel *hb_kernel_find(const char *name) {
    for (size_t i = 0; name && i < NKERNELS; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const char *hb_kernel_names(void) {
    static char names[256];
    if (!names[0])
        for (size_t i = 0; i < NKERNELS; i++) {
            size_t used = strlen(names);
            /* Names are short identifiers: 256 bytes hold dozens of them. */
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", registry[i]->name);
        }
    return names;
}

void hb_kernel_plan_free(hb_kernel_plan *p) {
    if (!p)
        return;
    free(p->params);
    p->params = NULL;
}
