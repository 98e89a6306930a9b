/* `hybench predict SOURCE --workers LIST`: the efficiency measured tasks
 * would get at other scales, from their recorded task times replayed
 * through the real schedules (replay.h, docs/predict.md). */
#ifndef HYBENCH_PREDICT_H
#define HYBENCH_PREDICT_H

#include "hybench/args.h"

extern const hb_option hb_predict_options[];

/* argv are the words after "predict". Writes prediction.csv, prediction.gp
 * and the plots into --out (default: SOURCE's directory) and a table on
 * stdout. Returns 0 or a negative HB_E code with the message printed. Bad
 * input (HB_EUSAGE) writes nothing. */
int hb_predict_main(int argc, char **argv);

#endif
