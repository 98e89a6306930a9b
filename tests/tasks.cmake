# The user's own tasks: parameter points, the cmd kernel (a command per task,
# or a long-lived worker process per worker), the plugin kernel, the
# examples, and hybench installed as a tool.
hb_unit_test(test_points LABELS unit points TIMEOUT 20)
