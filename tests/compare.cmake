# Side-by-side comparison (bench/compare): each Python reference agrees with
# hybench on a small case. Skipped (exit 77) when the comparison's Python
# environment is absent; bench/compare/setup creates it.
foreach(t mc pi pow)
  hb_script_test(compare_${t} compare_${t}.sh LABELS compare TIMEOUT 300)
  hb_test_properties(compare_${t} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
