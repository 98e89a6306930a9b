/* Placeholder until the host kernel lands: it refuses to run. */
#include "hybench/error.h"
#include "hybench/kernel.h"

static int create(const hb_args *args, const hb_kernel_cfg *cfg, void **state)
{
    (void)args, (void)cfg, (void)state;
    return hb_fail(HB_EUSAGE, "--kernel: 'host' is not built yet");
}

const hb_kernel hb_kernel_host = {.name = "host", .summary = "(not built yet)", .create = create};
