/* Placeholder until the mc kernel lands: it refuses to run. */
#include "hybench/error.h"
#include "hybench/kernel.h"

static int create(const hb_args *args, const hb_kernel_cfg *cfg, void **state)
{
    (void)args, (void)cfg, (void)state;
    return hb_fail(HB_EUSAGE, "--kernel: 'mc' is not built yet");
}

const hb_kernel hb_kernel_mc = {.name = "mc", .summary = "(not built yet)", .create = create};
