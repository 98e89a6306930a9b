# hybench installed like a tool: `cmake --install` into a prefix of its own
# gives the program, hybench/plugin.h (and no other header), hybench.pc, the
# man page and the examples; the prefix still works after it is moved; the
# example plug-in builds out of tree with `pkg-config --cflags --libs
# hybench` against that prefix alone (plugin.h needs no MPI, and compiles as
# strict C99 and as C++), and the installed hybench runs it, verified and
# identical at 1x1 and 1x2.
. "$(dirname "$0")/lib.sh"
cmake=${1:?usage: install.sh CMAKE BUILD_DIR}
build=${2:?}
expect_status 0 "$cmake" --install "$build" --prefix "$PWD/prefix"
for f in bin/hybench include/hybench/plugin.h share/man/man1/hybench.1 \
         share/hybench/examples/README.md share/hybench/examples/mc.py \
         share/hybench/examples/mc_worker.py share/hybench/examples/plugin/mc_plugin.c \
         share/hybench/examples/plugin/empty.c share/hybench/examples/plugin/Makefile; do
    [ -s "prefix/$f" ] || fail "not installed: $f"
done
[ -x prefix/share/hybench/examples/mc_worker.py ] || fail "mc_worker.py is not executable"
[ "$(ls prefix/include/hybench)" = plugin.h ] || fail "headers installed: $(ls prefix/include/hybench)"
pc=$(find prefix -name hybench.pc)
[ -n "$pc" ] || fail "no hybench.pc installed"
mv prefix moved
pcdir=$PWD/$(dirname "${pc/prefix/moved}")
export PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags --libs hybench) || fail "pkg-config cannot read hybench.pc"
inc=$(pkg-config --variable=includedir hybench)
[ "$(cd "$inc" 2>/dev/null && pwd -P)" = "$(cd moved/include && pwd -P)" ] ||
    fail "hybench.pc's includedir '$inc' is not the moved prefix's"
version=$(moved/bin/hybench --version) || fail "hybench --version failed"
[[ $version == "hybench $(pkg-config --modversion hybench) (git "*")" ]] ||
    fail "hybench --version says '$version', hybench.pc $(pkg-config --modversion hybench)"

# The header alone, strictly, without MPI on the include path.
printf '#include <hybench/plugin.h>\nint main(void) { return HB_PLUGIN_VALUES != 4; }\n' >strict.c
# shellcheck disable=SC2086
expect_status 0 cc -std=c99 -Wall -Wextra -pedantic -Werror $flags strict.c -o strict
if command -v c++ >/dev/null; then
    cp strict.c strict.cc
    # shellcheck disable=SC2086
    expect_status 0 c++ -Wall -Wextra -Werror -fsyntax-only $flags strict.cc
fi
# The example plug-in, out of tree, by its own Makefile.
cp -r moved/share/hybench/examples/plugin oot
expect_status 0 make -C oot
[ -s oot/mc_plugin.so ] && [ -s oot/empty.so ] || fail "the out-of-tree build made: $(ls oot)"
run=(run --kernel plugin --plugin oot/mc_plugin.so --param beta=0.5,1.0,2.0 --param m=0.5,1.0
     --param h=1.0 --param sweeps=1000 --repeat 2 --warmup 0)
result_of() { grep -o 'result tasks=[^;]*; verified [a-z]*' "$1" | sort -u; }
expect_status 0 moved/bin/hybench "${run[@]}"
ref=$(result_of out.txt)
case $ref in *"tasks=6 digest="*"verified yes") ;; *) fail "installed hybench, out-of-tree plug-in: '$ref'" ;; esac
expect_status 0 moved/bin/hybench "${run[@]}" --threads 2
[ "$(result_of out.txt)" = "$ref" ] || fail "1x2 '$(result_of out.txt)', 1x1 '$ref'"
if command -v groff >/dev/null; then
    groff -man -ww -z moved/share/man/man1/hybench.1 2>groff.err
    [ ! -s groff.err ] || fail "the man page has roff warnings: $(head -3 groff.err)"
fi
finish
