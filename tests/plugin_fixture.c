/* Plug-ins for the tests, built three ways: without hybench_plugin_abi
 * (-DFIXTURE_NO_ABI), for another ABI (-DFIXTURE_ABI=99), and a proper one
 * whose hybench_task fails at x == 3 and whose hb_counter is not
 * deterministic (it returns how often it was called). */
#include <hybench/plugin.h>

#ifndef FIXTURE_NO_ABI
#ifndef FIXTURE_ABI
#define FIXTURE_ABI HB_PLUGIN_ABI
#endif
HB_PLUGIN_EXPORT extern const int hybench_plugin_abi;
const int hybench_plugin_abi = FIXTURE_ABI;
#endif

HB_PLUGIN_EXPORT hb_plugin_fn hybench_task, hb_counter;

int hybench_task(const hb_plugin_task *t, hb_plugin_result *r) {
    double x = hb_plugin_value(t, "x", 0);
    if (x == 3)
        return 7;
    r->value[0] = x * x;
    return 0;
}

int hb_counter(const hb_plugin_task *t, hb_plugin_result *r) {
    static long calls; /* deliberately shared: a result that depends on when */
    (void)t;
    r->value[0] = (double)__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    return 0;
}
