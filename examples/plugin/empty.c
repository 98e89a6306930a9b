/* The smallest plug-in: a task that does nothing. What bench/tasks_bench.sh
 * runs to measure the plugin kernel's own cost per task, and a template for
 * your own (hybench/plugin.h has the contract). */
#include <hybench/plugin.h>

HB_PLUGIN_DEFINE_ABI;
HB_PLUGIN_EXPORT hb_plugin_fn hybench_task;

int hybench_task(const hb_plugin_task *t, hb_plugin_result *r) {
    (void)t;
    (void)r;
    return 0;
}
