/* How busy the machine was around a measurement: each worker's thread CPU
 * time, the 1-minute load average and the hypervisor's steal time, plus the
 * CPU frequency governor for the metadata. On a shared machine a wall time
 * includes other jobs' work; these readings say how much, so the report can
 * warn instead of printing the number as fact.
 *
 * Every reader returns NaN (or "not exposed") when the system does not
 * provide the figure: a missing reading is an empty CSV field, never a
 * failure of the run. Reading the clocks is thread-safe; the /proc and /sys
 * readers are meant for one thread (rank 0, outside the timed region). */
#ifndef HYBENCH_NOISE_H
#define HYBENCH_NOISE_H

#include <stddef.h>

/* This thread's CPU time so far in seconds (CLOCK_THREAD_CPUTIME_ID: user
 * plus system time of the calling thread only); NaN if it cannot be read.
 * Two calls around a worker's map give the CPU it got while busy. */
double hb_noise_thread_cpu(void);

/* The host at one moment: the 1-minute load average (/proc/loadavg) and the
 * CPU time stolen by the hypervisor since boot over all CPUs (/proc/stat),
 * NaN where not known. */
typedef struct hb_noise_sample {
    double load1;
    double steal_s;
} hb_noise_sample;

void hb_noise_sample_now(hb_noise_sample *s);

/* The parsers behind it, on the files' text. hb_noise_parse_loadavg: the
 * first field of /proc/loadavg, NaN when it is not a number >= 0.
 * hb_noise_parse_steal: the 8th number of the aggregate "cpu" line of
 * /proc/stat (ticks of ticks_per_s per second) in seconds, NaN when the
 * line or the field is missing (kernels before 2.6.11). */
double hb_noise_parse_loadavg(const char *text);
double hb_noise_parse_steal(const char *text, long ticks_per_s);

/* The scaling governors of the CPUs under sysdir (normally
 * "/sys/devices/system/cpu": cpuN/cpufreq/scaling_governor) into buf:
 * "performance (2 CPUs)", "powersave (4 CPUs), performance (4 CPUs)", or
 * "not exposed" when no CPU has one (most virtual machines). Returns buf. */
const char *hb_noise_governor(const char *sysdir, char *buf, size_t len);

#endif
