/* Readings of how busy the machine was (see noise.h). */
#define _DEFAULT_SOURCE /* clock_gettime, sysconf */
#include "hybench/noise.h"

#include "hybench/error.h"
#include "hybench/files.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* /proc/stat holds a line per CPU and the interrupt counts: a few hundred
 * kilobytes on the largest machines. */
#define PROC_MAX ((size_t)16 << 20)

double hb_noise_thread_cpu(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return NAN;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A /proc or /sys file's text, or NULL. A missing file is an answer ("not
 * known"), not a failure: its message is dropped. */
static char *read_small(const char *path, size_t max) {
    char *text = NULL;
    size_t len;
    if (hb_read_file("noise", path, max, 0, &text, &len) != 0) {
        hb_err_clear();
        return NULL;
    }
    return text;
}

double hb_noise_parse_loadavg(const char *text) {
    char *end;
    if (!text)
        return NAN;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v < 0 || (*end && !isspace((unsigned char)*end)))
        return NAN;
    return v;
}

double hb_noise_parse_steal(const char *text, long ticks_per_s) {
    if (!text || ticks_per_s <= 0)
        return NAN;
    /* The aggregate line is "cpu" followed by blanks; "cpu0" and so on follow it. */
    const char *p = text;
    while (*p && !(strncmp(p, "cpu", 3) == 0 && (p[3] == ' ' || p[3] == '\t'))) {
        p = strchr(p, '\n');
        if (!p)
            return NAN;
        p++;
    }
    if (!*p)
        return NAN;
    p += 3;
    /* user nice system idle iowait irq softirq steal ... */
    for (int field = 0; field < 8; field++) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!isdigit((unsigned char)*p))
            return NAN;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno)
            return NAN;
        if (field == 7)
            return (double)v / (double)ticks_per_s;
        p = end;
    }
    return NAN;
}

void hb_noise_sample_now(hb_noise_sample *s) {
    char *text = read_small("/proc/loadavg", 4096);
    s->load1 = hb_noise_parse_loadavg(text);
    free(text);
    text = read_small("/proc/stat", PROC_MAX);
    s->steal_s = hb_noise_parse_steal(text, sysconf(_SC_CLK_TCK));
    free(text);
}

static bool cpu_dir_name(const char *name) {
    if (strncmp(name, "cpu", 3) != 0 || !name[3])
        return false;
    for (const char *c = name + 3; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    return true;
}

const char *hb_noise_governor(const char *sysdir, char *buf, size_t len) {
    enum { MAXG = 8 };
    char names[MAXG][32];
    int counts[MAXG] = {0}, ng = 0, other = 0;
    DIR *d = opendir(sysdir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (!cpu_dir_name(de->d_name))
            continue;
        char path[4096];
        if (hb_path(path, sizeof path, "governor", "%s/%s/cpufreq/scaling_governor", sysdir,
                    de->d_name) != 0) {
            hb_err_clear();
            continue;
        }
        char *text = read_small(path, 4096);
        if (!text)
            continue;
        text[strcspn(text, "\r\n")] = '\0';
        /* A governor name is a word; anything else is not one. */
        bool word = text[0] && strlen(text) < sizeof names[0];
        for (const char *c = text; word && *c; c++)
            word = isalnum((unsigned char)*c) || *c == '_' || *c == '-';
        int g = 0;
        while (word && g < ng && strcmp(names[g], text) != 0)
            g++;
        if (word && g == ng && ng < MAXG)
            snprintf(names[ng++], sizeof names[0], "%s", text);
        if (word && g < ng)
            counts[g]++;
        else
            other++;
        free(text);
    }
    if (d)
        closedir(d);
    size_t used = 0;
    buf[0] = '\0';
    for (int g = 0; g < ng && used < len; g++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s (%d CPU%s)", g ? ", " : "", names[g],
                                 counts[g], counts[g] == 1 ? "" : "s");
    if (other && used < len)
        used += (size_t)snprintf(buf + used, len - used, "%sunreadable (%d CPU%s)",
                                 used ? ", " : "", other, other == 1 ? "" : "s");
    if (!ng && !other)
        snprintf(buf, len, "not exposed");
    return buf;
}
