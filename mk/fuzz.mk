# The libFuzzer target (fuzz/fuzz-judge.c). It needs clang, and the engine
# compiled with the fuzzer's coverage instrumentation, so it is not built
# from libsluice.a: the rule compiles the engine's sources together with the
# target in one command, with -fsanitize=fuzzer,address,undefined.
#
#   make fuzz/fuzz-judge           any configuration, CC must be clang
#   ./configure --enable-fuzz      builds it with `make` as well
#   ./dev fuzz                     builds and runs it (FUZZ_SECONDS, default 600)
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
EXTRA_DIST += fuzz/fuzz-judge.c
CLEANFILES += fuzz/fuzz-judge

if ENABLE_FUZZ
noinst_DATA = fuzz/fuzz-judge
endif

fuzz/fuzz-judge: $(srcdir)/fuzz/fuzz-judge.c $(libsluice_a_SOURCES) config.h
	@mkdir -p fuzz
	$(AM_V_CCLD)srcs=; for f in $(libsluice_a_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(srcdir)/$$f" ;; esac; \
	done; \
	$(CC) $(DEFS) -I. $(AM_CPPFLAGS) $(CPPFLAGS) -std=c11 $(WARN_CFLAGS) $(FUZZ_FLAGS) \
	  -o $@ $(srcdir)/fuzz/fuzz-judge.c $$srcs \
	  $(PGQUERY_LIBS) $(GIT2_LIBS) $(CJSON_LIBS) $(CURL_LIBS) $(PQ_LIBS) $(LIBS)

fuzz: fuzz/fuzz-judge
.PHONY: fuzz
