# Tests of host lists (unit) and of multi-node launches on an emulated cluster
# (label cluster): tests/cluster/up.sh brings 2 nodes and a local Slurm up
# once per ctest run (fixture), every cluster test needs it, down.sh restores
# the machine. They run alone (RUN_SERIAL): the nodes share this machine's
# cores with whatever else runs. The cluster tests skip (77) with the reason
# when the machine cannot host the cluster (not root, no namespaces, no
# packages).
hb_unit_test(test_hosts LABELS unit TIMEOUT 30)

hb_script_test(cluster_up cluster/fixture_up.sh LABELS cluster TIMEOUT 240)
hb_script_test(cluster_down cluster/fixture_down.sh LABELS cluster TIMEOUT 60)
hb_test_properties(cluster_up PROPERTIES FIXTURES_SETUP cluster SKIP_RETURN_CODE 77
                                           RESOURCE_LOCK hb_cluster RUN_SERIAL TRUE)
hb_test_properties(cluster_down PROPERTIES FIXTURES_CLEANUP cluster RESOURCE_LOCK hb_cluster
                                             RUN_SERIAL TRUE)

foreach(case placement results dynamic srun sbatch hang)
  # sbatch waits for its job (bounded at 150 s inside the script); hang makes
  # 44 launches.
  if(case STREQUAL sbatch OR case STREQUAL hang)
    set(hb_cluster_timeout 400)
  else()
    set(hb_cluster_timeout 120)
  endif()
  hb_script_test(cluster_${case} cluster/checks.sh ARGS ${case} LABELS cluster
                 TIMEOUT ${hb_cluster_timeout})
  hb_test_properties(cluster_${case} PROPERTIES FIXTURES_REQUIRED cluster SKIP_RETURN_CODE 77
                                                  RESOURCE_LOCK hb_cluster RUN_SERIAL TRUE)
endforeach()
